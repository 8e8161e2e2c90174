import { createHash, randomBytes } from 'node:crypto';
import { HASH_LABEL, specOf } from './rollout.js';
import { kubeTime } from './types.js';
import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  return [...randomBytes(n)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

const containersOf = (pod: KubeObject): Obj[] => ((specOf(pod).containers ?? []) as Obj[]).filter(Boolean);

export const isTerminating = (pod: KubeObject): boolean => pod.metadata.deletionTimestamp !== undefined;

export function isReady(pod: KubeObject): boolean {
  const conditions = ((pod.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A ReplicaSet's controller reference, which both ownership and `kubectl rollout` rely on. */
export function controllerRef(owner: KubeObject): Obj {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function ownedBy(obj: KubeObject, owner: KubeObject): boolean {
  return (obj.metadata.ownerReferences ?? []).some(
    (r) => (r as Obj).controller === true && (r as Obj).uid === owner.metadata.uid,
  );
}

function condition(type: string, ok: boolean, now: Date, reason?: string): Obj {
  return {
    type,
    status: ok ? 'True' : 'False',
    lastProbeTime: null,
    lastTransitionTime: kubeTime(now),
    ...(ok || !reason ? {} : { reason, message: 'containers with unready status: []' }),
  };
}

/** Each container of the pod as the kubelet reports it while the runtime creates it. */
export function creatingContainerStatuses(pod: KubeObject): Obj[] {
  return containersOf(pod).map((c) => ({
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
  }));
}

/** A scheduled pod whose containers are still being created, as the kubelet reports it right after admission. */
export function newPod(rs: KubeObject, nodeName: string, hostIP: string, now: Date): KubeObject {
  const template = (specOf(rs).template ?? {}) as Obj;
  const tmeta = (template.metadata ?? {}) as Obj;
  const spec = structuredClone((template.spec ?? {}) as Obj);
  spec.nodeName = nodeName;
  const name = `${rs.metadata.name}-${randomSuffix()}`;
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${rs.metadata.name}-`,
      namespace: rs.metadata.namespace,
      labels: {
        ...((tmeta.labels ?? {}) as Record<string, string>),
        [HASH_LABEL]: rs.metadata.labels?.[HASH_LABEL] ?? '',
      },
      ...(tmeta.annotations
        ? { annotations: structuredClone(tmeta.annotations as Record<string, string>) }
        : {}),
      ownerReferences: [controllerRef(rs)],
      creationTimestamp: kubeTime(now),
    },
    spec,
    status: {},
  };
  const names = containersOf(pod).map((c) => String(c.name));
  pod.status = {
    phase: 'Pending',
    conditions: [
      condition('Initialized', true, now),
      condition('Ready', false, now, 'ContainersNotReady'),
      condition('ContainersReady', false, now, 'ContainersNotReady'),
      condition('PodScheduled', true, now),
    ],
    hostIP,
    startTime: kubeTime(now),
    containerStatuses: creatingContainerStatuses(pod),
    qosClass: 'BestEffort',
  };
  (pod.status as Obj).conditions = ((pod.status as Obj).conditions as Obj[]).map((c) =>
    c.reason ? { ...c, message: `containers with unready status: [${names.join(' ')}]` } : c,
  );
  return pod;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** The same pod once its containers run and pass readiness: what the Ready column and rollouts wait for. */
export function runningPod(pod: KubeObject, podIP: string, now: Date): KubeObject {
  const next = structuredClone(pod);
  const status = (next.status ?? {}) as Obj;
  const t = kubeTime(now);
  status.phase = 'Running';
  status.podIP = podIP;
  status.podIPs = [{ ip: podIP }];
  status.conditions = ((status.conditions ?? []) as Obj[]).map((c) => {
    const rest = { ...c };
    delete rest.reason;
    delete rest.message;
    return { ...rest, status: 'True', lastTransitionTime: c.status === 'True' ? c.lastTransitionTime : t };
  });
  const previous = new Map(((status.containerStatuses ?? []) as Obj[]).map((c) => [c.name, c]));
  status.containerStatuses = containersOf(next).map((c) => {
    const image = String(c.image ?? '');
    const name = image.replace(/:[^:/]+$/, '');
    const first = name.split('/')[0]!;
    // Docker Hub short names resolve to docker.io (library/ for official images), as containerd reports them.
    const repo = !name.includes('/')
      ? `docker.io/library/${name}`
      : /[.:]|^localhost$/.test(first)
        ? name
        : `docker.io/${name}`;
    return {
      name: c.name,
      image: c.image,
      imageID: `${repo}@sha256:${digest(image)}`,
      containerID: `containerd://${digest(`${next.metadata.name}/${String(c.name)}/${t}`)}`,
      ready: true,
      started: true,
      restartCount: Number(previous.get(c.name)?.restartCount ?? 0),
      state: { running: { startedAt: t } },
      lastState: previous.get(c.name)?.lastState ?? {},
    };
  });
  next.status = status;
  return next;
}
