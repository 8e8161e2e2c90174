import path from 'node:path';
import { ExitCode, KsRestoreError, UsageError } from '../errors.js';
import { describeFailure } from '../kube/failure.js';
import { runDiagnosis } from '../kubesphere/checks/diagnosis.js';
import { deriveFacts } from '../kubesphere/cluster/facts.js';
import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import { repairOutlook } from '../kubesphere/repair/outlook.js';
import { planIsEmpty } from '../kubesphere/repair/plan.js';
import { secretsInPlay } from '../kubesphere/config/secrets.js';
import { createColors } from '../output/color.js';
import { suggestCommand } from '../output/program.js';
import { describeFinding } from '../output/messages.js';
import { secretMasker } from '../output/mask.js';
import { openProgress, type Progress } from '../output/progress-base.js';
import { terminalSafe } from '../output/sanitize.js';
import {
  describeRefusal,
  renderOutcomeText,
  renderPlanText,
  repairDocument,
  type MemberRun,
  type RepairStatus,
} from '../output/repair-render.js';
import { renderResultTable } from '../output/repair-table.js';
import { renderStructured } from '../output/structured.js';
import { hanging, outputWidth } from '../output/wrap.js';
import { applyPlan, dryRunPlan, firstFailure, plannedRecords } from '../repair/apply.js';
import { Backup, defaultBackupRoot } from '../repair/backup.js';
import { journal } from '../repair/journal.js';
import { verifyMember } from '../repair/verify.js';
import { confirm } from './consent.js';
import { onInterrupt } from './interrupt.js';
import { showRetries } from './retries.js';
import { durationFlag, durationText, LOG_REQUESTS_LEVEL, outputFlag, verbosityFlag } from './options.js';
import { openSession } from './session.js';

