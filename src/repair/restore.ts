import { ConflictError, writeOutcomeUnknown } from '../kube/errors.js';
import type { ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import type { BackupMember, BackupObject } from './backup.js';
import { readTarget, writeTarget } from './objects.js';

/**
 * What rollback decides for one backed-up object, before writing anything:
 * - `restore`: it is as the repair left it (or --force): put the backup back;
 * - `unchanged`: it already equals the backup;
 * - `refused`: someone changed it since the repair, or deleted it;
 * - `skipped`: the repair never wrote it.
 */
export type RestoreDecision = 'restore' | 'unchanged' | 'refused' | 'skipped';

export interface RestoreItem {
  object: BackupObject;
  decision: RestoreDecision;
  reason?: 'never-written' | 'deleted' | 'changed-since-repair' | 'forced';
  /** As read now; absent when it no longer exists. */
  current?: ObjectJson;
  /** As saved before the repair. */
  original: ObjectJson;
}

/** A 409 re-read found the object changed by someone else while rollback ran: not overwritten. */
export class RestoreRefusedError extends Error {
  constructor(readonly reason: 'deleted' | 'changed-since-repair') {
    super(
      reason === 'deleted'
        ? 'it was deleted while rolling back'
        : 'someone else changed it while rolling back (409 Conflict, then a different object on re-read)',
    );
  }
}

/**
 * A write got no answer that says whether it applied (a timeout, a reset, a 5xx, a cut-off reply), and reading
 * the object back failed too: it may have changed.
 */
export class OutcomeUnknownError extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure));
  }
}

const MAX_CONFLICT_RETRIES = 3;

/** Reads every object of one member and decides; writes nothing. */
export async function planRestores(
  member: BackupMember,
  client: ClusterReader,
  saved: Map<string, ObjectJson>,
  force: boolean,
): Promise<RestoreItem[]> {
  const items: RestoreItem[] = [];
  for (const o of member.objects) {
    const original = saved.get(o.file)!;
    if (o.resourceVersionAfter === null) {
      items.push({ object: o, original, decision: 'skipped', reason: 'never-written' });
      continue;
    }
    const current = await readTarget(client, o);
    if (!current) items.push({ object: o, original, decision: 'refused', reason: 'deleted' });
    else if (sameContent(current, original))
      items.push({ object: o, original, current, decision: 'unchanged' });
    else if (current.metadata.resourceVersion === o.resourceVersionAfter)
      items.push({ object: o, original, current, decision: 'restore' });
    else if (force) items.push({ object: o, original, current, decision: 'restore', reason: 'forced' });
    else items.push({ object: o, original, current, decision: 'refused', reason: 'changed-since-repair' });
  }
  return items;
}

/**
 * Writes the backup over the object read at plan time, under its resourceVersion precondition. After a 409, or
 * an answer that leaves open whether the write applied, it re-reads: content equal to the backup means the
 * restore is there (ours, or someone's); content still as read at plan time (only metadata or status moved,
 * e.g. a controller's annotation) is retried with the fresh resourceVersion; anything else is refused unless
 * --force. Never a blind overwrite.
 */
export async function writeRestore(
  client: ClusterReader,
  item: RestoreItem,
  opts: { force: boolean; dryRun: boolean },
): Promise<{ retries: number; found?: boolean }> {
  let current = item.current!;
  for (let attempt = 0; ; attempt++) {
    try {
      await writeTarget(client, item.object.target, restoreBody(item.original, current), opts.dryRun);
      return { retries: attempt };
    } catch (err) {
      const conflict = err instanceof ConflictError;
      const unknown = !conflict && writeOutcomeUnknown(err);
      if (!conflict && !unknown) throw err;
      let fresh: ObjectJson | undefined;
      try {
        fresh = await readTarget(client, item.object);
      } catch {
        throw unknown && !opts.dryRun ? new OutcomeUnknownError(err) : err;
      }
      if (!fresh) throw new RestoreRefusedError('deleted');
      // Already as in the backup: our write applied (its answer was lost, or a replay met our own change) or
      // someone restored it. Either way it changed during this run, which is what the exit code must tell.
      if (sameContent(fresh, item.original)) return { retries: attempt + 1, found: true };
      if (!opts.force && !sameContent(fresh, current)) throw new RestoreRefusedError('changed-since-repair');
      if (attempt >= MAX_CONFLICT_RETRIES) throw err;
      current = fresh;
    }
  }
}

/** The saved object, carrying the current resourceVersion (optimistic concurrency) and status. */
function restoreBody(original: ObjectJson, current: ObjectJson): ObjectJson {
  const body = structuredClone(original);
  body.metadata = { ...body.metadata, resourceVersion: current.metadata.resourceVersion };
  delete body.metadata.managedFields;
  if ('status' in current) body.status = current.status;
  return body;
}

/** What rollback promises to restore byte for byte: data and spec. */
export function sameContent(a: ObjectJson, b: ObjectJson): boolean {
  const pick = (o: ObjectJson) => JSON.stringify([o.data ?? null, o.spec ?? null]);
  return pick(a) === pick(b);
}
