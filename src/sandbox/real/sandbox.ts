import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_TYPES as BUILTIN_TYPES_EMBEDDED } from '../apiserver/builtins.js';
import { FaultInjector } from '../apiserver/faults.js';
import { LogStore } from '../apiserver/logs.js';
import { kubeTime } from '../apiserver/types.js';
import type { KubeObject, ResourceType } from '../apiserver/types.js';
import { assembleSandbox, joinedCluster } from '../assemble.js';
import type { StartedCluster } from '../assemble.js';
import type { Sandbox, SandboxOptions } from '../index.js';
import { ApiserverSim } from '../kubesphere/apiserver-sim.js';
import { offsetClock, SimClock } from '../kubesphere/clock.js';
import { CLUSTER_CONFIGURATION_TYPE, clusterType, crdObject } from '../kubesphere/crds.js';
import { seedClusterObjects } from '../kubesphere/host-clusters.js';
import { planSandbox } from '../kubesphere/plan.js';
import type { PlannedCluster } from '../kubesphere/plan.js';
import { is3x } from '../kubesphere/versions.js';
import type { KsVersion } from '../kubesphere/versions.js';
import { findControlPlane } from './binaries.js';
import { startEtcd, startRealCluster } from './control-plane.js';
import type { RealCluster, StartedEtcd } from './control-plane.js';
import { FakeKubelet } from './kubelet.js';
import { BUILTIN_TYPES, RemoteApi } from './remote-api.js';
import { seedRealCluster } from './seed.js';

const token = (): string => randomBytes(24).toString('base64url');

/** The CRD type as the embedded server registers it: the same resource on both control planes. */
const CRD_TYPE = BUILTIN_TYPES_EMBEDDED.find((t) => t.resource === 'customresourcedefinitions')!;

/** KubeSphere's custom resources on this version: the Cluster CRD, and ClusterConfiguration on 3.x. */
const customTypes = (v: KsVersion): ResourceType[] => [
  clusterType(v),
  ...(is3x(v) ? [CLUSTER_CONFIGURATION_TYPE] : []),
];

/** At most this many clusters start at once: kube-apiserver start-up is CPU-bound. */
const START_CONCURRENCY = 4;

interface RealRunning {
  plan: PlannedCluster;
  clock: SimClock;
  logs: LogStore;
  sim: ApiserverSim;
  adminToken: string;
  readonlyToken: string;
  cluster?: RealCluster;
  api?: RemoteApi;
  kubelet?: FakeKubelet;
}

/**
 * The sandbox on the real control plane: one etcd shared by every cluster (each under its own prefix), and per
 * cluster a kube-apiserver, a kube-controller-manager and the simulated kubelet; the same KubeSphere
 * simulation as the embedded sandbox drives each through the API.
 */
