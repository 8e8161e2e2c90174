import { ExitCode, KsRestoreError, UsageError } from '../errors.js';
import { openCluster } from '../kube/client.js';
import { writeOutcomeUnknown, writeRefused } from '../kube/errors.js';
import { loadKubeconfig, type LoadedKubeconfig } from '../kube/kubeconfig.js';
import { isResourceTypeMissing } from '../kube/types.js';
import { KS_CLUSTER, type ClusterReader } from '../kubesphere/cluster/gateway.js';
import { selectorString } from '../kubesphere/cluster/selector.js';
import { createColors } from '../output/color.js';
import { silentProgress } from '../output/progress-base.js';
import {
  renderRollbackPlan,
  renderRollbackResult,
  restoreDiff,
  rollbackDocument,
  type Failure,
  type ObjectRow,
  type RollbackRun,
  type RollbackStatus,
} from '../output/rollback-render.js';
import { terminalSafe as safe } from '../output/sanitize.js';
import { renderStructured } from '../output/structured.js';
import { restartChecked, targetName } from '../repair/apply.js';
import { readBackup, type BackupMember } from '../repair/backup.js';
import { journal } from '../repair/journal.js';
import {
  OutcomeUnknownError,
  planRestores,
  RestoreRefusedError,
  writeRestore,
  type RestoreItem,
} from '../repair/restore.js';
import { RolloutTimeoutError, waitForRollout } from '../repair/rollout.js';
import { confirm } from './consent.js';
import { onInterrupt } from './interrupt.js';
import { readerFromStoredKubeconfig } from './session.js';
import { durationFlag, durationText, outputFlag, requestTimeoutFlag, verbosityFlag } from './options.js';
import { showRetries } from './retries.js';

interface MemberWork {
  member: BackupMember;
  client: ClusterReader;
  run: RollbackRun;
  restores: Array<{ item: RestoreItem; row: ObjectRow }>;
}

