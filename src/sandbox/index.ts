import { randomBytes } from 'node:crypto';
import {
  ClusterStore,
  DeploymentController,
  LogStore,
  registerBuiltinTypes,
  startApiServer,
} from './apiserver/index.js';
import type { RunningApiServer } from './apiserver/index.js';
import { FaultInjector } from './apiserver/faults.js';
import type { FaultRule } from './apiserver/faults.js';
import { ApiserverSim } from './kubesphere/apiserver-sim.js';
import { offsetClock, SimClock } from './kubesphere/clock.js';
import { seedKubesphereCluster } from './kubesphere/cluster.js';
import { seedClusterObjects } from './kubesphere/host-clusters.js';
import { planSandbox } from './kubesphere/plan.js';
import type { MemberSpec } from './kubesphere/plan.js';
import { versionInfo } from './kubesphere/versions.js';
import type { KsVersion } from './kubesphere/versions.js';
import { kubeTime } from './apiserver/types.js';
import { assembleSandbox, joinedCluster } from './assemble.js';
import type { StartedCluster } from './assemble.js';
import { storeApi } from './cluster-api.js';
import type { ClusterApi } from './cluster-api.js';

export type { KsVersion } from './kubesphere/versions.js';
export { FAULT_KINDS, parseFaultRule } from './apiserver/faults.js';
export type { FaultKind, FaultRule } from './apiserver/faults.js';
export { KS_VERSIONS } from './kubesphere/versions.js';
export type { MemberSpec } from './kubesphere/plan.js';
export type { ClusterApi } from './cluster-api.js';
export { SCENARIOS, DEFAULT_SCENARIO } from './kubesphere/scenarios.js';
export { fleetVersions, MIXED, mixedFleet } from './kubesphere/fleet.js';

export interface SandboxOptions {
  /** KubeSphere release of the host, and of members without their own. Default '3.4'. */
  ksVersion?: KsVersion;
  /** Scenario of the host, and of members without their own. Default 'token-cache'. */
  scenario?: string;
  /** A count (named `member`, or `member-1`…) or one spec per member. Default 1. */
  members?: number | MemberSpec[];
  /**
   * Context names in the written kubeconfig, by cluster name (default: the cluster's own name; `<context>-readonly`
   * follows). E.g. `{ alpha: 'alpha-prod', beta: 'alpha' }`: a context named like Cluster alpha that points at beta.
   */
  contextNames?: Record<string, string>;
  /** Where to write the kubeconfig (mode 0600); default a new temp directory, removed by stop(). */
  kubeconfigPath?: string;
  latencyMs?: number;
  /** Pod creation to Ready (default 400) and termination to gone (default 200). */
  podStartMs?: number;
  podStopMs?: number;
  /** Console traffic from the host to every cluster; default 2000, 0 disables it. */
  trafficIntervalMs?: number;
  /** 3.3/3.4: ConfigMap change to ks-apiserver reload (kubelet propagation); default 60000. */
  hotReloadMs?: number;
  /** 3.x: CC change or installer restart to the re-rendered ConfigMap; default 10000. */
  installerDelayMs?: number;
  /** 3.3/3.4 host: a kubesphere-config without the Cluster's name to the cluster controller's rewrite; default 10000. */
  clusterResyncMs?: number;
  /** First CrashLoopBackOff delay; default 10000. */
  crashBackoffMs?: number;
  /** ks-apiserver container start to "Start listening" (it serves no request before); default 1500. */
  apiserverBootMs?: number;
  /** Write an hour of past console traffic into the seeded pods' logs; default true. */
  backfill?: boolean;
  /** Faults to inject into the clusters' API responses (see apiserver/faults.ts); embedded only. */
  faults?: FaultRule[];
  now?: () => Date;
  /**
   * 'embedded' (default): each cluster is this package's own API server, on loopback, needing nothing but Node.
   * 'real': each cluster is a real etcd + kube-apiserver + kube-controller-manager built from Kubernetes' Go
   * modules (`npm run build:control-plane`), with the same KubeSphere simulation driving it through the API.
   */
  controlPlane?: 'embedded' | 'real';
}

export interface SimCluster {
  name: string;
  role: 'host' | 'member';
  url: string;
  caCertPem: string;
  /** The cluster through the Kubernetes API, as the simulation sees it (both control planes). */
  api: ClusterApi;
  /** The embedded API server's store; the real control plane has none (reading it throws). */
  store: ClusterStore;
  logs: LogStore;
  ksVersion: KsVersion;
  scenario: string;
  /** How the host's Cluster object says it is connected (the host itself: direct). */
  connection: 'direct' | 'proxy';
  /** Its API server was closed after start-up: connecting is refused. */
  unreachable: boolean;
  /** Its context in the written kubeconfig, or null when there is none (proxy, noContext). */
  context: string | null;
}