export async function startRealSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const plans = planSandbox(opts);
  const bin = findControlPlane();
  if (opts.faults && opts.faults.length > 0)
    throw new Error('fault injection needs the embedded control plane (--control-plane embedded)');
  const base = opts.now ?? (() => new Date());
  const dir = await mkdtemp(join(tmpdir(), 'ks-restore-cp-'));
  let etcd: StartedEtcd | undefined;
  const running: RealRunning[] = plans.map((plan) => {
    // The simulation's clock only: kube-apiserver's own (its Date header, its timestamps) stays the machine's.
    const clock = new SimClock(offsetClock(base, plan.clockOffsetMs));
    const logs = new LogStore();
    return {
      plan,
      clock,
      logs,
      adminToken: token(),
      readonlyToken: token(),
      sim: undefined as unknown as ApiserverSim,
    };
  });
  const stopPlane = async (): Promise<void> => {
    await Promise.all(running.map((r) => r.kubelet?.stop()));
    for (const r of running) r.api?.stop();
    await Promise.all(running.map((r) => r.cluster?.stop()));
    await etcd?.stop();
    // KS_RESTORE_KEEP_CONTROL_PLANE=1 keeps the components' logs and data for a post-mortem.
    if (process.env.KS_RESTORE_KEEP_CONTROL_PLANE)
      process.stderr.write(`control plane files kept in ${dir}\n`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    etcd = await startEtcd({ bin, dir: join(dir, 'etcd') });
    const shared = etcd;
    await inBatches(running, START_CONCURRENCY, async (r) => {
      const v = r.plan.version;
      r.cluster = await startRealCluster({
        bin,
        etcd: shared,
        name: r.plan.name,
        dir: join(dir, r.plan.name),
        adminToken: r.adminToken,
        readonlyToken: r.readonlyToken,
        ...(opts.latencyMs ? { latencyMs: opts.latencyMs } : {}),
      });
      // The simulation talks to the API server directly; --latency delays only what clients see.
      const conn = { url: r.cluster.directUrl, caCertPem: r.cluster.caCertPem, token: r.adminToken };
      await installCrds(conn, customTypes(v));
      const api = new RemoteApi({
        ...conn,
        types: [...Object.values(BUILTIN_TYPES), ...customTypes(v)],
      });
      r.api = api;
      await api.start();
      r.sim = new ApiserverSim({
        version: v,
        api,
        logs: r.logs,
        now: r.clock.now,
        hotReloadMs: opts.hotReloadMs ?? 60_000,
        crashBackoffMs: opts.crashBackoffMs ?? 10_000,
        bootMs: opts.apiserverBootMs ?? 1500,
      });
      r.kubelet = new FakeKubelet({
        api,
        nodeName: 'node1',
        logs: r.logs,
        kubernetesVersion: bin.version,
        onPodStarted: r.sim.onPodStarted,
        onPodStopped: r.sim.onPodStopped,
        ...(opts.podStartMs === undefined ? {} : { podStartMs: opts.podStartMs }),
        ...(opts.podStopMs === undefined ? {} : { podStopMs: opts.podStopMs }),
      });
      await r.kubelet.start();
      await seedRealCluster({ api, version: v, role: r.plan.role, state: r.plan.state });
      if (process.env.KS_RESTORE_DEBUG) process.stderr.write(`real control plane: ${r.plan.name} seeded\n`);
    });

    const started: StartedCluster[] = running.map((r) => ({
      plan: r.plan,
      clock: r.clock,
      api: r.api!,
      store: undefined,
      logs: r.logs,
      sim: r.sim,
      url: r.cluster!.url,
      caCertPem: r.cluster!.caCertPem,
      adminToken: r.adminToken,
      readonlyToken: r.readonlyToken,
    }));
    const [host, ...members] = started as [StartedCluster, ...StartedCluster[]];
    const writes: Promise<KubeObject>[] = [];
    const endpoints = seedClusterObjects(
      // A real API server stamps creation itself; the conditions keep their historical times.
      (obj) => {
        const meta = { ...obj.metadata };
        delete meta.creationTimestamp;
        writes.push(host.api.create({ ...obj, metadata: meta }, { fieldManager: 'controller-manager' }));
      },
      host.clock,
      host.plan.version,
      joinedCluster(host),
      members.map(joinedCluster),
    );
    await Promise.all(writes);
    const hostApi = running[0]!.api!;
    const clusters = clusterType(host.plan.version);
    await hostApi.waitFor('the host Cluster objects in the cache', () =>
      members.every(
        (m) => hostApi.get(`${clusters.resource}.${clusters.group}`, undefined, m.plan.name) !== undefined,
      ),
    );
    // Joined while it was up; now nothing listens on its port.
    await Promise.all(
      running
        .filter((r) => r.plan.unreachable)
        .map(async (r) => {
          await r.kubelet?.stop();
          r.api?.stop();
          await r.cluster?.stop();
        }),
    );
    return await assembleSandbox(
      started,
      endpoints,
      { ...opts, controlPlane: 'real' },
      new FaultInjector([]),
      stopPlane,
    );
  } catch (err) {
    for (const r of running) r.sim?.stop();
    await stopPlane();
    throw err;
  }
}

/** Creates KubeSphere's CRDs and waits until the API server serves them (Established). */
async function installCrds(
  conn: { url: string; caCertPem: string; token: string },
  types: ResourceType[],
): Promise<void> {
  const crds = new RemoteApi({ ...conn, types: [CRD_TYPE] });
  await crds.start();
  try {
    const now = kubeTime(new Date());
    for (const t of types) {
      const crd = crdObject(t, now);
      delete crd.status;
      delete crd.metadata.creationTimestamp;
      await crds.create(crd, { fieldManager: 'kubectl-client-side-apply' });
    }
    const established = (name: string): boolean => {
      const status = crds.get('customresourcedefinitions.apiextensions.k8s.io', undefined, name)?.status as
        { conditions?: { type: string; status: string }[] } | undefined;
      return (status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
    };
    await crds.waitFor('KubeSphere CRDs established', () =>
      types.every((t) => established(`${t.resource}.${t.group}`)),
    );
  } finally {
    crds.stop();
  }
}

async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        try {
          await fn(item);
        } catch (err) {
          errors.push(err);
          return;
        }
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
}
