import { storeApi } from '../cluster-api.js';
import { PodLifecycle } from '../pod-lifecycle.js';
import { pickNode } from './cluster-node.js';
import { isReady, isTerminating, newPod, ownedBy } from './pods.js';
import { reconcileDeployment } from './rollout-step.js';
import type { LogStore } from './logs.js';
import type { ClusterStore } from './store.js';
import type { KubeObject, WatchEvent } from './types.js';

import { seedDeployment } from './seed.js';
import type { SeededDeployment } from './seed.js';

export { seedDeployment } from './seed.js';
export type { SeedOptions, SeededDeployment } from './seed.js';

export interface DeploymentControllerOptions {
  store: ClusterStore;
  logs: LogStore;
  /** create -> Ready, default 400 */
  podStartMs?: number;
  /** terminating -> gone, default 200 */
  podStopMs?: number;
  /** when a pod's containers start: the simulation loads config and writes startup log lines */
  onPodStarted?: (pod: KubeObject) => void;
  onPodStopped?: (pod: KubeObject) => void;
  now?: () => Date;
}

const MANAGER = 'kube-controller-manager';

function controllerOwner(obj: KubeObject, kind: string): string | undefined {
  const ref = (obj.metadata.ownerReferences ?? []).find(
    (r) => (r as Record<string, unknown>).controller === true && (r as Record<string, unknown>).kind === kind,
  ) as Record<string, unknown> | undefined;
  return typeof ref?.name === 'string' ? ref.name : undefined;
}

/**
 * The deployment and replicaset controllers plus just enough kubelet: pods go Pending -> Running after
 * podStartMs and disappear podStopMs after being marked for deletion. Reconciles on store events, batched
 * per tick so a burst of changes costs one pass.
 */