/** `ks-restore rollback --backup DIR`: read, decide, show, validate (dryRun=All), ask, restore, restart, wait. */
export async function rollbackCommand(flags: Record<string, unknown>, env = process.env): Promise<number> {
  const output = outputFlag(flags.output);
  const text = output === 'text';
  const dryRun = Boolean(flags.dryRun);
  const force = Boolean(flags.force);
  const timeout = durationText(flags.timeout ?? '5m');
  const timeoutMs = durationFlag('--timeout', timeout);
  const requestTimeoutMs = requestTimeoutFlag(flags.requestTimeout);
  const verbosity = verbosityFlag(flags.verbose, flags.v);
  const backup = await readBackup(String(flags.backup));
  const kubeconfigPath = typeof flags.kubeconfig === 'string' ? flags.kubeconfig : undefined;
  const kubeconfig = await loadKubeconfig({ ...(kubeconfigPath ? { kubeconfigPath } : {}), env });
  const colors = createColors({ color: flags.color !== false, stream: process.stdout, env });
  const log = (line: string): void => {
    if (text) process.stderr.write(`${safe(line, { keepNewlines: true })}\n`);
  };
  showRetries(() => silentProgress, { verbosity, text });
  // An interruption lists what was restored so far; the way back from a rollback is a new repair.
  journal.undo = undefined;
  onInterrupt(() => {});

  const clients = await Promise.all(
    backup.manifest.members.map(async (m) => {
      const client = await reach(m, kubeconfig, requestTimeoutMs);
      if (client.server.replace(/\/$/, '') !== m.server.replace(/\/$/, '')) {
        throw new UsageError(
          `${m.via ? `the kubeconfig stored for Cluster ${m.via.cluster}` : `context "${m.context}"`} now points at ${client.server}, but the backup was taken from ${m.server}.`,
          'Use the kubeconfig the repair ran with (--kubeconfig PATH).',
        );
      }
      return { member: m, client };
    }),
  );

  // Read everything first and decide; write nothing until every object is known to be safe to restore.
  const work: MemberWork[] = await Promise.all(
    clients.map(async ({ member, client }) => {
      const items = await planRestores(member, client, backup.objects, force);
      const restores: MemberWork['restores'] = [];
      const objects = items.map((item) => {
        const row: ObjectRow = {
          target: targetName(item.object),
          status: item.decision === 'restore' ? 'to-restore' : item.decision,
          ...(item.reason ? { reason: item.reason } : {}),
        };
        if (item.decision === 'restore') {
          const diff = restoreDiff(item);
          if (diff) row.diff = diff;
          restores.push({ item, row });
        }
        return row;
      });
      const restart =
        member.restart && restores.length > 0
          ? {
              target: `deployment/${member.restart.name} (${member.restart.namespace})`,
              status: 'planned' as const,
            }
          : null;
      return {
        member,
        client,
        restores,
        run: { context: member.context, server: member.server, objects, restart },
      };
    }),
  );
  const runs = work.map((w) => w.run);
  const finish = (status: RollbackStatus, exitCode: number, summary: string): number => {
    if (text) process.stdout.write(`\n${summary}\n`);
    else
      process.stdout.write(
        renderStructured(rollbackDocument(runs, { status, exitCode, dryRun, backup: backup.dir }), output),
      );
    return exitCode;
  };
  if (text) {
    process.stdout.write(
      `Rollback from ${safe(backup.dir)} (backup of ${safe(String(backup.manifest.createdAt))})\n`,
    );
    process.stdout.write(runs.map((r) => renderRollbackPlan(r, colors, { timeout })).join('\n'));
  }

  const refused = runs.flatMap((r) => r.objects.filter((o) => o.status === 'refused'));
  if (refused.length > 0)
    return finish(
      'refused',
      ExitCode.usage,
      `Nothing was changed: ${refused.length} object(s) cannot be restored safely (see above). Pass --force to restore over later changes.`,
    );
  const pending = work.filter((w) => w.restores.length > 0);
  if (pending.length === 0)
    return finish(
      'nothing-to-do',
      ExitCode.ok,
      'Nothing to restore: every object is as in the backup, or the repair never wrote it.',
    );

  // Every write is first validated by the API server (dryRun=All): RBAC and admission show up before a change.
  const invalid = await validate(pending, force);
  if (invalid) {
    const f = failure(invalid.err);
    log(`error: ${f.message}${f.hint ? `\n${f.hint}` : ''}`);
    for (const w of pending) notAttempted(w);
    return finish('failed', exitWithoutChange(invalid.err), 'Nothing was changed.');
  }
  if (dryRun)
    return finish(
      'planned',
      ExitCode.problems,
      'Dry run: the API servers accepted every restore (dryRun=All); nothing was changed. Run again with --yes to restore.',
    );

  const targets = pending.map((w) => `${w.member.context} (${w.member.server})`).join(', ');
  if (
    !(await confirm(`Restore the objects above on ${targets}?`, { yes: Boolean(flags.yes), what: targets }))
  ) {
    log('Nothing was changed.');
    return ExitCode.usage;
  }

  let changed = false;
  let failedWith: unknown;
  for (const w of pending) {
    if (failedWith !== undefined) notAttempted(w);
    else failedWith = await restoreMember(w, { force, timeoutMs, log, onChange: () => (changed = true) });
  }
  if (text) process.stdout.write(`\n${pending.map((w) => renderRollbackResult(w.run, colors)).join('\n')}`);
  if (failedWith === undefined) {
    const n = pending.flatMap((w) => w.restores).length;
    return finish('rolled-back', ExitCode.ok, `Rolled back: ${n} object(s) restored from ${backup.dir}.`);
  }
  if (changed)
    return finish(
      'partial',
      ExitCode.partial,
      `Rollback did not finish: some objects were restored, see above. Fix the cause, then run it again (objects already restored are left as they are).`,
    );
  return finish('failed', exitWithoutChange(failedWith), 'Nothing was changed.');
}

/** Sends every write of the plan with dryRun=All; returns the first failure, marked on its row. */
async function validate(pending: MemberWork[], force: boolean): Promise<{ err: unknown } | undefined> {
  for (const w of pending) {
    for (const { item, row } of w.restores) {
      try {
        await writeRestore(w.client, item, { force, dryRun: true });
      } catch (err) {
        markFailed(row, err);
        return { err };
      }
    }
    const restart = w.run.restart;
    if (!w.member.restart || !restart) continue;
    try {
      const { namespace, name } = w.member.restart;
      await w.client.restartDeployment(namespace, name, { now: new Date(), dryRun: true });
    } catch (err) {
      restart.status = 'failed';
      restart.error = failure(err);
      return { err };
    }
  }
  return undefined;
}

function markFailed(row: ObjectRow, err: unknown): void {
  row.status = err instanceof RestoreRefusedError ? 'refused' : 'failed';
  if (err instanceof RestoreRefusedError) row.reason = err.reason;
  row.error = failure(err);
}

