import {
  calculateStatus,
  conditionOf,
  PAUSED,
  progressDeadline,
  progressingCondition,
  setAvailable,
  updateProgress,
} from './deployment-status.js';
import { ownedBy } from './pods.js';
import { buildReplicaSet, replicaAnnotations, replicaSetStatus } from './replicasets.js';
import {
  availableScaleDown,
  byCreation,
  desiredReplicas,
  fenceposts,
  isRecreate,
  newRSReplicas,
  num,
  oldScaleDownBudget,
  REVISION,
  revisionOf,
  specOf,
  specReplicas,
  statusOf,
  templateMatches,
} from './rollout.js';
import type { ClusterStore } from './store.js';
import type { KubeObject } from './types.js';

export interface RolloutContext {
  store: ClusterStore;
  now: Date;
  manager: string;
  /** Brings an RS's pods to spec.replicas and returns the active ones. */
  syncPods: (rs: KubeObject) => KubeObject[];
}

type Obj = Record<string, unknown>;

function scaleRS(
  ctx: RolloutContext,
  rs: KubeObject,
  d: KubeObject,
  replicas: number,
  revision?: number,
): void {
  const next = structuredClone(rs);
  (next.spec as Obj).replicas = replicas;
  next.metadata.annotations = {
    ...next.metadata.annotations,
    ...replicaAnnotations(d),
    ...(revision === undefined ? {} : { [REVISION]: String(revision) }),
  };
  ctx.store.update(next, { fieldManager: ctx.manager });
}

/** One pass of syncDeployment. Returns when the progress deadline would pass, so the caller can requeue. */
export function reconcileDeployment(ctx: RolloutContext, namespace: string, name: string): Date | undefined {
  const { store } = ctx;
  let d = store.get('deployments.apps', namespace, name);
  if (!d || d.metadata.deletionTimestamp) return undefined;
  const owned = (): KubeObject[] =>
    store
      .list('replicasets.apps', namespace)
      .filter((rs) => ownedBy(rs, d!))
      .sort(byCreation);

  // The replicaset controller's half: pods, then RS status.
  for (const rs of owned()) {
    const active = ctx.syncPods(rs);
    store.update(
      { ...rs, status: replicaSetStatus(rs, active) },
      { subresource: 'status', fieldManager: ctx.manager },
    );
  }

  const paused = specOf(d).paused === true;
  let all = owned();
  let newRS = all.find((rs) => templateMatches(rs, d!));
  const maxOldRevision = Math.max(0, ...all.filter((rs) => rs !== newRS).map(revisionOf));
  const status = structuredClone(statusOf(d));
  d.status = status;
  if (!newRS && !paused) {
    newRS = store.create(buildReplicaSet(d, maxOldRevision + 1, 0), { fieldManager: ctx.manager });
    progressingCondition(
      status,
      {
        status: 'True',
        reason: 'NewReplicaSetCreated',
        message: `Created new replica set "${newRS.metadata.name}"`,
      },
      ctx.now,
    );
    all = owned();
  } else if (newRS && revisionOf(newRS) <= maxOldRevision && !paused) {
    // A rollback to an older template makes that ReplicaSet the newest revision again.
    scaleRS(ctx, newRS, d, num(specOf(newRS).replicas), maxOldRevision + 1);
    all = owned();
  }
  newRS = all.find((rs) => templateMatches(rs, d!));
  if (newRS && d.metadata.annotations?.[REVISION] !== String(revisionOf(newRS))) {
    d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: String(revisionOf(newRS)) };
    d = {
      ...store.update(
        { ...d, status: statusOf(store.get('deployments.apps', namespace, name)!) },
        { fieldManager: ctx.manager },
      ),
      status,
    };
  }
  const old = all.filter((rs) => rs !== newRS);

  if (paused) {
    // A paused deployment only scales (sync()): never a new RS, never a rollout step.
    if (
      newRS &&
      old.every((rs) => num(specOf(rs).replicas) === 0) &&
      num(specOf(newRS).replicas) !== desiredReplicas(d)
    ) {
      scaleRS(ctx, newRS, d, desiredReplicas(d));
    }
  } else if (newRS) {
    stepRollout(ctx, d, old, newRS, owned);
  }

  all = owned();
  newRS = all.find((rs) => templateMatches(rs, d!));
  const next = calculateStatus(d, all, newRS);
  setAvailable(d, next, ctx.now);
  const progressing = conditionOf(next, 'Progressing');
  if (paused && progressing?.reason !== PAUSED) {
    progressingCondition(
      next,
      { status: 'Unknown', reason: PAUSED, message: 'Deployment is paused' },
      ctx.now,
    );
  } else if (!paused && progressing?.reason === PAUSED) {
    progressingCondition(
      next,
      { status: 'Unknown', reason: 'DeploymentResumed', message: 'Deployment is resumed' },
      ctx.now,
    );
  } else if (!paused) {
    updateProgress(d, next, newRS, ctx.now);
  }
  store.update({ ...d, status: next }, { subresource: 'status', fieldManager: ctx.manager });
  cleanupHistory(
    ctx,
    d,
    all.filter((rs) => rs !== newRS),
  );
  return paused ? undefined : progressDeadline(d, next);
}

