import { RESTARTED_AT, restartedAt } from '../kube/client.js';
import {
  ConflictError,
  ForbiddenError,
  MissingPermissionsError,
  writeOutcomeUnknown,
  writeRefused,
} from '../kube/errors.js';
import { journal } from './journal.js';
import type { KubeObject } from '../kube/types.js';
import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import { applyObjectEdits } from '../kubesphere/repair/object-edit.js';
import type { ActionId, Change, MemberPlan, PlannedWrite, WriteTarget } from '../kubesphere/repair/plan.js';
import { selectorString } from '../kubesphere/cluster/selector.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import type { Backup } from './backup.js';
import { readTarget, writeTarget } from './objects.js';
import { RolloutTimeoutError, waitForRollout, type RolloutState } from './rollout.js';

export type ActionStatus = 'planned' | 'done' | 'skipped' | 'failed';

/** One row of the repair report: an action on one object, as data. */
export interface ActionRecord {
  id: ActionId;
  target: string;
  status: ActionStatus;
  changes?: Change[];
  /** What happened, for the renderer: e.g. `{ retriedAfterConflict: 1 }`, `{ rollout: '3/3' }`. */
  info?: Record<string, string | number | boolean | null>;
  error?: { message: string; hint?: string };
}

export interface ApplyHooks {
  onStep?: (text: string) => void;
  now?: () => Date;
}

const MAX_CONFLICT_RETRIES = 3;

export function targetName(w: { target: WriteTarget; namespace: string; name: string }): string {
  const kind =
    w.target === 'configmap' ? 'configmap' : w.target === 'secret' ? 'secret' : 'clusterconfiguration';
  return `${kind}/${w.name} (${w.namespace})`;
}

/** The rows of a plan before anything ran: the same shape the executor fills in. */
export function plannedRecords(
  plan: MemberPlan,
  opts: { restart: boolean; timeoutMs: number },
): ActionRecord[] {
  const rows: ActionRecord[] = [];
  for (const w of plan.writes) {
    for (const id of [...new Set(w.changes.map((c) => c.action))]) {
      rows.push({
        id,
        target: targetName(w),
        status: 'planned',
        changes: w.changes.filter((c) => c.action === id),
      });
    }
  }
  if (plan.restart) {
    const target = `deployment/${plan.restart.name} (${plan.restart.namespace})`;
    const status: ActionStatus = opts.restart ? 'planned' : 'skipped';
    rows.push({ id: 'restart', target, status, info: { reason: plan.restart.reason } });
    rows.push({ id: 'wait-rollout', target, status, info: { timeoutMs: opts.timeoutMs } });
  }
  return rows;
}

/**
 * Server-side validation of every write (dryRun=All); nothing is stored, so the writes (each to its own object)
 * are validated at once: one round trip instead of one per write. The first failure in plan order is thrown.
 */
export async function dryRunPlan(
  client: ClusterReader,
  plan: MemberPlan,
  rows: ActionRecord[],
): Promise<void> {
  const restart = plan.restart;
  const settled = await Promise.allSettled([
    ...plan.writes.map((w) => dryRunWrite(client, w)),
    ...(restart
      ? [client.restartDeployment(restart.namespace, restart.name, { now: new Date(), dryRun: true })]
      : []),
  ]);
  const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  // Every missing permission at once, each with its `kubectl auth can-i`, not one per attempt.
  if (refused.length > 1 && refused.every((e) => e instanceof ForbiddenError))
    throw new MissingPermissionsError(refused as ForbiddenError[]);
  if (refused.length > 0) throw refused[0];
  for (const r of rows) r.info = { ...r.info, validated: true };
}