/** Restores one member's objects, then restarts and waits; returns the error that stopped it, if any. */
async function restoreMember(
  w: MemberWork,
  opts: { force: boolean; timeoutMs: number; log: (line: string) => void; onChange: () => void },
): Promise<unknown> {
  for (const { item, row } of w.restores) {
    const entry = journal.sending(w.member.context, `${row.target} restored`);
    try {
      const res = await writeRestore(w.client, item, { force: opts.force, dryRun: false });
      journal.settle(entry, true);
      row.status = 'restored';
      if (res.found) row.reason = 'already-restored';
      else if (res.retries > 0) row.reason = 'retried-after-conflict';
      opts.onChange();
      opts.log(`restored ${w.member.context} ${row.target}`);
    } catch (err) {
      // It may have applied: say so (exit 4, check the object) rather than "nothing was changed".
      if (err instanceof OutcomeUnknownError) opts.onChange();
      else journal.settle(entry, false);
      markFailed(row, err);
      notAttempted(w);
      return err;
    }
  }
  const restart = w.run.restart;
  if (!w.member.restart || !restart) return undefined;
  const { namespace, name } = w.member.restart;
  const entry = journal.sending(w.member.context, `deployment/${name} (${namespace}) restarted`);
  try {
    const dep = await restartChecked(w.client, namespace, name, new Date()).catch((err: unknown) => {
      if (writeRefused(err)) journal.settle(entry, false);
      throw err;
    });
    journal.settle(entry, true);
    opts.onChange();
    opts.log(`restarted ${w.member.context} deployment/${name}; waiting for the rollout`);
    const podSelector = selectorString(dep);
    const state = await waitForRollout(w.client, namespace, name, {
      timeoutMs: opts.timeoutMs,
      ...(podSelector ? { podSelector } : {}),
    });
    restart.status = 'done';
    restart.rollout = { updated: state.updated, desired: state.desired, available: state.available };
    return undefined;
  } catch (err) {
    // A restart whose answer was lost may have happened: count it as a change (exit 4, not "nothing changed").
    if (restart.status === 'planned' && writeOutcomeUnknown(err)) opts.onChange();
    restart.status = 'failed';
    restart.error = failure(err);
    return err;
  }
}

/** After a failure, what was not tried yet is marked so, not left looking planned. */
function notAttempted(w: MemberWork): void {
  for (const r of w.restores) {
    if (r.row.status === 'to-restore') {
      r.row.status = 'skipped';
      r.row.reason = 'not-attempted';
    }
  }
  if (w.run.restart?.status === 'planned') w.run.restart.status = 'skipped';
}

/** Nothing was changed: a refusal or an input problem is 2, a cluster that could not be written or read 3. */
function exitWithoutChange(err: unknown): number {
  if (err instanceof RestoreRefusedError) return ExitCode.usage;
  if (err instanceof KsRestoreError && err.exitCode === ExitCode.usage) return ExitCode.usage;
  return ExitCode.unreadable;
}

function failure(err: unknown): Failure {
  if (err instanceof RestoreRefusedError)
    return { message: err.message, hint: 'Look at the object, then run rollback again (or --force).' };
  if (err instanceof OutcomeUnknownError)
    return {
      message: `${failure(err.failure).message} (whether this write applied is unknown: reading it back failed too)`,
      hint: 'Check the object with kubectl, then run rollback again: objects already restored show as unchanged.',
    };
  if (err instanceof RolloutTimeoutError)
    return {
      message: err.message,
      hint: 'Check the pods (kubectl -n kubesphere-system get pods), or wait longer with --timeout.',
    };
  if (err instanceof KsRestoreError) return { message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  return { message: err instanceof Error ? err.message : String(err) };
}

/** The member as repair reached it: its context, or the kubeconfig the host stores for it. */
async function reach(
  m: BackupMember,
  kubeconfig: LoadedKubeconfig,
  requestTimeoutMs: number,
): Promise<ClusterReader> {
  if (!m.via) return openCluster(kubeconfig, m.context, { requestTimeoutMs });
  const host = openCluster(kubeconfig, m.via.hostContext, { requestTimeoutMs });
  const cluster = await host.getCustom(KS_CLUSTER, undefined, m.via.cluster);
  const reader =
    cluster && !isResourceTypeMissing(cluster)
      ? await readerFromStoredKubeconfig(cluster, requestTimeoutMs)
      : undefined;
  if (!reader) {
    throw new UsageError(
      `the host (context "${m.via.hostContext}") no longer has a stored kubeconfig for Cluster ${m.via.cluster}.`,
      'Add a kubeconfig context for the member and restore the files in the backup directory by hand.',
    );
  }
  return reader;
}
