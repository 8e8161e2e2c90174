import { ExitCode } from '../errors.js';
import yaml from 'js-yaml';
import { KS_CONFIG_KEY } from '../kubesphere/cluster/gateway.js';
import { secretsInObjects } from '../kubesphere/config/secrets.js';
import type { Change, ChangeWhy, MemberPlan, Refusal } from '../kubesphere/repair/plan.js';
import type { ActionRecord } from '../repair/apply.js';
import type { Verification } from '../repair/verify.js';
import type { Colors } from './color.js';
import { unifiedDiff } from './diff.js';
import { type Masker, secretMasker } from './mask.js';
import { outsideRemedy } from './fleet-words.js';
import { describeCause, describeFinding } from './messages.js';
import { suggestCommand } from './program.js';
import { terminalSafe as safe } from './sanitize.js';
import { hanging } from './wrap.js';
import type { MemberReport } from '../kubesphere/checks/report.js';

export interface MemberRun {
  plan: MemberPlan;
  before: MemberReport;
  actions: ActionRecord[];
  verification: Verification | null;
  /** Both clusters' secrets (a secretMasker); the plan text adds every secret in the documents it diffs. */
  mask: ((text: string) => string) & Partial<Pick<Masker, 'secrets'>>;
}

export type RepairStatus = 'repaired' | 'nothing-to-do' | 'planned' | 'partial' | 'failed';

export function describeChange(c: Change): string {
  const why = c.why ? `  (${describeWhy(c.why)})` : '';
  if (c.secret) return `${c.path}: ******** (fp ${c.from ?? 'none'} → ${c.to})${why}`;
  return `${c.path}: ${c.from ?? '(absent)'} → ${c.to}${why}`;
}

/** Why ks-installer needs this change for the fix to last. */
export function describeWhy(why: ChangeWhy): string {
  switch (why) {
    case 'installer-renders-cc-secret':
      return "ks-installer renders the ClusterConfiguration's jwtSecret, else kubesphere-secret's, at every run";
    case 'installer-renders-secret':
      return "ks-installer renders this Secret's value when the ClusterConfiguration has no jwtSecret";
    case 'installer-zero-for-member-role':
      return 'ks-installer renders accessTokenMaxAge: 0 only for clusterRole member';
    case 'installer-3.1-renders-cc-oauth':
      return "ks-installer 3.1 renders the ClusterConfiguration's oauthOptions instead of a member's 0";
    case 'installer-version-unknown-cc-oauth':
      return "the version is unknown, and ks-installer 3.1 renders the ClusterConfiguration's oauthOptions instead of a member's 0";
  }
}

export function describeRefusal(r: Refusal, context: string): { message: string; hint: string } {
  switch (r.code) {
    case 'wrong-role-host':
      return {
        message: `${context} is a host cluster (${String(r.args.source)}): setting accessTokenMaxAge to 0 there would make its tokens never expire.`,
        hint: 'Check --member; pass --force only if you are sure this cluster is a member.',
      };
    case 'role-guard':
      return {
        message: `${context}'s role cannot be established (${String(r.args.source)}), so it may be a host: repair will not set accessTokenMaxAge to 0 there.`,
        hint: 'Check that it is a member (kubectl get clusters on the host); --force overrides this guard.',
      };
    case 'host-secret-empty':
      return {
        message:
          "the host's jwtSecret is empty or unreadable: there is nothing to copy, and an empty jwtSecret stops ks-apiserver from starting (3.1+) or makes it reject every token (3.0).",
        hint: "Check the host's kubesphere-config (ks-restore diagnose shows what was found).",
      };
    case 'config-not-editable':
      return {
        message: `${context}'s kubesphere.yaml cannot be edited safely: ${String(r.args.reason)}. Nothing was changed.`,
        hint: 'Edit it by hand (kubectl -n kubesphere-system edit cm kubesphere-config), then run ks-restore diagnose.',
      };
    case 'not-readable':
      return notReadable(String(r.args.cause), context);
    case 'host-not-host': {
      const host = String(r.args.host);
      const role = r.args.role === null ? 'not established' : `"${String(r.args.role)}"`;
      const swapped = r.args.swappedWith;
      return swapped === null
        ? {
            message: `context "${host}" is not a host cluster (its role is ${role}), so its jwtSecret is not the one to copy: repair changes no member.`,
            hint: 'Pass the host cluster with --host (kubectl get clusters works there), or --force if you are sure.',
          }
        : {
            message: `--host and --member look swapped: context "${host}" is not a host cluster (its role is ${role}) and "${String(swapped)}" is one. Repair copies the host's jwtSecret to members, so it changes nothing this way round.`,
            hint: `Swap them: --host ${String(swapped)} --member ${host}.`,
          };
    }
    case 'not-repairable':
      return {
        message: `${context}'s jwtSecret, accessTokenMaxAge and role are already right; what still breaks the console is outside what repair changes. Nothing was changed.`,
        hint: outsideRemedy(String(r.args.cause)),
      };
  }
}