/** Waits for all; throws the first rejection in the given order (not the first in time), as a loop would. */
export async function firstFailure(jobs: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const settled = await Promise.allSettled(jobs);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Applies one member's plan: writes with optimistic concurrency (a 409 re-reads and replays the edits on the
 * fresh object, keeping someone else's change), then restart and wait. Stops at the first failure; the rows
 * say exactly what was and was not changed.
 */
export async function applyPlan(
  client: ClusterReader,
  plan: MemberPlan,
  rows: ActionRecord[],
  opts: ApplyHooks & { backup: Backup; restart: boolean; timeoutMs: number; pollMs?: number },
): Promise<{ ok: boolean; changed: boolean; rollout?: RolloutState }> {
  let changed = false;
  const fail = (match: (r: ActionRecord) => boolean, err: unknown) => {
    for (const r of rows) if (match(r) && r.status === 'planned') r.status = 'failed';
    const first = rows.find((r) => r.status === 'failed');
    if (first) first.error = describe(err);
    for (const r of rows) if (r.status === 'planned') r.status = 'skipped';
  };
  // The restart's read of the Deployment (kubectl rollout restart's GET, for the paused check) goes out with the
  // first write rather than after the last: one round trip less. It is only used once every write succeeded.
  const restarting = plan.restart && opts.restart ? plan.restart : undefined;
  const current = restarting ? client.get('deployments', restarting.namespace, restarting.name) : undefined;
  current?.catch(() => {});
  for (const w of plan.writes) {
    const target = targetName(w);
    opts.onStep?.(`${plan.context}: writing ${target}`);
    const entry = journal.sending(plan.context, target);
    try {
      const res = await writeWithRetry(client, w);
      journal.settle(entry, true);
      if (res.written) changed = true;
      await opts.backup.recordWritten(plan.context, w.target, res.resourceVersion);
      for (const r of rows) {
        if (r.target === target && r.status === 'planned') {
          r.status = 'done';
          if (res.retries > 0 || !res.written)
            r.info = { ...r.info, retriedAfterConflict: res.retries, alreadyApplied: !res.written };
        }
      }
    } catch (err) {
      if (writeRefused(err) || (err instanceof EditNoLongerApplies && !err.maybeApplied))
        journal.settle(entry, false);
      else changed = true; // no answer: it may have been applied, and the report must not say otherwise
      fail((r) => r.target === target, err);
      return { ok: false, changed };
    }
  }
  if (!plan.restart || !opts.restart) return { ok: true, changed };
  const { namespace, name } = plan.restart;
  const restartRow = rows.find((r) => r.id === 'restart');
  const waitRow = rows.find((r) => r.id === 'wait-rollout');
  try {
    opts.onStep?.(`${plan.context}: restarting deployment/${name}`);
    const entry = journal.sending(plan.context, `deployment/${name} (${namespace}) restarted`);
    const now = (opts.now ?? (() => new Date()))();
    const dep = await restartChecked(client, namespace, name, now, current).catch((err: unknown) => {
      if (writeRefused(err)) journal.settle(entry, false);
      throw err;
    });
    journal.settle(entry, true);
    changed = true;
    if (restartRow) restartRow.status = 'done';
    const selector = selectorString(dep);
    const rollout = await waitForRollout(client, namespace, name, {
      timeoutMs: opts.timeoutMs,
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      ...(selector ? { podSelector: selector } : {}),
      ...(dep.metadata.resourceVersion ? { resourceVersion: dep.metadata.resourceVersion } : {}),
      onProgress: (s) =>
        opts.onStep?.(
          `${plan.context}: ${name} ${s.updated}/${s.desired} pods updated, ${s.available} available`,
        ),
    });
    if (waitRow) {
      waitRow.status = 'done';
      waitRow.info = { updated: rollout.updated, desired: rollout.desired, available: rollout.available };
    }
    return { ok: true, changed, rollout };
  } catch (err) {
    fail((r) => r.id === 'restart' || r.id === 'wait-rollout', err);
    return { ok: false, changed };
  }
}

/** After a concurrent change the edits no longer apply; `maybeApplied` when an earlier attempt got no answer. */
class EditNoLongerApplies extends Error {
  constructor(
    reason: string,
    readonly maybeApplied: boolean,
  ) {
    super(`after a concurrent change, the edit no longer applies: ${reason}`);
  }
}

/**
 * Writes one object under its resourceVersion precondition. A 409 (someone else changed it) or an answer that
 * leaves open whether the write applied (a 5xx, a reset, a cut-off or unreadable reply, a timeout — the kube
 * layer already replayed what it safely could) re-reads the object: if the edits are already there, the write
 * applied; otherwise they are replayed on the fresh object, keeping the other change. Never a blind overwrite.
 */
async function writeWithRetry(
  client: ClusterReader,
  w: PlannedWrite,
): Promise<{ written: boolean; retries: number; resourceVersion: string | undefined }> {
  let obj = w.after;
  let unanswered = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const saved = await writeTarget(client, w.target, obj, false);
      return { written: true, retries: attempt, resourceVersion: saved.metadata.resourceVersion };
    } catch (err) {
      const conflict = err instanceof ConflictError;
      if ((!conflict && !writeOutcomeUnknown(err)) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      unanswered ||= !conflict;
      const fresh = await readTarget(client, w).catch(() => undefined);
      if (!fresh) throw err;
      const replay = applyObjectEdits(fresh, w.edits);
      if (!replay.ok) throw new EditNoLongerApplies(replay.reason, unanswered);
      // Unchanged by the edits: ours applied (a lost reply), or someone made the same change.
      if (!replay.changed)
        return {
          written: !conflict && fresh.metadata.resourceVersion !== obj.metadata.resourceVersion,
          retries: attempt + 1,
          resourceVersion: fresh.metadata.resourceVersion,
        };
      obj = replay.after;
    }
  }
}

