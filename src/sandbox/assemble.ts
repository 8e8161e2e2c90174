import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterStore } from './apiserver/store.js';
import type { LogStore } from './apiserver/logs.js';
import type { FaultInjector } from './apiserver/faults.js';
import type { ClusterApi } from './cluster-api.js';
import type { ApiserverSim } from './kubesphere/apiserver-sim.js';
import type { SimClock } from './kubesphere/clock.js';
import type { JoinedCluster } from './kubesphere/host-clusters.js';
import { ClusterNameSync } from './kubesphere/cluster-name-sync.js';
import { InstallerSim } from './kubesphere/installer.js';
import { KsCoreControllerSim } from './kubesphere/ks-core-controller.js';
import { buildKubeconfig } from './kubesphere/kubeconfig.js';
import type { PlannedCluster } from './kubesphere/plan.js';
import { ConsoleTraffic } from './kubesphere/traffic.js';
import { is3x, versionInfo } from './kubesphere/versions.js';
import type { Sandbox, SandboxOptions, SimCluster } from './index.js';

/** One started cluster, whichever control plane runs it, seeded and ready for the simulation to start. */
export interface StartedCluster {
  plan: PlannedCluster;
  clock: SimClock;
  api: ClusterApi;
  /** The embedded API server's store (undefined on the real control plane). */
  store: ClusterStore | undefined;
  logs: LogStore;
  sim: ApiserverSim;
  url: string;
  caCertPem: string;
  adminToken: string;
  readonlyToken: string;
  installer?: InstallerSim;
}

/** A cluster as the host joined it: what its Cluster object on the host records. */
export function joinedCluster(r: StartedCluster): JoinedCluster {
  return {
    name: r.plan.name,
    version: r.plan.version,
    url: r.url,
    caCertPem: r.caCertPem,
    adminToken: r.adminToken,
    kubeSystemUid: r.api.get('namespaces', undefined, 'kube-system')?.metadata.uid ?? '',
    nodeCount: r.api.list('nodes').length,
    connection: r.plan.connection,
    unreachable: r.plan.unreachable,
  };
}

/**
 * What both control planes share once their clusters are seeded: the ks-apiserver processes and ks-installer
 * start watching, the host's console traffic starts, the kubeconfig is written. `stopPlane` stops what the
 * control plane started; the returned stop() stops the simulation first.
 */
export async function assembleSandbox(
  running: StartedCluster[],
  endpoints: Map<string, string>,
  opts: SandboxOptions & { controlPlane: 'embedded' | 'real' },
  faults: FaultInjector,
  stopPlane: () => Promise<void>,
): Promise<Sandbox> {
  const traffic: ConsoleTraffic[] = [];
  let ksCore: KsCoreControllerSim | undefined;
  let tempDir: string | undefined;
  let clusterNames: ClusterNameSync | undefined;
  const stop = async (): Promise<void> => {
    for (const t of traffic) t.stop();
    clusterNames?.stop();
    ksCore?.stop();
    for (const r of running) {
      r.installer?.stop();
      r.sim.stop();
    }
    await stopPlane();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
  try {
    for (const r of running) {
      r.sim.start();
      if (is3x(r.plan.version)) {
        r.installer = new InstallerSim({
          version: r.plan.version,
          api: r.api,
          now: r.clock.now,
          delayMs: opts.installerDelayMs ?? 10_000,
        });
        r.installer.start();
      }
    }
    const [host, ...members] = running as [StartedCluster, ...StartedCluster[]];
    if (versionInfo(host.plan.version).clusterNameSync) {
      // The 3.3/3.4 host's cluster controller re-encodes the files of the 3.3/3.4 clusters it reaches.
      const synced = running.filter(
        (r) => versionInfo(r.plan.version).clusterNameSync && !r.plan.unreachable,
      );
      clusterNames = new ClusterNameSync({
        clusters: synced.map((r) => ({ name: r.plan.name, api: r.api })),
        resyncMs: opts.clusterResyncMs ?? 10_000,
      });
      clusterNames.start();
    }
    if (host.plan.version === '4.1') {
      // The 4.1 host's cluster controller reinstalls ks-core on the 4.1 members it reaches, when it must.
      const reached = members.filter((m) => m.plan.version === '4.1' && !m.plan.unreachable);
      ksCore = new KsCoreControllerSim({
        host: host.api,
        members: new Map(reached.map((m) => [m.plan.name, m.api])),
        now: host.clock.now,
        delayMs: opts.installerDelayMs ?? 10_000,
      });
      ksCore.start();
    }
    const t = new ConsoleTraffic({
      host: {
        name: host.plan.name,
        version: host.plan.version,
        endpointHost: new URL(host.url).host,
        sim: host.sim,
        clockOffsetMs: host.plan.clockOffsetMs,
      },
      members: members
        .filter((m) => !m.plan.unreachable)
        .map((m) => ({
          name: m.plan.name,
          version: m.plan.version,
          endpointHost: new URL(endpoints.get(m.plan.name) ?? m.url).host,
          sim: m.sim,
          clockOffsetMs: m.plan.clockOffsetMs,
        })),
      now: opts.now ?? (() => new Date()),
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
    const contextOf = (r: StartedCluster): string => opts.contextNames?.[r.plan.name] ?? r.plan.name;
    const entries = [
      ...listed.map((r) => ({
        name: contextOf(r),
        server: r.url,
        caCertPem: r.caCertPem,
        token: r.adminToken,
      })),
      ...listed.map((r) => ({
        name: `${contextOf(r)}-readonly`,
        server: r.url,
        caCertPem: r.caCertPem,
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
      controlPlane: opts.controlPlane,
      clusters: running.map((r) => simCluster(r, r.plan.inKubeconfig ? contextOf(r) : null)),
      async rerunInstaller(name: string): Promise<void> {
        const r = running.find((x) => x.plan.name === name);
        if (!r) throw new Error(`no cluster named "${name}" in this sandbox`);
        if (!r.installer)
          throw new Error(`cluster "${name}" runs KubeSphere ${r.plan.version}, which has no ks-installer`);
        await r.installer.run();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function simCluster(r: StartedCluster, context: string | null): SimCluster {
  const { store } = r;
  return {
    name: r.plan.name,
    role: r.plan.role,
    url: r.url,
    caCertPem: r.caCertPem,
    api: r.api,
    get store(): ClusterStore {
      if (!store)
        throw new Error(
          `cluster "${r.plan.name}" runs on the real control plane, which has no embedded store: use .api`,
        );
      return store;
    },
    logs: r.logs,
    ksVersion: r.plan.version,
    scenario: r.plan.scenario,
    connection: r.plan.connection,
    unreachable: r.plan.unreachable,
    context,
  };
}