/** Why repair did not plan for a member diagnose could not read completely, and what to do first. */
function notReadable(cause: string, context: string): { message: string; hint: string } {
  switch (cause) {
    case 'not-kubesphere':
      return {
        message: `${context} has no readable kubesphere-config (kubesphere-system), and that ConfigMap is what repair edits: no repair was planned.`,
        hint: 'Check that the context is the cluster you mean (kubectl config get-contexts) and that KubeSphere is installed there (kubectl -n kubesphere-system get cm kubesphere-config); on 3.x ks-installer renders the ConfigMap again when it runs.',
      };
    case 'no-route':
      return {
        message: `${context} cannot be reached from here, so no repair was planned.`,
        hint: `Add a kubeconfig context for it (--member ${context}=CONTEXT), or run ks-restore where its API server is reachable.`,
      };
    default:
      return {
        message: `${context} could not be read completely, so no repair was planned.`,
        hint: 'Run ks-restore diagnose to see which read failed; repair plans only from a complete read.',
      };
  }
}

/** The plan as a list, with a masked unified diff of each changed document; cluster text made terminal-safe. */
export function renderPlanText(
  run: MemberRun,
  c: Colors,
  opts: { timeout: string; restart: boolean; width?: number },
): string {
  const { plan } = run;
  const { width: wrapAt } = opts;
  const out: string[] = [];
  const dim = (s: string) => c.dim(s);
  out.push(c.bold(`Member ${safe(plan.context)}`) + c.dim(`  ${safe(plan.server)}`));
  out.push(
    ...hanging(`  ${c.dim('now:')} `, 7, safe(describeCause(run.before.cause, plan.context)), {
      width: wrapAt,
    }),
  );
  if (plan.refusal) {
    const r = describeRefusal(plan.refusal, plan.context);
    out.push(
      ...hanging(`  ${c.red('✖ refused:')} `, 13, safe(r.message), { width: wrapAt, indent: 4 }),
      ...hanging('    ', 4, `→ ${safe(r.hint)}`, { width: wrapAt, indent: 6, paint: dim }),
    );
    return `${out.join('\n')}\n`;
  }
  if (run.actions.length === 0) {
    out.push(`  ${c.green('✔')} nothing to do`);
    return `${out.join('\n')}\n`;
  }
  if (plan.forced) out.push(`  ${c.yellow('⚠ --force: the role guard is overridden for this member')}`);
  const width = Math.max(...run.actions.map((a) => a.id.length), 'verify'.length);
  for (const a of run.actions) {
    const mark = a.status === 'skipped' ? c.dim(' (skipped: --no-restart)') : '';
    out.push(`  ${a.id.padEnd(width)}  ${safe(a.target)}${mark}`);
    const under = ' '.repeat(width + 6);
    for (const ch of a.changes ?? [])
      out.push(...hanging(under, width + 6, safe(describeChange(ch)), { width: wrapAt, indent: width + 8 }));
    if (a.id === 'wait-rollout' && opts.restart) out.push(`  ${' '.repeat(width)}    up to ${opts.timeout}`);
  }
  out.push(
    ...hanging(
      `  ${'verify'.padEnd(width)}  `,
      width + 4,
      `diagnose ${safe(plan.context)} again: new pods ready, values loaded, no new auth errors`,
      { width: wrapAt },
    ),
  );
  // Diff lines show whole documents, context included: mask every secret they hold, shadowed duplicates too.
  const inDocs = secretMasker([
    ...(run.mask.secrets ?? []),
    ...secretsInObjects(plan.writes.flatMap((w) => [w.before, w.after])),
  ]);
  // A masker that says what it masks is merged into one pass (a second pass could match inside the labels).
  const mask = run.mask.secrets ? inDocs : (text: string) => run.mask(inDocs(text));
  for (const w of plan.writes) {
    // A Secret's data are credentials (the jwtSecret, the static admin token): its changes are listed above
    // by fingerprint only, never diffed.
    if (w.target === 'secret') continue;
    const diff =
      w.target === 'configmap'
        ? unifiedDiff(dataOf(w.before), dataOf(w.after), {
            from: `configmap/${w.name} ${KS_CONFIG_KEY} (now)`,
            to: `configmap/${w.name} ${KS_CONFIG_KEY} (after repair)`,
          })
        : unifiedDiff(dump(ccSections(w.before)), dump(ccSections(w.after)), {
            from: `${w.target}/${w.name} (now)`,
            to: `${w.target}/${w.name} (after repair)`,
          });
    if (!diff) continue;
    out.push('');
    for (const line of mask(diff)
      .trimEnd()
      .split('\n')
      .map((l) => safe(l))) {
      out.push(
        `  ${line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line.startsWith('@@') ? c.cyan(line) : c.dim(line)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function dataOf(obj: unknown): string {
  return (obj as { data?: Record<string, string> }).data?.[KS_CONFIG_KEY] ?? '';
}

/** The ClusterConfiguration is shown by the sections repair may touch, not whole (it is long). */
function ccSections(obj: unknown): unknown {
  const spec = (obj as { spec?: Record<string, unknown> }).spec ?? {};
  return { spec: { authentication: spec.authentication, multicluster: spec.multicluster } };
}

/** Objects other than the ConfigMap are shown without status and managedFields noise. */
function dump(obj: unknown): string {
  const o = structuredClone(obj) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  delete o.status;
  if (o.metadata) {
    delete o.metadata.managedFields;
    delete o.metadata.annotations;
  }
  return yaml.dump(o, { lineWidth: -1, sortKeys: false, noRefs: true });
}

export function repairDocument(
  runs: MemberRun[],
  meta: { status: RepairStatus; exitCode: number; backup: string | null; dryRun: boolean },
) {
  return {
    schemaVersion: 1,
    command: 'repair',
    status: meta.status,
    exitCode: meta.exitCode,
    dryRun: meta.dryRun,
    backup: meta.backup,
    // What a script runs to undo a repair that stopped half-way (the text output prints the same line).
    rollbackCommand:
      meta.exitCode === ExitCode.partial && meta.backup
        ? suggestCommand(['rollback', '--backup', meta.backup])
        : null,
    members: runs.map((r) => ({
      context: r.plan.context,
      server: r.plan.server,
      kubesphereVersion: r.before.kubesphereVersion,
      causeBefore: r.before.cause,
      forced: r.plan.forced,
      ...(r.plan.refusal
        ? { refusal: { code: r.plan.refusal.code, ...describeRefusal(r.plan.refusal, r.plan.context) } }
        : {}),
      actions: r.actions.map((a) => ({
        id: a.id,
        target: a.target,
        status: a.status,
        detail: actionDetail(a),
        ...(a.changes ? { changes: a.changes } : {}),
        ...(a.error ? { error: a.error } : {}),
      })),
      verification: r.verification,
    })),
  };
}

export function actionDetail(a: ActionRecord): string {
  const changes = (a.changes ?? []).map(describeChange);
  const parts = [...changes];
  if (a.info?.retriedAfterConflict)
    parts.push(`re-read and re-applied after ${String(a.info.retriedAfterConflict)} concurrent change(s)`);
  if (a.info?.alreadyApplied) parts.push('already as intended after a concurrent change');
  if (a.id === 'restart')
    parts.push(
      a.info?.reason === 'restart-pending' ? 'pods predate the configuration' : 'configuration changed',
    );
  if (a.id === 'wait-rollout' && a.info?.updated !== undefined)
    parts.push(`${String(a.info.updated)}/${String(a.info.desired)} pods updated and available`);
  if (a.error) parts.push(`failed: ${a.error.message}`);
  return parts.join('; ');
}

const MARK: Record<ActionRecord['status'], string> = { done: '✔', failed: '✖', skipped: '-', planned: '·' };

/** After applying: what happened to each action, and the verification. */
export function renderOutcomeText(run: MemberRun, c: Colors, wrapAt?: number): string {
  const dim = (s: string) => c.dim(s);
  const out: string[] = [c.bold(`Result for ${safe(run.plan.context)}`)];
  const width = Math.max('verify'.length, ...run.actions.map((a) => a.id.length));
  for (const a of run.actions) {
    const mark =
      a.status === 'done'
        ? c.green(MARK.done)
        : a.status === 'failed'
          ? c.red(MARK.failed)
          : c.dim(MARK[a.status]);
    out.push(
      `  ${mark} ${a.id.padEnd(width)}  ${safe(a.target)}${a.status === 'skipped' ? c.dim(' (not done)') : ''}`,
    );
    if (a.error) {
      out.push(...hanging('      ', 6, safe(a.error.message), { width: wrapAt, paint: (s) => c.red(s) }));
      if (a.error.hint)
        out.push(
          ...hanging('      ', 6, `→ ${safe(a.error.hint)}`, { width: wrapAt, indent: 8, paint: dim }),
        );
    }
  }
  const v = run.verification;
  if (v) {
    const ok = v.status === 'healthy';
    const cause =
      v.cause && v.cause !== 'healthy'
        ? safe(describeCause(v.cause as MemberReport['cause'], run.plan.context))
        : '';
    // A read that failed verified nothing: say so, never that the member is still broken.
    const why = v.reason ? describeFinding({ ...v.reason, status: 'error' }) : undefined;
    out.push(
      `  ${ok ? c.green('✔') : c.red('✖')} ${'verify'.padEnd(width)}  ${ok ? "the member accepts the host's tokens" : why ? `could not verify: ${safe(why.summary)}` : `still ${v.status}: ${cause}`}` +
        (v.failing && v.failing.length > 0 ? c.dim(` (failing: ${safe(v.failing.join(', '))})`) : ''),
    );
    if (why?.remedy)
      out.push(...hanging('      ', 6, `→ ${safe(why.remedy)}`, { width: wrapAt, indent: 8, paint: dim }));
  }
  return `${out.join('\n')}\n`;
}
