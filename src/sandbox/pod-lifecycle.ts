import { randomPodIP } from './apiserver/cluster-node.js';
import type { LogStore } from './apiserver/logs.js';
import { creatingContainerStatuses, runningPod } from './apiserver/pods.js';
import { kubeTime } from './apiserver/types.js';
import type { ClusterApi, KubeObject, WatchEvent } from './cluster-api.js';

type Obj = Record<string, unknown>;

const HOST_IP = '127.0.0.1';
const POD_CONDITIONS = ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

const specOf = (pod: KubeObject): Obj => (pod.spec ?? {}) as Obj;
const statusOf = (pod: KubeObject): Obj => (pod.status ?? {}) as Obj;
const containerNames = (pod: KubeObject, field: string): string[] =>
  ((specOf(pod)[field] ?? []) as Obj[]).map((c) => String(c.name));
const codeOf = (err: unknown): number | undefined => (err as { code?: number } | undefined)?.code;

/** Adds the conditions a kubelet reports that the pod lacks (False), keeping those it has. */
function withConditions(status: Obj, now: Date, names: string[]): Obj[] {
  const have = ((status.conditions ?? []) as Obj[]).filter(Boolean);
  const missing = POD_CONDITIONS.filter((t) => !have.some((c) => c.type === t)).map((type) => {
    const ok = type === 'Initialized' || type === 'PodScheduled';
    return {
      type,
      status: ok ? 'True' : 'False',
      lastProbeTime: null,
      lastTransitionTime: kubeTime(now),
      ...(ok
        ? {}
        : { reason: 'ContainersNotReady', message: `containers with unready status: [${names.join(' ')}]` }),
    };
  });
  return [...have, ...missing];
}

/** What the kubelet writes right after admitting a pod: Pending, containers waiting in ContainerCreating. */
function pendingStatus(pod: KubeObject, now: Date): Obj {
  const status = statusOf(pod);
  const containers = (specOf(pod).containers ?? []) as Obj[];
  return {
    ...status,
    phase: 'Pending',
    conditions: withConditions(
      status,
      now,
      containers.map((c) => String(c.name)),
    ),
    hostIP: status.hostIP ?? HOST_IP,
    hostIPs: status.hostIPs ?? [{ ip: HOST_IP }],
    startTime: status.startTime ?? kubeTime(now),
    containerStatuses: creatingContainerStatuses(pod),
  };
}

export interface PodLifecycleOptions {
  api: ClusterApi;
  /** The kubelet's container logs: a stopped pod's are dropped. */
  logs: LogStore;
  /** Whether a pod on this node is this kubelet's to run. */
  runsOn: (nodeName: string) => boolean;
  /** The scheduler's part, where there is no scheduler: bind a pod with no node (real tier). */
  schedule?: (namespace: string, name: string) => Promise<void>;
  /** create -> Ready, default 400 */
  podStartMs?: number;
  /** terminating -> gone, default 200 */
  podStopMs?: number;
  /** When a pod's containers start: the simulation loads config and writes startup log lines. */
  onPodStarted?: (pod: KubeObject) => void;
  onPodStopped?: (pod: KubeObject) => void;
  now?: () => Date;
}

/**
 * The kubelet's part of a pod's life, as a controller through the Kubernetes API, the same code on both
 * control planes: it reports a new pod's containers running (Pending, then Running and Ready through
 * `pods/status` after `podStartMs`), and finishes a graceful deletion (`DELETE` with grace period 0 and a UID
 * precondition, `podStopMs` after the deletionTimestamp appears). It writes the status only of a pod that never
 * ran: the simulation owns the status of running containers (restarts, crash loops).
 */
export class PodLifecycle {
  private readonly api: ClusterApi;
  private readonly logs: LogStore;
  private readonly podStartMs: number;
  private readonly podStopMs: number;
  private readonly now: () => Date;
  private unsubscribe?: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly binding = new Set<string>();
  private readonly starting = new Set<string>();
  private readonly stopping = new Set<string>();
  private readonly stopped = new Set<string>();
  private closed = false;

  constructor(private readonly o: PodLifecycleOptions) {
    this.api = o.api;
    this.logs = o.logs;
    this.podStartMs = o.podStartMs ?? 400;
    this.podStopMs = o.podStopMs ?? 200;
    this.now = o.now ?? (() => new Date());
  }

  start(): void {
    this.closed = false;
    this.unsubscribe ??= this.api.subscribe((e) => this.onEvent(e));
    for (const pod of this.api.list('pods')) this.reconcile(pod);
  }

