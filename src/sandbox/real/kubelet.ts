import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KubeObject, WatchEvent } from '../cluster-api.js';
import { randomPodIP } from '../apiserver/cluster-node.js';
import type { LogStore } from '../apiserver/logs.js';
import { containerLogSource, parseLogQuery, startLogStream } from '../apiserver/pod-logs.js';
import { runningPod } from '../apiserver/pods.js';
import { kubeTime } from '../apiserver/types.js';
import { createClusterPki } from '../pki.js';
import type { RemoteApi } from './remote-api.js';

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
    hostIP: HOST_IP,
    hostIPs: [{ ip: HOST_IP }],
    startTime: status.startTime ?? kubeTime(now),
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: 'ContainerCreating' } },
      lastState: {},
    })),
  };
}

/**
 * The node side of a real-tier cluster, without containers: schedules unbound pods onto its node, reports them
 * Running and Ready after `podStartMs`, finishes graceful deletions after `podStopMs` (DELETE with grace 0 and a
 * UID precondition, as the kubelet does), and serves `GET /containerLogs/...` from the LogStore over HTTPS,
 * which the API server proxies `kubectl logs` to.
 */
export class FakeKubelet {
  private readonly api: RemoteApi;
  private readonly nodeName: string;
  private readonly logs: LogStore;
  private readonly podStartMs: number;
  private readonly podStopMs: number;
  private readonly onPodStarted?: (pod: KubeObject) => void;
  private readonly onPodStopped?: (pod: KubeObject) => void;
  private readonly kubernetesVersion: string;

  private server?: Server;
  private unsubscribe?: () => void;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly binding = new Set<string>();
  private readonly starting = new Set<string>();
  private readonly stopping = new Set<string>();
  private readonly stopped = new Set<string>();
  private readonly streams = new Set<ServerResponse>();
  private closed = false;

  /** The HTTPS port the Node object advertises (0 before start). */
  port = 0;

  constructor(opts: {
    api: RemoteApi;
    nodeName: string;
    logs: LogStore;
    podStartMs?: number;
    podStopMs?: number;
    onPodStarted?: (pod: KubeObject) => void;
    onPodStopped?: (pod: KubeObject) => void;
    kubernetesVersion: string;
  }) {
    this.api = opts.api;
    this.nodeName = opts.nodeName;
    this.logs = opts.logs;
    this.podStartMs = opts.podStartMs ?? 400;
    this.podStopMs = opts.podStopMs ?? 200;
    if (opts.onPodStarted) this.onPodStarted = opts.onPodStarted;
    if (opts.onPodStopped) this.onPodStopped = opts.onPodStopped;
    this.kubernetesVersion = opts.kubernetesVersion;
  }