export interface Sandbox {
  kubeconfigPath: string;
  contexts: string[];
  clusters: SimCluster[];
  /** The injected faults and every request the clusters received (cluster, method, path). */
  faults: FaultInjector;
  /** Which control plane runs the clusters. */
  controlPlane: 'embedded' | 'real';
  /** Run ks-installer on a 3.x cluster now, as a CC change or an installer restart would; settles after its writes. */
  rerunInstaller(clusterName: string): Promise<void>;
  stop(): Promise<void>;
}

const token = (): string => randomBytes(24).toString('base64url');

/**
 * Starts simulated KubeSphere host and member clusters, each a real HTTPS Kubernetes API on 127.0.0.1: this
 * package's own API server (default), or a real kube-apiserver (`controlPlane: 'real'`).
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  if (opts.controlPlane === 'real') {
    const { startRealSandbox } = await import('./real/sandbox.js');
    return startRealSandbox(opts);
  }
  const plans = planSandbox(opts);
  const base = opts.now ?? (() => new Date());
  const running = plans.map((plan) => {
    const clock = new SimClock(offsetClock(base, plan.clockOffsetMs));
    const store = new ClusterStore({ now: clock.now });
    const logs = new LogStore();
    registerBuiltinTypes(store);
    const api = storeApi(store);
    const sim = new ApiserverSim({
      version: plan.version,
      api,
      logs,
      now: clock.now,
      hotReloadMs: opts.hotReloadMs ?? 60_000,
      crashBackoffMs: opts.crashBackoffMs ?? 10_000,
      bootMs: opts.apiserverBootMs ?? 1500,
    });
    seedKubesphereCluster({
      store,
      clock,
      version: plan.version,
      role: plan.role,
      state: plan.state,
      onPodStarted: sim.onPodStarted,
    });
    return {
      plan,
      clock,
      store,
      api,
      logs,
      sim,
      adminToken: token(),
      readonlyToken: token(),
      server: undefined as RunningApiServer | undefined,
      controller: undefined as DeploymentController | undefined,
    };
  });
  const faults = new FaultInjector(opts.faults ?? []);
  const stopPlane = async (): Promise<void> => {
    for (const r of running) r.controller?.stop();
    await Promise.all(running.map((r) => r.server?.close()));
  };
  let started: StartedCluster[];
  let endpoints: Map<string, string>;
  try {
    await Promise.all(
      running.map(async (r) => {
        r.server = await startApiServer({
          name: r.plan.name,
          store: r.store,
          logs: r.logs,
          adminToken: r.adminToken,
          readonlyToken: r.readonlyToken,
          kubernetesVersion: versionInfo(r.plan.version).kubernetesVersion,
          // Its nodes' clock: Date headers, log windows and ages (skewed in the clock-skew scenario).
          now: r.clock.now,
          ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
          faults,
        });
      }),
    );
    started = running.map((r) => ({ ...r, url: r.server!.url, caCertPem: r.server!.caCertPem }));
    const [host, ...members] = started as [StartedCluster, ...StartedCluster[]];
    const hostStore = host.store!;
    endpoints = seedClusterObjects(
      (obj, at) =>
        host.clock.at(at, () =>
          hostStore.create(
            { ...obj, metadata: { ...obj.metadata, creationTimestamp: kubeTime(at) } },
            { fieldManager: 'controller-manager' },
          ),
        ),
      host.clock,
      host.plan.version,
      joinedCluster(host),
      members.map(joinedCluster),
    );
    // Joined while it was up; now nothing listens on its port.
    await Promise.all(running.filter((r) => r.plan.unreachable).map((r) => r.server!.close()));
    for (const r of running) {
      r.controller = new DeploymentController({
        store: r.store,
        logs: r.logs,
        now: r.clock.now,
        onPodStarted: r.sim.onPodStarted,
        onPodStopped: r.sim.onPodStopped,
        ...(opts.podStartMs === undefined ? {} : { podStartMs: opts.podStartMs }),
        ...(opts.podStopMs === undefined ? {} : { podStopMs: opts.podStopMs }),
      });
      r.controller.start();
    }
  } catch (err) {
    for (const r of running) r.sim.stop();
    await stopPlane();
    throw err;
  }
  return assembleSandbox(started, endpoints, { ...opts, controlPlane: 'embedded' }, faults, stopPlane);
}
