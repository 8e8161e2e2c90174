import { pickNode, randomPodIP } from './cluster-node.js';
import { NEW_RS_AVAILABLE } from './deployment-status.js';
import { newPod, runningPod } from './pods.js';
import { buildReplicaSet, replicaSetStatus } from './replicasets.js';
import { desiredReplicas, REVISION } from './rollout.js';
import type { ClusterStore } from './store.js';
import { kubeTime } from './types.js';
import type { KubeObject } from './types.js';

export interface SeedOptions {
  /** creation and container start time of everything seeded; default three days ago */
  startedAt?: Date;
  /** called for each seeded pod, so the simulation can backfill its logs */
  onPodStarted?: (pod: KubeObject) => void;
}

export interface SeededDeployment {
  deployment: KubeObject;
  replicaSet: KubeObject;
  pods: KubeObject[];
}

const MANAGER = 'kube-controller-manager';

/**
 * Creates a deployment whose first rollout finished at `startedAt`: one ReplicaSet (revision 1) with ready pods
 * and a complete status, as a cluster that has been running for a while. Synchronous, so a running controller
 * sees the finished state and has nothing to do.
 */
export function seedDeployment(
  store: ClusterStore,
  deployment: KubeObject,
  opts: SeedOptions = {},
): SeededDeployment {
  const startedAt = opts.startedAt ?? new Date(Date.now() - 3 * 86400_000);
  const t = kubeTime(startedAt);
  const input = structuredClone(deployment);
  input.metadata = {
    ...input.metadata,
    creationTimestamp: input.metadata.creationTimestamp ?? t,
    annotations: { ...input.metadata.annotations, [REVISION]: '1' },
  };
  delete input.status;
  const d = store.create(input);
  const replicas = desiredReplicas(d);
  const rsInput = buildReplicaSet(d, 1, replicas);
  rsInput.metadata.creationTimestamp = t;
  let rs = store.create(rsInput, { fieldManager: MANAGER });
  const { nodeName, hostIP } = pickNode(store);
  const pods: KubeObject[] = [];
  for (let i = 0; i < replicas; i++) {
    const pod = runningPod(newPod(rs, nodeName, hostIP, startedAt), randomPodIP(), startedAt);
    pods.push(store.create(pod, { fieldManager: MANAGER }));
  }
  rs = store.update(
    { ...rs, status: replicaSetStatus(rs, pods) },
    { subresource: 'status', fieldManager: MANAGER },
  );
  const counts = {
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
  };
  const condition = (type: string, reason: string, message: string) => ({
    type,
    status: 'True',
    lastUpdateTime: t,
    lastTransitionTime: t,
    reason,
    message,
  });
  const status = {
    observedGeneration: d.metadata.generation ?? 1,
    ...Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0)),
    conditions: [
      condition('Available', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'),
      condition(
        'Progressing',
        NEW_RS_AVAILABLE,
        `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
      ),
    ],
  };
  const seeded = store.update({ ...d, status }, { subresource: 'status', fieldManager: MANAGER });
  for (const pod of pods) opts.onPodStarted?.(structuredClone(pod));
  return { deployment: seeded, replicaSet: rs, pods };
}
