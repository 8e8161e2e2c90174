import { controllerRef, isReady } from './pods.js';
import {
  DESIRED_REPLICAS,
  desiredReplicas,
  fenceposts,
  HASH_LABEL,
  isRecreate,
  MAX_REPLICAS,
  num,
  REVISION,
  specOf,
  statusOf,
  templateHash,
} from './rollout.js';
import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;

/** The annotations the deployment controller keeps on each of its ReplicaSets. */
export function replicaAnnotations(d: KubeObject): Record<string, string> {
  return {
    [DESIRED_REPLICAS]: String(desiredReplicas(d)),
    [MAX_REPLICAS]: String(desiredReplicas(d) + (isRecreate(d) ? 0 : fenceposts(d).maxSurge)),
  };
}

/** The ReplicaSet for the deployment's current template: `<deploy>-<pod-template-hash>`, owned by it. */
export function buildReplicaSet(d: KubeObject, revision: number, replicas: number): KubeObject {
  const template = structuredClone((specOf(d).template ?? {}) as Obj);
  const hash = templateHash(template, num(statusOf(d).collisionCount));
  const tmeta = (template.metadata ?? {}) as Obj;
  const labels = { ...((tmeta.labels ?? {}) as Record<string, string>), [HASH_LABEL]: hash };
  template.metadata = { ...tmeta, labels };
  const selector = structuredClone((specOf(d).selector ?? {}) as Obj);
  selector.matchLabels = { ...((selector.matchLabels ?? {}) as Obj), [HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels,
      annotations: { ...replicaAnnotations(d), [REVISION]: String(revision) },
      ownerReferences: [controllerRef(d)],
    },
    spec: { replicas, minReadySeconds: specOf(d).minReadySeconds ?? 0, selector, template },
  };
}

/** ReplicaSet status from its active pods; Go omits zero counts except replicas. */
export function replicaSetStatus(rs: KubeObject, active: KubeObject[]): Obj {
  const ready = active.filter(isReady).length;
  const status: Obj = { replicas: active.length };
  if (active.length) status.fullyLabeledReplicas = active.length;
  if (ready) {
    status.readyReplicas = ready;
    status.availableReplicas = ready;
  }
  status.observedGeneration = rs.metadata.generation ?? 1;
  return status;
}
