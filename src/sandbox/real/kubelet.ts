import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../cluster-api.js';
import type { LogStore } from '../apiserver/logs.js';
import { containerLogSource, parseLogQuery, startLogStream } from '../apiserver/pod-logs.js';
import { kubeTime } from '../apiserver/types.js';
import { createClusterPki } from '../pki.js';
import { PodLifecycle } from '../pod-lifecycle.js';
import type { RemoteApi } from './remote-api.js';

type Obj = Record<string, unknown>;

const HOST_IP = '127.0.0.1';

const specOf = (pod: KubeObject): Obj => (pod.spec ?? {}) as Obj;
const containerNames = (pod: KubeObject, field: string): string[] =>
  ((specOf(pod)[field] ?? []) as Obj[]).map((c) => String(c.name));
const codeOf = (err: unknown): number | undefined => (err as { code?: number } | undefined)?.code;

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
  private readonly kubernetesVersion: string;

  private server?: Server;
  private readonly lifecycle: PodLifecycle;
  private readonly streams = new Set<ServerResponse>();

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
    this.kubernetesVersion = opts.kubernetesVersion;
    // The pods' lives: the same controller the embedded sandbox runs; here it also binds unscheduled pods.
    this.lifecycle = new PodLifecycle({
      api: opts.api,
      logs: opts.logs,
      runsOn: (node) => node === opts.nodeName,
      schedule: (ns, name) => opts.api.bind(ns, name, opts.nodeName),
      podStartMs: opts.podStartMs ?? 400,
      podStopMs: opts.podStopMs ?? 200,
      ...(opts.onPodStarted ? { onPodStarted: opts.onPodStarted } : {}),
      ...(opts.onPodStopped ? { onPodStopped: opts.onPodStopped } : {}),
    });
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
    this.lifecycle.start();
  }

  async stop(): Promise<void> {
    this.lifecycle.stop();
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
