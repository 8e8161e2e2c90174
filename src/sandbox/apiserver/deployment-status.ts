import {
  actualReplicas,
  availableReplicas,
  desiredReplicas,
  maxUnavailable,
  num,
  readyReplicas,
  specReplicas,
  statusOf,
} from './rollout.js';
import { kubeTime } from './types.js';
import type { KubeObject } from './types.js';

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export const TIMED_OUT = 'ProgressDeadlineExceeded';
export const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
export const PAUSED = 'DeploymentPaused';

type Status = Record<string, unknown> & { conditions?: DeploymentCondition[] };

export const conditionOf = (status: Status, type: string): DeploymentCondition | undefined =>
  status.conditions?.find((c) => c.type === type);

function newCondition(
  type: string,
  status: DeploymentCondition['status'],
  reason: string,
  message: string,
  now: Date,
): DeploymentCondition {
  const t = kubeTime(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** deploymentutil.SetDeploymentCondition: same status and reason is a no-op; same status keeps the transition time. */
export function setCondition(status: Status, c: DeploymentCondition): void {
  const current = conditionOf(status, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function progressingCondition(
  status: Status,
  c: Omit<DeploymentCondition, 'lastUpdateTime' | 'lastTransitionTime' | 'type'>,
  now: Date,
): void {
  setCondition(status, newCondition('Progressing', c.status, c.reason, c.message, now));
}

/** deploymentutil.DeploymentComplete */
export function isComplete(d: KubeObject, s: Status): boolean {
  const r = desiredReplicas(d);
  return (
    num(s.updatedReplicas) === r &&
    num(s.replicas) === r &&
    num(s.availableReplicas) === r &&
    num(s.observedGeneration) >= num(d.metadata.generation)
  );
}

/** deploymentutil.DeploymentProgressing: any count moved the right way since the last status. */
function isProgressing(old: Status, s: Status): boolean {
  const oldOld = num(old.replicas) - num(old.updatedReplicas);
  const newOld = num(s.replicas) - num(s.updatedReplicas);
  return (
    num(s.updatedReplicas) > num(old.updatedReplicas) ||
    newOld < oldOld ||
    num(s.readyReplicas) > num(old.readyReplicas) ||
    num(s.availableReplicas) > num(old.availableReplicas)
  );
}

/** The moment the Progressing condition times out, or undefined when it cannot. */
export function progressDeadline(d: KubeObject, s: Status): Date | undefined {
  const seconds = (d.spec as Record<string, unknown> | undefined)?.progressDeadlineSeconds;
  const c = conditionOf(s, 'Progressing');
  if (typeof seconds !== 'number' || !c || c.reason === NEW_RS_AVAILABLE || c.reason === TIMED_OUT)
    return undefined;
  if (c.reason === PAUSED) return undefined;
  return new Date(Date.parse(c.lastUpdateTime) + seconds * 1000);
}

/** calculateStatus: counts from the ReplicaSets and the Available condition. Go omits zero counts. */
export function calculateStatus(d: KubeObject, all: KubeObject[], newRS: KubeObject | undefined): Status {
  const old = statusOf(d) as Status;
  const available = availableReplicas(all);
  const counts: Record<string, number> = {
    observedGeneration: num(d.metadata.generation),
    replicas: actualReplicas(all),
    updatedReplicas: newRS ? actualReplicas([newRS]) : 0,
    readyReplicas: readyReplicas(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(all) - available),
  };
  const status: Status = {};
  for (const [k, v] of Object.entries(counts)) if (v !== 0) status[k] = v;
  if (old.collisionCount !== undefined) status.collisionCount = old.collisionCount;
  status.conditions = structuredClone(old.conditions ?? []);
  return status;
}

export function setAvailable(d: KubeObject, s: Status, now: Date): void {
  const ok = num(s.availableReplicas) >= desiredReplicas(d) - maxUnavailable(d);
  setCondition(
    s,
    ok
      ? newCondition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          now,
        )
      : newCondition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          now,
        ),
  );
}

/** syncRolloutStatus's Progressing update, after a rolling or recreate step. */
export function updateProgress(d: KubeObject, s: Status, newRS: KubeObject | undefined, now: Date): void {
  const old = statusOf(d) as Status;
  const current = conditionOf(old, 'Progressing');
  const completeAlready = num(s.replicas) === num(s.updatedReplicas) && current?.reason === NEW_RS_AVAILABLE;
  if ((d.spec as Record<string, unknown>)?.progressDeadlineSeconds === undefined || completeAlready) return;
  const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
  if (isComplete(d, s)) {
    progressingCondition(
      s,
      { status: 'True', reason: NEW_RS_AVAILABLE, message: `${rsName} has successfully progressed.` },
      now,
    );
  } else if (isProgressing(old, s)) {
    // Progress refreshes lastUpdateTime even with the same reason: that is what the deadline counts from.
    const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', `${rsName} is progressing.`, now);
    if (current?.status === 'True') c.lastTransitionTime = current.lastTransitionTime;
    s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== 'Progressing'), c];
  } else {
    const deadline = progressDeadline(d, s);
    if (deadline && deadline.getTime() < now.getTime()) {
      progressingCondition(
        s,
        { status: 'False', reason: TIMED_OUT, message: `${rsName} has timed out progressing.` },
        now,
      );
    }
  }
}