/** `ks-restore repair`: diagnose, plan, show, ask, back up, apply, restart, wait, verify. */
export async function repairCommand(flags: Record<string, unknown>, env = process.env): Promise<number> {
  const output = outputFlag(flags.output);
  const dryRun = Boolean(flags.dryRun);
  const restart = flags.restart !== false;
  const timeout = durationText(flags.timeout ?? '5m');
  const timeoutMs = durationFlag('--timeout', timeout);
  const backupRoot =
    typeof flags.backupDir === 'string' ? path.resolve(flags.backupDir) : defaultBackupRoot(env);
  const verbosity = verbosityFlag(flags.verbose, flags.v);
  const session = await openSession(flags, env);
  const text = output === 'text';
  const colors = createColors({ color: flags.color !== false, stream: process.stdout, env });
  const progress = await openProgress({
    stream: process.stderr,
    enabled: text && verbosity < LOG_REQUESTS_LEVEL, // request lines and a spinner would overwrite each other
    color: colors.level > 0,
  });
  const log = (line: string): void => {
    // Lines quote servers (a rejected dry run's message): no terminal control sequence gets through.
    if (text) process.stderr.write(`${terminalSafe(line, { keepNewlines: true })}\n`);
  };
  // The spinner shown now: retries are remarked on it; an interruption stops it before the summary.
  let current: Progress = progress;
  showRetries(() => current, { verbosity, text });
  onInterrupt(() => current.stop());

  progress.start(`Diagnosing ${session.members.length + 1} clusters…`);
  const diagnosis = await runDiagnosis(session.host, session.members, {
    sinceSeconds: 3600,
    since: '1h',
    concurrency: session.concurrency,
    describeFailure,
  }).finally(() => progress.stop());
  const hostError = diagnosis.report.host.checks.find((c) => c.status === 'error');
  if (hostError) {
    const f = diagnosis.host.reachability.ok ? undefined : diagnosis.host.reachability.failure;
    // A reachable host whose kubesphere-config is missing or unusable: the check's own words, never its code.
    const w = describeFinding(hostError);
    const hint = f?.hint ?? w.remedy;
    throw new KsRestoreError(
      `cannot read the host cluster (context "${session.host.context}"): ${(f?.message ?? w.summary).replace(/\.$/, '')}. Nothing was changed.`,
      { exitCode: ExitCode.unreadable, ...(hint ? { hint } : {}) },
    );
  }
  // The one planner diagnose also shows: the secret is only ever copied host → member, so a --host that is not
  // a host (or --host and --member swapped) refuses every member up front.
  const outlook = repairOutlook(diagnosis, { force: Boolean(flags.force) });
  if (outlook.host) {
    const r = describeRefusal(outlook.host, session.host.context);
    throw new UsageError(`${r.message} Nothing was changed.`, r.hint);
  }
  const hostFacts = deriveFacts(diagnosis.host);
  const clients = new Map<MemberRun, ClusterReader>();
  const viaHost = new Map<MemberRun, { hostContext: string; cluster: string }>();
  const runs: MemberRun[] = diagnosis.members.map((snapshot, i) => {
    const report = diagnosis.report.members[i]!;
    const facts = snapshot ? deriveFacts(snapshot) : undefined;
    const plan = outlook.plans[i]!;
    const run: MemberRun = {
      plan,
      before: report,
      actions: plannedRecords(plan, { restart, timeoutMs }),
      verification: null,
      mask: secretMasker(facts ? secretsInPlay(hostFacts, facts) : []),
    };
    const source = session.members[i];
    if (source?.reader) clients.set(run, source.reader);
    if (source?.target?.method === 'host-credentials' && source.target.cluster) {
      viaHost.set(run, { hostContext: session.host.context, cluster: source.target.cluster });
    }
    return run;
  });
  const changing = runs.filter((r) => !r.plan.refusal && !planIsEmpty(r.plan));
  const fleet = runs.length > 1;
  const width = outputWidth(process.stdout, env);
  if (text) {
    process.stdout.write(runs.map((r) => renderPlanText(r, colors, { timeout, restart, width })).join('\n'));
  }
  const finish = (status: RepairStatus, exitCode: number, backup: string | null): number => {
    if (!text)
      process.stdout.write(
        renderStructured(repairDocument(runs, { status, exitCode, backup, dryRun }), output),
      );
    else {
      // A fleet ends with one row per member, and the rollback command when something changed.
      const table = fleet
        ? renderResultTable(runs, colors, { backup, dryRun, headers: flags.headers !== false, width })
        : [];
      const summary = hanging('', 0, summaryLine(status, runs, backup, fleet), { width });
      process.stdout.write(`\n${[...table, ...(table.length > 0 ? [''] : []), ...summary].join('\n')}\n`);
    }
    return exitCode;
  };
  const refusedCode = worstRefusal(runs);
  if (changing.length === 0)
    return finish(refusedCode === ExitCode.ok ? 'nothing-to-do' : 'failed', refusedCode, null);

  // Every write is first validated by the API server (dryRun=All): RBAC, admission and conflicts show up
  // here, before anything is changed.
  progress.start('Validating the plan with the API servers (dryRun=All)…');
  try {
    await firstFailure(changing.map((r) => dryRunPlan(clients.get(r)!, r.plan, r.actions)));
  } catch (err) {
    progress.stop();
    const failure = describeFailure(err);
    for (const r of changing) {
      for (const a of r.actions) a.status = 'skipped';
    }
    // The rights repair needs are shipped as manifests (deploy/rbac/, README: Permissions).
    const rbac =
      failure.kind === 'forbidden'
        ? "\nrepair's permissions: deploy/rbac/repair.yaml in ks-restore's package (README, Permissions)."
        : '';
    log(`error: ${failure.message}${failure.hint ? `\n${failure.hint}` : ''}${rbac}\nNothing was changed.`);
    return finish('failed', ExitCode.unreadable, null);
  }
  progress.stop();
  if (dryRun) return finish('planned', Math.max(ExitCode.problems, refusedCode), null);

  const targets = changing.map((r) => `${r.plan.context} (${r.plan.server})`).join(', ');
  const ok = await confirm(`Apply this plan to ${targets}?`, { yes: Boolean(flags.yes), what: targets });
  if (!ok) {
    log('Nothing was changed.');
    return ExitCode.usage;
  }

  const backup = await Backup.create(backupRoot, new Date());
  for (const r of changing) {
    for (const w of r.plan.writes) {
      await backup.save(
        {
          context: r.plan.context,
          server: r.plan.server,
          ...(r.plan.restart ? { restart: r.plan.restart } : {}),
          ...(viaHost.get(r) ? { via: viaHost.get(r)! } : {}),
        },
        w.target,
        w.before,
      );
    }
  }
  journal.backupDir = backup.dir;
  log(`backup: ${backup.dir}`);

  const results = await Promise.all(
    changing.map(async (r) => {
      const client = clients.get(r)!;
      const step = (p: Progress) => (line: string) => p.update(line);
      const p = await openProgress({
        stream: process.stderr,
        enabled: text && changing.length === 1 && verbosity < LOG_REQUESTS_LEVEL,
        color: colors.level > 0,
      });
      if (changing.length === 1) current = p;
      p.start(`${r.plan.context}: applying`);
      const startedAt = new Date();
      const res = await applyPlan(client, r.plan, r.actions, { backup, restart, timeoutMs, onStep: step(p) });
      if (!res.ok) {
        p.fail(`${r.plan.context}: stopped after a failure`);
        return { run: r, ok: false, changed: res.changed };
      }
      p.update(`${r.plan.context}: verifying`);
      r.verification = await verifyMember(session.host, client, {
        since: startedAt,
        timeoutMs,
        restart: restart ? r.plan.restart : undefined,
        describeFailure,
      });
      const verified = r.verification.status === 'healthy' || (!restart && r.verification.status !== 'error');
      if (verified) p.succeed(`${r.plan.context}: repaired and verified`);
      else
        p.fail(`${r.plan.context}: verification failed (${r.verification.cause ?? r.verification.status})`);
      return { run: r, ok: verified, changed: res.changed };
    }),
  );
  // In a fleet the result table sums up the members that were verified; the others' steps are shown (-v: all).
  const detailed = changing.filter((r) => !fleet || verbosity > 0 || r.verification?.status !== 'healthy');
  if (text && detailed.length > 0)
    process.stdout.write(`\n${detailed.map((r) => renderOutcomeText(r, colors, width)).join('\n')}`);
  if (results.every((x) => !x.ok && !x.changed)) {
    log('Nothing was changed.');
    return finish('failed', ExitCode.unreadable, backup.dir);
  }
  const failedAfterChange = results.some((x) => !x.ok);
  if (failedAfterChange) {
    log(`Some changes were made. To undo them: ${suggestCommand(['rollback', '--backup', backup.dir])}`);
    return finish('partial', ExitCode.partial, backup.dir);
  }
  // The worst outcome decides: members repaired, others left untouched because they could not be read (3)
  // or were refused by the role guard (2). Nothing failed after a change, so nothing calls for a rollback.
  // A host-side cause (several host replicas without Redis) keeps the symptom after any member repair (1).
  const hostSide = diagnosis.report.host.checks.some((c) => c.id === 'host-cache' && c.status === 'fail');
  if (hostSide)
    log(
      'The members are repaired, but the host still loses tokens between its ks-apiserver replicas (no Redis): enable Redis on the host, or run one replica.',
    );
  const code = Math.max(refusedCode, hostSide ? ExitCode.problems : ExitCode.ok);
  return finish(refusedCode === ExitCode.ok ? 'repaired' : 'partial', code, backup.dir);
}