export class DeploymentController {
  private readonly store: ClusterStore;
  private readonly now: () => Date;
  /** The kubelet's part (pod status, graceful deletion): the same controller the real tier runs. */
  private readonly kubelet: PodLifecycle;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly queue = new Set<string>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();
  private immediate: NodeJS.Immediate | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: DeploymentControllerOptions) {
    this.store = o.store;
    this.now = o.now ?? (() => new Date());
    this.kubelet = new PodLifecycle({
      api: storeApi(o.store),
      logs: o.logs,
      runsOn: () => true,
      podStartMs: o.podStartMs ?? 400,
      podStopMs: o.podStopMs ?? 200,
      now: this.now,
      ...(o.onPodStarted ? { onPodStarted: o.onPodStarted } : {}),
      ...(o.onPodStopped ? { onPodStopped: o.onPodStopped } : {}),
    });
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.subscribe((e) => this.onEvent(e));
    this.kubelet.start();
    for (const d of this.store.list('deployments.apps')) this.enqueue(d.metadata.namespace!, d.metadata.name);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.kubelet.stop();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.deadlines.clear();
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.queue.clear();
  }

  /** seedDeployment with this controller's onPodStarted. */
  seed(deployment: KubeObject, opts: { startedAt?: Date } = {}): SeededDeployment {
    return seedDeployment(this.store, deployment, { ...opts, onPodStarted: this.o.onPodStarted });
  }

  private onEvent(e: WatchEvent): void {
    const ns = e.object.metadata.namespace ?? '';
    if (e.resource.group === 'apps' && e.resource.resource === 'deployments') {
      if (e.type === 'DELETED') this.cascade('replicasets.apps', e.object);
      else this.enqueue(ns, e.object.metadata.name);
    } else if (e.resource.group === 'apps' && e.resource.resource === 'replicasets') {
      if (e.type === 'DELETED') this.cascade('pods', e.object);
      const d = controllerOwner(e.object, 'Deployment');
      if (d) this.enqueue(ns, d);
    } else if (e.resource.group === '' && e.resource.resource === 'pods') {
      const rsName = controllerOwner(e.object, 'ReplicaSet');
      const rs = rsName && this.store.get('replicasets.apps', ns, rsName);
      const d = rs && controllerOwner(rs, 'Deployment');
      if (d) this.enqueue(ns, d);
    }
  }

  /** Background cascading deletion, as the garbage collector does for owned objects. */
  private cascade(res: 'replicasets.apps' | 'pods', owner: KubeObject): void {
    this.later(() => {
      for (const child of this.store.list(res, owner.metadata.namespace)) {
        if (!ownedBy(child, owner)) continue;
        if (res === 'pods') this.terminate(child);
        else this.store.delete(res, child.metadata.namespace, child.metadata.name);
      }
    }, 0);
  }

  private enqueue(namespace: string, name: string): void {
    this.queue.add(`${namespace}/${name}`);
    this.immediate ??= setImmediate(() => this.drain());
  }

  private drain(): void {
    this.immediate = undefined;
    const keys = [...this.queue];
    this.queue.clear();
    for (const key of keys) {
      const [namespace, name] = key.split('/') as [string, string];
      try {
        const deadline = reconcileDeployment(
          { store: this.store, now: this.now(), manager: MANAGER, syncPods: (rs) => this.syncPods(rs) },
          namespace,
          name,
        );
        this.scheduleDeadline(key, deadline);
      } catch (err) {
        // A conflicting write raced us; the event it caused re-queues the key, as a real controller retries.
        process.emitWarning(`deployment controller: ${key}: ${String(err)}`);
      }
    }
  }

  private scheduleDeadline(key: string, deadline: Date | undefined): void {
    const old = this.deadlines.get(key);
    if (old) {
      clearTimeout(old);
      this.timers.delete(old);
      this.deadlines.delete(key);
    }
    if (!deadline) return;
    const [namespace, name] = key.split('/') as [string, string];
    // One second late: the Go controller compares with Before(now), and times have whole seconds.
    const t = this.later(
      () => this.enqueue(namespace, name),
      deadline.getTime() - this.now().getTime() + 1000,
    );
    this.deadlines.set(key, t);
  }

  /** The replicaset controller's job: make the RS's active pods match spec.replicas. Returns them. */
  private syncPods(rs: KubeObject): KubeObject[] {
    const pods = this.store.list('pods', rs.metadata.namespace).filter((p) => ownedBy(p, rs));
    const active = pods.filter((p) => !isTerminating(p));
    const want = Number((rs.spec as Record<string, unknown>)?.replicas ?? 1);
    if (active.length < want) {
      const { nodeName, hostIP } = pickNode(this.store);
      for (let i = active.length; i < want; i++) {
        const pod = this.store.create(newPod(rs, nodeName, hostIP, this.now()), { fieldManager: MANAGER });
        active.push(pod);
      }
    } else if (active.length > want) {
      // Like controller.ActivePods ordering: not-ready and newer pods go first.
      const victims = [...active].sort(deletionRank).slice(0, active.length - want);
      for (const pod of victims) this.terminate(pod);
      return active.filter((p) => !victims.includes(p));
    }
    return active;
  }

  private terminate(pod: KubeObject): void {
    const current = this.store.get('pods', pod.metadata.namespace, pod.metadata.name);
    if (!current || isTerminating(current)) return;
    const grace = Number((current.spec as Record<string, unknown>)?.terminationGracePeriodSeconds ?? 30);
    current.metadata.deletionTimestamp = new Date(this.now().getTime() + grace * 1000)
      .toISOString()
      .replace(/\.\d+Z$/, 'Z');
    current.metadata.deletionGracePeriodSeconds = grace;
    // The kubelet finishes the deletion once the containers stopped.
    this.store.update(current, { fieldManager: MANAGER });
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(
      () => {
        this.timers.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    t.unref();
    this.timers.add(t);
    return t;
  }
}

function deletionRank(a: KubeObject, b: KubeObject): number {
  const score = (p: KubeObject): number => {
    const phase = (p.status as Record<string, unknown> | undefined)?.phase;
    return (phase === 'Running' ? 2 : 0) + (isReady(p) ? 1 : 0);
  };
  return (
    score(a) - score(b) ||
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')
  );
}