  /** Starts the HTTPS server, creates or updates the Node, then takes over the pods (needs `pods` and `nodes` cached). */
  async start(): Promise<void> {
    const pki = createClusterPki(`kubelet-${this.nodeName}`);
    const server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) =>
      this.handle(req, res),
    );
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, HOST_IP, () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    await this.registerNode();
    this.unsubscribe = this.api.subscribe((e) => this.onEvent(e));
    for (const pod of this.api.list('pods')) this.reconcile(pod);
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const res of this.streams) res.end();
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // --- Node ---------------------------------------------------------------------------------------------------

  private nodeStatus(now: Date): Obj {
    const resources = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
    const t = kubeTime(now);
    return {
      addresses: [{ type: 'InternalIP', address: HOST_IP }],
      daemonEndpoints: { kubeletEndpoint: { Port: this.port } },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: t,
          lastTransitionTime: t,
        },
      ],
      capacity: resources,
      allocatable: resources,
      nodeInfo: {
        machineID: randomUUID().replace(/-/g, ''),
        systemUUID: randomUUID(),
        bootID: randomUUID(),
        kernelVersion: '6.1.0-sandbox',
        osImage: 'ks-restore sandbox',
        containerRuntimeVersion: 'containerd://1.7.27',
        kubeletVersion: this.kubernetesVersion,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    };
  }

  private async registerNode(): Promise<void> {
    const now = new Date();
    const existing = this.api.get('nodes', undefined, this.nodeName);
    if (!existing) {
      try {
        await this.api.create({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: this.nodeName,
            labels: {
              'kubernetes.io/hostname': this.nodeName,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/arch': 'amd64',
            },
          },
          // Node create accepts status as given.
          status: this.nodeStatus(now),
        });
        return;
      } catch (err) {
        if (codeOf(err) !== 409) throw err;
        await this.api.waitFor(`Node ${this.nodeName} in the cache`, () =>
          Boolean(this.api.get('nodes', undefined, this.nodeName)),
        );
      }
    }
    for (let attempt = 0; ; attempt++) {
      const node = this.api.get('nodes', undefined, this.nodeName)!;
      try {
        await this.api.update({ ...node, status: this.nodeStatus(now) }, { subresource: 'status' });
        return;
      } catch (err) {
        if (codeOf(err) !== 409 || attempt >= 5) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
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
    if (specOf(pod).nodeName === this.nodeName) this.podStopped(pod);
  }

  private podStopped(pod: KubeObject): void {
    const uid = pod.metadata.uid ?? '';
    if (this.stopped.has(uid)) return;
    this.stopped.add(uid);
    this.logs.deletePod(pod.metadata.namespace ?? '', pod.metadata.name);
    this.onPodStopped?.(pod);
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
      this.api.bind(ns, name, this.nodeName).catch((err: unknown) => {
        // 409: bound meanwhile; 404: deleted meanwhile. Otherwise let a later event try again.
        if (codeOf(err) !== 409 && codeOf(err) !== 404) this.binding.delete(uid);
      });
      return;
    }
    if (nodeName !== this.nodeName) return;
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
        .update({ ...pod, status: pendingStatus(pod, new Date()) }, { subresource: 'status' })
        .catch(() => {
          // A conflict with another status write: the Running write below reads the cache afresh.
        });
    }
    this.later(uid, this.podStartMs, () => void this.run(ns, name, uid, 0));
  }

  private async run(ns: string, name: string, uid: string, attempt: number): Promise<void> {
    const latest = this.api.get('pods', ns, name);
    if (!latest || latest.metadata.uid !== uid || latest.metadata.deletionTimestamp) return;
    if (statusOf(latest).phase === 'Running') return;
    const now = new Date();
    const status = statusOf(latest);
    const names = containerNames(latest, 'containers');
    const prepared: KubeObject = {
      ...latest,
      status: {
        ...status,
        conditions: withConditions(status, now, names),
        hostIP: HOST_IP,
        hostIPs: [{ ip: HOST_IP }],
        startTime: status.startTime ?? kubeTime(now),
      },
    };
    try {
      const written = await this.api.update(runningPod(prepared, randomPodIP(), now), {
        subresource: 'status',
      });
      this.onPodStarted?.(written);
    } catch (err) {
      if (
        this.closed ||
        attempt >= 10 ||
        (codeOf(err) !== 409 && codeOf(err) !== 429 && codeOf(err) !== 500)
      ) {
        if (codeOf(err) !== 404 && !this.closed)
          console.error(`fake kubelet: starting pod ${ns}/${name}:`, err);
        this.starting.delete(uid);
        return;
      }
      // Conflict: the cache lags our own pending write; try again once it caught up.
      this.later(uid, 100, () => void this.run(ns, name, uid, attempt + 1));
    }
  }

  // --- GET /containerLogs/{namespace}/{pod}/{container} --------------------------------------------------------

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const fail = (code: number, message: string): void => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(message);
    };
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const m = /^\/containerLogs(?:\/([^/]*))?(?:\/([^/]*))?(?:\/([^/]*))?\/?$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      fail(404, '404 page not found\n');
      return;
    }
    const [ns, podName, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
    if (!podName) return fail(400, '{"message": "Missing podID."}');
    if (!container) return fail(400, '{"message": "Missing container name."}');
    if (!ns) return fail(400, '{"message": "Missing podNamespace."}');

    const pod = this.api.get('pods', ns, podName);
    if (!pod || specOf(pod).nodeName !== this.nodeName) return fail(404, `pod "${podName}" does not exist`);
    const inSpec = ['containers', 'initContainers', 'ephemeralContainers'].some((f) =>
      containerNames(pod, f).includes(container),
    );
    if (!inSpec) return fail(404, `container "${container}" not found in pod "${podName}"`);

    const q = url.searchParams;
    const flag = (n: string) => q.get(n) === 'true' || q.get(n) === '1';
    const previous = flag('previous');
    if (!q.has('tailLines') && q.has('tail')) q.set('tailLines', q.get('tail')!);
    let lq: ReturnType<typeof parseLogQuery>;
    try {
      lq = parseLogQuery(q, new Date());
    } catch {
      return fail(400, '{"message": "Unable to decode query."}');
    }
    const source = containerLogSource(pod, container, previous);
    if ('error' in source) return fail(400, source.error);

    const lines = this.logs.lines(ns, podName, container, { previous: source.buffer === 'previous' });
    const stream = startLogStream(res, lines, lq);
    // Following a terminated run ends at its last line, as it does for a stopped container.
    if (!flag('follow') || !source.live || stream.exhausted) {
      res.end();
      return;
    }
    const uid = pod.metadata.uid;
    const unsubscribeLogs = this.logs.onAppend((lns, lpod, lcontainer, line) => {
      if (lns === ns && lpod === podName && lcontainer === container && !stream.send(line)) res.end();
    });
    const unsubscribePods = this.api.subscribe((e) => {
      if (e.type === 'DELETED' && e.resource.resource === 'pods' && e.object.metadata.uid === uid) res.end();
    });
    this.streams.add(res);
    const done = (): void => {
      unsubscribeLogs();
      unsubscribePods();
      this.streams.delete(res);
    };
    res.on('close', done);
    res.on('finish', done);
  }
}