/**
 * The exit code of the members repair refused: 2 for a role guard (a usage decision), 1 for a cause repair
 * cannot fix, 3 for the rest (a cluster that could not be read or edited).
 */
export function worstRefusal(runs: ReadonlyArray<Pick<MemberRun, 'plan'>>): number {
  let code: number = ExitCode.ok;
  for (const r of runs) {
    const c = r.plan.refusal?.code;
    if (!c) continue;
    const rc =
      c === 'role-guard' || c === 'wrong-role-host'
        ? ExitCode.usage
        : c === 'not-repairable'
          ? ExitCode.problems
          : ExitCode.unreadable;
    code = Math.max(code, rc);
  }
  return code;
}

/** The last line. In a fleet the result table above has the rollback command: not repeated here. */
function summaryLine(status: RepairStatus, runs: MemberRun[], backup: string | null, fleet: boolean): string {
  const n = runs.length;
  switch (status) {
    case 'nothing-to-do':
      return `Nothing to do: ${n === 1 ? 'the member accepts' : `all ${n} members accept`} the host's tokens.`;
    case 'planned':
      return 'Dry run: the API servers accepted every write (dryRun=All); nothing was changed. Run again with --yes to apply.';
    case 'repaired':
      return `Repaired and verified. Backup of the previous objects: ${backup}`;
    case 'partial': {
      const untouched = runs.filter((r) => r.plan.refusal).length;
      if (untouched > 0 && !runs.some((r) => r.actions.some((a) => a.status === 'failed')))
        return `Repaired the members that could be; ${untouched} could not be repaired and were not changed (see above).${fleet ? '' : ` Backup: ${backup}`}`;
      return `Not everything succeeded; see above.${backup && !fleet ? ` Undo with: ${suggestCommand(['rollback', '--backup', backup])}` : ''}`;
    }
    case 'failed':
      return 'Nothing was changed.';
  }
}