/**
 * Validates one write (dryRun=All). Someone may have changed the object since it was read: a 409 re-reads it
 * and replays the edits on the fresh copy, which then becomes what is backed up and written.
 */
async function dryRunWrite(client: ClusterReader, w: PlannedWrite): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await writeTarget(client, w.target, w.after, true);
      return;
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
      const fresh = await readTarget(client, w);
      if (!fresh) throw err;
      const replay = applyObjectEdits(fresh, w.edits);
      if (!replay.ok)
        throw new Error(`after a concurrent change, the edit no longer applies: ${replay.reason}`);
      w.before = fresh;
      w.after = replay.changed ? replay.after : fresh;
    }
  }
}

/**
 * `kubectl rollout restart`, made safe to repeat: its restartedAt is fixed, so when the answer is lost (or a
 * 409 comes back) the Deployment is read to see whether it took, and the same patch is sent once more if not.
 */
export async function restartChecked(
  client: ClusterReader,
  namespace: string,
  name: string,
  now: Date,
  current?: Promise<KubeObject | undefined>,
): Promise<ObjectJson> {
  try {
    return await client.restartDeployment(namespace, name, { now, ...(current ? { current } : {}) });
  } catch (err) {
    if (!(err instanceof ConflictError) && !writeOutcomeUnknown(err)) throw err;
    const dep = await client.get('deployments', namespace, name).catch(() => undefined);
    const template = (dep?.spec as { template?: ObjectJson } | undefined)?.template;
    if (dep && template?.metadata.annotations?.[RESTARTED_AT] === restartedAt(now)) return dep;
    return client.restartDeployment(namespace, name, { now });
  }
}

function describe(err: unknown): { message: string; hint?: string } {
  if (err instanceof RolloutTimeoutError) {
    return {
      message: err.message,
      hint: 'Check the pods (kubectl -n kubesphere-system get pods; describe the ones not ready), or wait longer with --timeout.',
    };
  }
  if (err instanceof Error && 'exitCode' in err) {
    const hint = (err as { hint?: string }).hint;
    return { message: err.message, ...(hint ? { hint } : {}) };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}
