import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { SimClock } from './kubesphere/clock.js';
import { seedKubesphereCluster } from './kubesphere/cluster.js';
import { seedClusterObjects } from './kubesphere/host-clusters.js';
import { InstallerSim } from './kubesphere/installer.js';
import { buildKubeconfig } from './kubesphere/kubeconfig.js';
import { planSandbox } from './kubesphere/plan.js';
import type { MemberSpec, PlannedCluster } from './kubesphere/plan.js';
import { ConsoleTraffic } from './kubesphere/traffic.js';
import { is3x, versionInfo } from './kubesphere/versions.js';
import type { KsVersion } from './kubesphere/versions.js';

export type { KsVersion } from './kubesphere/versions.js';
export { FAULT_KINDS, parseFaultRule } from './apiserver/faults.js';
export type { FaultKind, FaultRule } from './apiserver/faults.js';
export { KS_VERSIONS } from './kubesphere/versions.js';
export type { MemberSpec } from './kubesphere/plan.js';
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
  /** First CrashLoopBackOff delay; default 10000. */
  crashBackoffMs?: number;
  /** ks-apiserver container start to "Start listening" (it serves no request before); default 1500. */
  apiserverBootMs?: number;
  /** Write an hour of past console traffic into the seeded pods' logs; default true. */
  backfill?: boolean;
  /** Faults to inject into the clusters' API responses (see apiserver/faults.ts). */
  faults?: FaultRule[];
  now?: () => Date;
}

export interface SimCluster {
  name: string;
  role: 'host' | 'member';
  url: string;
  caCertPem: string;
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
  /** Run ks-installer on a 3.x cluster now, as a CC change or an installer restart would. */
  rerunInstaller(clusterName: string): void;
  stop(): Promise<void>;
}

interface Running {
  plan: PlannedCluster;
  clock: SimClock;
  store: ClusterStore;
  logs: LogStore;
  sim: ApiserverSim;
  adminToken: string;
  readonlyToken: string;
  server?: RunningApiServer;
  controller?: DeploymentController;
  installer?: InstallerSim;
}

const token = (): string => randomBytes(24).toString('base64url');

/** Starts simulated KubeSphere host and member clusters, each a real HTTPS Kubernetes API on 127.0.0.1. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const plans = planSandbox(opts);
  const base = opts.now ?? (() => new Date());
  const running: Running[] = plans.map((plan) => {
    const clock = new SimClock(base);
    const store = new ClusterStore({ now: clock.now });
    const logs = new LogStore();
    registerBuiltinTypes(store);
    const sim = new ApiserverSim({
      version: plan.version,
      store,
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
    return { plan, clock, store, logs, sim, adminToken: token(), readonlyToken: token() };
  });
  let tempDir: string | undefined;
  const traffic: ConsoleTraffic[] = [];
  const faults = new FaultInjector(opts.faults ?? []);
  const stop = async (): Promise<void> => {
    for (const t of traffic) t.stop();
    for (const r of running) {
      r.controller?.stop();
      r.installer?.stop();
      r.sim.stop();
    }
    await Promise.all(running.map((r) => r.server?.close()));
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };

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
          ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
          faults,
        });
      }),
    );
    const [host, ...members] = running as [Running, ...Running[]];
    const joined = (r: Running) => ({
      name: r.plan.name,
      version: r.plan.version,
      url: r.server!.url,
      caCertPem: r.server!.caCertPem,
      adminToken: r.adminToken,
      kubeSystemUid: r.store.get('namespaces', undefined, 'kube-system')?.metadata.uid ?? '',
      nodeCount: r.store.list('nodes').length,
      connection: r.plan.connection,
      unreachable: r.plan.unreachable,
    });
    const endpoints = seedClusterObjects(
      host.store,
      host.clock,
      host.plan.version,
      joined(host),
      members.map(joined),
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
      r.sim.start();
      if (is3x(r.plan.version)) {
        r.installer = new InstallerSim({
          version: r.plan.version,
          store: r.store,
          now: r.clock.now,
          delayMs: opts.installerDelayMs ?? 10_000,
        });
        r.installer.start();
      }
    }

    const t = new ConsoleTraffic({
      host: {
        name: host.plan.name,
        version: host.plan.version,
        endpointHost: new URL(host.server!.url).host,
        sim: host.sim,
      },
      members: members
        .filter((m) => !m.plan.unreachable)
        .map((m) => ({
          name: m.plan.name,
          version: m.plan.version,
          endpointHost: new URL(endpoints.get(m.plan.name) ?? m.server!.url).host,
          sim: m.sim,
        })),
      now: base,
      intervalMs: opts.trafficIntervalMs ?? 2000,
    });
    traffic.push(t);
    if (opts.backfill !== false) t.backfill();
    t.start();
    let kubeconfigPath = opts.kubeconfigPath;
    if (!kubeconfigPath) {
      tempDir = await mkdtemp(join(tmpdir(), 'ks-restore-sandbox-'));
      kubeconfigPath = join(tempDir, 'kubeconfig');
    }
    const listed = running.filter((r) => r.plan.inKubeconfig);
    const contextOf = (r: Running): string => opts.contextNames?.[r.plan.name] ?? r.plan.name;
    const entries = [
      ...listed.map((r) => ({
        name: contextOf(r),
        server: r.server!.url,
        caCertPem: r.server!.caCertPem,
        token: r.adminToken,
      })),
      ...listed.map((r) => ({
        name: `${contextOf(r)}-readonly`,
        server: r.server!.url,
        caCertPem: r.server!.caCertPem,
        token: r.readonlyToken,
      })),
    ];
    if (new Set(entries.map((e) => e.name)).size !== entries.length)
      throw new Error(
        `contextNames gives two clusters the same context: ${JSON.stringify(opts.contextNames)}`,
      );
    await writeFile(kubeconfigPath, buildKubeconfig(entries, contextOf(host)), { mode: 0o600 });
    await chmod(kubeconfigPath, 0o600);
    return {
      kubeconfigPath,
      contexts: entries.map((e) => e.name),
      faults,
      clusters: running.map((r) => ({
        name: r.plan.name,
        role: r.plan.role,
        url: r.server!.url,
        caCertPem: r.server!.caCertPem,
        store: r.store,
        logs: r.logs,
        ksVersion: r.plan.version,
        scenario: r.plan.scenario,
        connection: r.plan.connection,
        unreachable: r.plan.unreachable,
        context: r.plan.inKubeconfig ? contextOf(r) : null,
      })),
      rerunInstaller(name: string): void {
        const r = running.find((x) => x.plan.name === name);
        if (!r) throw new Error(`no cluster named "${name}" in this sandbox`);
        if (!r.installer)
          throw new Error(`cluster "${name}" runs KubeSphere ${r.plan.version}, which has no ks-installer`);
        r.installer.run();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