function stepRollout(
  ctx: RolloutContext,
  d: KubeObject,
  old: KubeObject[],
  newRS: KubeObject,
  owned: () => KubeObject[],
): void {
  const replicas = desiredReplicas(d);
  if (isRecreate(d)) {
    // Recreate: every old pod gone before the new RS scales up.
    for (const rs of old) if (num(specOf(rs).replicas) > 0) scaleRS(ctx, rs, d, 0);
    const oldPods = ctx.store
      .list('pods', d.metadata.namespace)
      .filter((p) => old.some((rs) => ownedBy(p, rs)));
    if (oldPods.length === 0 && num(specOf(newRS).replicas) !== replicas) scaleRS(ctx, newRS, d, replicas);
    return;
  }
  const activeOld = old.filter((rs) => num(specOf(rs).replicas) > 0);
  if (activeOld.length === 0) {
    if (num(specOf(newRS).replicas) !== replicas) scaleRS(ctx, newRS, d, replicas);
    return;
  }
  let all = [...old, newRS];
  // Scaled down mid-rollout: shed what no longer fits under replicas+maxSurge from the old RSes first.
  let excess = specReplicas(all) - (replicas + fenceposts(d).maxSurge);
  for (const rs of [...activeOld].sort(byCreation)) {
    if (excess <= 0) break;
    const cut = Math.min(excess, num(specOf(rs).replicas));
    scaleRS(ctx, rs, d, num(specOf(rs).replicas) - cut);
    excess -= cut;
  }
  all = owned();
  const fresh = (rs: KubeObject): KubeObject => all.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs;
  const n = newRSReplicas(d, all, fresh(newRS));
  if (n !== num(specOf(fresh(newRS)).replicas)) scaleRS(ctx, fresh(newRS), d, n);
  all = owned();
  const nrs = fresh(newRS);
  let budget = oldScaleDownBudget(d, all, nrs);
  if (budget <= 0) return;
  // Unhealthy old replicas first: they would otherwise block the rollout (kubernetes#16737).
  for (const rs of old.map(fresh).sort(byCreation)) {
    const unhealthy = num(specOf(rs).replicas) - num(statusOf(rs).availableReplicas);
    const cut = Math.min(budget, unhealthy);
    if (cut > 0) {
      scaleRS(ctx, rs, d, num(specOf(rs).replicas) - cut);
      budget -= cut;
    }
  }
  all = owned();
  let total = availableScaleDown(d, all);
  for (const rs of old.map(fresh).sort(byCreation)) {
    if (total <= 0) break;
    const cut = Math.min(total, num(specOf(rs).replicas));
    if (cut > 0) scaleRS(ctx, rs, d, num(specOf(rs).replicas) - cut);
    total -= cut;
  }
}

/** revisionHistoryLimit: drop the oldest fully scaled-down ReplicaSets beyond the limit. */
function cleanupHistory(ctx: RolloutContext, d: KubeObject, old: KubeObject[]): void {
  const limit =
    typeof specOf(d).revisionHistoryLimit === 'number' ? (specOf(d).revisionHistoryLimit as number) : 10;
  const idle = old
    .filter((rs) => num(specOf(rs).replicas) === 0 && num(statusOf(rs).replicas) === 0)
    .sort(byCreation);
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
    ctx.store.delete('replicasets.apps', rs.metadata.namespace, rs.metadata.name);
  }
}
