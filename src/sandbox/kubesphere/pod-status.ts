import { createHash } from 'node:crypto';
import type { KubeObject } from '../apiserver/store.js';
import { kubeTime } from '../apiserver/types.js';

type Obj = Record<string, unknown>;

/** A container run's ID as containerd reports it: one per (pod, container, start). */
function containerId(pod: KubeObject, container: string, startedAt: Date): string {
  const hex = createHash('sha256').update(
    `${pod.metadata.uid ?? pod.metadata.name}/${container}/${startedAt.toISOString()}`,
  );
  return `containerd://${hex.digest('hex')}`;
}

/** When a container of the pod started, as the kubelet reports it; falls back to the pod's start. */
export function containerStartedAt(pod: KubeObject, container: string): Date | undefined {
  const status = (pod.status ?? {}) as Obj;
  const cs = ((status.containerStatuses ?? []) as Obj[]).find((c) => c.name === container);
  const running = ((cs?.state ?? {}) as Obj).running as Obj | undefined;
  const t = running?.startedAt ?? status.startTime ?? pod.metadata.creationTimestamp;
  return typeof t === 'string' ? new Date(t) : undefined;
}

function withContainer(
  pod: KubeObject,
  container: string,
  update: (cs: Obj) => Obj,
  ready: boolean,
  at: Date,
): KubeObject {
  const next = structuredClone(pod);
  const status = (next.status ?? {}) as Obj;
  status.containerStatuses = ((status.containerStatuses ?? []) as Obj[]).map((c) =>
    c.name === container ? update(c) : c,
  );
  const allReady = ((status.containerStatuses ?? []) as Obj[]).every((c) => c.ready === true);
  status.conditions = ((status.conditions ?? []) as Obj[]).map((c) => {
    if (c.type !== 'Ready' && c.type !== 'ContainersReady') return c;
    const ok = ready && allReady;
    const base = {
      type: c.type,
      status: ok ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: kubeTime(at),
    };
    const notReady = ((status.containerStatuses ?? []) as Obj[])
      .filter((x) => x.ready !== true)
      .map((x) => x.name);
    return ok
      ? base
      : {
          ...base,
          reason: 'ContainersNotReady',
          message: `containers with unready status: [${notReady.join(' ')}]`,
        };
  });
  next.status = status;
  return next;
}

/** The container exited 1 right after start and the kubelet backs off: what `kubectl get pods` shows as CrashLoopBackOff. */
export function crashLoopStatus(
  pod: KubeObject,
  container: string,
  startedAt: Date,
  at: Date,
  backoffSec: number,
): KubeObject {
  return withContainer(
    pod,
    container,
    (c) => ({
      ...c,
      ready: false,
      started: false,
      restartCount: Number(c.restartCount ?? 0) + 1,
      state: {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${backoffSec}s restarting failed container=${container} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        },
      },
      lastState: {
        terminated: {
          exitCode: 1,
          reason: 'Error',
          startedAt: kubeTime(startedAt),
          finishedAt: kubeTime(at),
          // The run that exited: what `kubectl logs` (and --previous) read while the container waits.
          containerID:
            typeof c.containerID === 'string' ? c.containerID : containerId(pod, container, startedAt),
        },
      },
    }),
    false,
    at,
  );
}

/** The restarted container stays up: running again, ready. */
export function recoveredStatus(pod: KubeObject, container: string, at: Date): KubeObject {
  return withContainer(
    pod,
    container,
    (c) => ({
      ...c,
      ready: true,
      started: true,
      containerID: containerId(pod, container, at),
      state: { running: { startedAt: kubeTime(at) } },
    }),
    true,
    at,
  );
}