  stop(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  // --- pods ---------------------------------------------------------------------------------------------------

  private onEvent(e: WatchEvent): void {
    if (this.closed || e.resource.group !== '' || e.resource.resource !== 'pods') return;
    if (e.type === 'DELETED') this.forget(e.object);
    else this.reconcile(e.object);
  }

  private later(uid: string, ms: number, fn: () => void): void {
    clearTimeout(this.timers.get(uid));
    this.timers.set(
      uid,
      setTimeout(() => {
        this.timers.delete(uid);
        if (!this.closed) fn();
      }, ms),
    );
  }

  /** The pod is gone from the API: it stopped, whoever deleted it. */
  private forget(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    clearTimeout(this.timers.get(uid));
    this.timers.delete(uid);
    this.binding.delete(uid);
    this.starting.delete(uid);
    this.stopping.delete(uid);
    const node = specOf(pod).nodeName;
    if (typeof node === 'string' && this.o.runsOn(node)) this.podStopped(pod);
  }

  private podStopped(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    if (this.stopped.has(uid)) return;
    this.stopped.add(uid);
    this.logs.deletePod(pod.metadata.namespace ?? '', pod.metadata.name);
    this.o.onPodStopped?.(pod);
  }

  private reconcile(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? '';
    const name = pod.metadata.name;
    const nodeName = specOf(pod).nodeName;
    if (this.stopped.has(uid)) return;
    if (!nodeName) {
      // The scheduler's part: one node, so every pending pod lands here.
      if (pod.metadata.deletionTimestamp || this.binding.has(uid)) return;
      this.binding.add(uid);
      const schedule = this.o.schedule;
      if (!schedule) return;
      schedule(ns, name).catch((err: unknown) => {
        // 409: bound meanwhile; 404: deleted meanwhile. Otherwise let a later event try again.
        if (codeOf(err) !== 409 && codeOf(err) !== 404) this.binding.delete(uid);
      });
      return;
    }
    if (typeof nodeName !== 'string' || !this.o.runsOn(nodeName)) return;
    if (pod.metadata.deletionTimestamp) {
      if (this.stopping.has(uid)) return;
      this.stopping.add(uid);
      this.starting.delete(uid);
      this.later(uid, this.podStopMs, () => {
        this.api
          .delete('pods', ns, name, { gracePeriodSeconds: 0, uid })
          .then(() => this.podStopped(pod))
          .catch((err: unknown) => {
            // 409: the name now holds another pod (precondition failed). Anything else: retry on the next event.
            if (codeOf(err) !== 409) this.stopping.delete(uid);
          });
      });
      return;
    }
    const phase = statusOf(pod).phase;
    // Only a pod that never ran: the simulation owns the status of running containers (restarts, crash loops).
    if ((phase !== undefined && phase !== 'Pending') || this.starting.has(uid)) return;
    this.starting.add(uid);
    if (!statusOf(pod).containerStatuses) {
      this.api
        .update({ ...pod, status: pendingStatus(pod, this.now()) }, { subresource: 'status' })
        .catch(() => {
          // A conflict with another status write: the Running write below reads the cache afresh.
        });
    }
    this.later(uid, this.podStartMs, () => void this.run(ns, name, uid, 0));
  }

  private async run(ns: string, name: string, uid: string, attempt: number): Promise<void> {
    const latest = this.api.get('pods', ns, name);
    if (!latest || latest.metadata.uid !== uid || latest.metadata.deletionTimestamp) return;
    if (statusOf(latest).phase === 'Running') {
      // Only this controller reports a pod Running, so an earlier attempt's write landed though its answer was
      // lost (a timeout or a reset after the commit, as a loaded API server gives): the containers did start.
      if (attempt > 0) this.o.onPodStarted?.(latest);
      return;
    }
    const now = this.now();
    const status = statusOf(latest);
    const names = containerNames(latest, 'containers');
    const prepared: KubeObject = {
      ...latest,
      status: {
        ...status,
        conditions: withConditions(status, now, names),
        hostIP: status.hostIP ?? HOST_IP,
        hostIPs: status.hostIPs ?? [{ ip: HOST_IP }],
        startTime: status.startTime ?? kubeTime(now),
      },
    };
    try {
      const written = await this.api.update(runningPod(prepared, randomPodIP(), now), {
        subresource: 'status',
      });
      this.o.onPodStarted?.(written);
    } catch (err) {
      // 404: the pod is gone. A 4xx other than a conflict or a throttle will not pass on a retry.
      const code = codeOf(err);
      const permanent = code !== undefined && code >= 400 && code < 500 && code !== 409 && code !== 429;
      if (this.closed || permanent) {
        if (code !== 404 && !this.closed) console.error(`kubelet: starting pod ${ns}/${name}:`, err);
        this.starting.delete(uid);
        return;
      }
      // A conflict (the cache lags our own pending write), a throttle, a 5xx or a lost connection, as happens
      // on a loaded machine: a kubelet keeps syncing the pod until it runs, so try again, backing off to 1 s.
      this.later(uid, Math.min(100 * (attempt + 1), 1000), () => void this.run(ns, name, uid, attempt + 1));
    }
  }
}
