import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeReal } from '../helpers/real-tier.js';
import { LogStore } from '../../src/sandbox/apiserver/logs.js';
import type { KubeObject } from '../../src/sandbox/cluster-api.js';
import {
  BUILTIN_TYPES,
  ControlPlaneMissingError,
  FakeKubelet,
  RemoteApi,
  findControlPlane,
  startEtcd,
  startRealCluster,
} from '../../src/sandbox/real/index.js';
import type { ControlPlaneBinaries, RealCluster, StartedEtcd } from '../../src/sandbox/real/index.js';

// The real tier needs binaries built from Kubernetes' Go modules; without them it is skipped, visibly (the
// one line comes from test/real-tier-setup.ts).
let bin: ControlPlaneBinaries | undefined;
try {
  bin = findControlPlane();
} catch (err) {
  if (!(err instanceof ControlPlaneMissingError)) throw err;
}

type Obj = Record<string, unknown>;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(kubeconfig: string, args: string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', kubeconfig, ...args],
      { timeout: timeoutMs, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function writeKubeconfig(path: string, cluster: RealCluster, user: string, token: string): string {
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: cluster.name,
          cluster: {
            server: cluster.url,
            'certificate-authority-data': Buffer.from(cluster.caCertPem).toString('base64'),
          },
        },
      ],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: user, context: { cluster: cluster.name, user, namespace: 'demo' } }],
      'current-context': user,
    }),
  );
  return path;
}

/** RSS in MiB of our own processes whose command line mentions `dir`, by binary name. */
function rssOf(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const ps = execFileSync('ps', ['-eo', 'rss=,args='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)(.*)$/.exec(line);
    if (!m || !line.includes(dir)) continue;
    const name = m[2]!.split('/').pop()!;
    out[name] = (out[name] ?? 0) + Math.round(Number(m[1]) / 1024);
  }
  return out;
}

const podsOf = (api: RemoteApi, ns: string, app: string): KubeObject[] =>
  api.list('pods', ns).filter((p) => p.metadata.labels?.app === app);

describeReal('real control plane (etcd, kube-apiserver, kube-controller-manager, fake kubelet)', () => {
  const NS = 'demo';
  let dir: string;
  let etcd: StartedEtcd | undefined;
  let cluster: RealCluster | undefined;
  let api: RemoteApi | undefined;
  let kubelet: FakeKubelet | undefined;
  const logs = new LogStore();
  const started: KubeObject[] = [];
  const stopped: KubeObject[] = [];
  let admin: string;
  let readonly: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-real-'));
    const t0 = Date.now();
    etcd = await startEtcd({ bin: bin!, dir: join(dir, 'etcd') });
    const t1 = Date.now();
    cluster = await startRealCluster({
      bin: bin!,
      etcd,
      name: 'host',
      dir: join(dir, 'host'),
      adminToken: 'admin-token-0123456789',
      readonlyToken: 'readonly-token-0123456789',
    });
    const t2 = Date.now();
    api = new RemoteApi({
      url: cluster.url,
      caCertPem: cluster.caCertPem,
      token: cluster.adminToken,
      types: Object.values(BUILTIN_TYPES),
    });
    await api.start();
    kubelet = new FakeKubelet({
      api,
      nodeName: 'sandbox-node',
      logs,
      kubernetesVersion: bin!.version,
      onPodStarted: (p) => started.push(p),
      onPodStopped: (p) => stopped.push(p),
    });
    await kubelet.start();
    const t3 = Date.now();
    console.log(
      `real control plane ${bin!.version}: etcd ${t1 - t0} ms, cluster (kube-apiserver + KCM) ${t2 - t1} ms, ` +
        `cache + kubelet ${t3 - t2} ms; RSS MiB ${JSON.stringify(rssOf(dir))}`,
    );
    admin = writeKubeconfig(join(dir, 'admin.yaml'), cluster, 'admin', cluster.adminToken);
    readonly = writeKubeconfig(join(dir, 'readonly.yaml'), cluster, 'readonly', cluster.readonlyToken);
  }, 180_000);

  afterAll(async () => {
    await kubelet?.stop();
    api?.stop();
    await cluster?.stop();
    await etcd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('registers the node with its kubelet endpoint', () => {
    const node = api!.get('nodes', undefined, 'sandbox-node');
    const status = node?.status as Obj;
    expect(status.addresses).toEqual([{ type: 'InternalIP', address: '127.0.0.1' }]);
    expect(status.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: kubelet!.port } });
    expect((status.nodeInfo as Obj).kubeletVersion).toBe(bin!.version);
  });

  it('rolls out a Deployment: KCM creates the pod, the kubelet binds and starts it', async () => {
    await api!.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const deploy = await api!.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
        },
      },
    });
    await api!.waitFor(
      'deployment web available',
      () => {
        const d = api!.get('deployments.apps', NS, 'web');
        const s = (d?.status ?? {}) as Obj;
        return (
          Number(s.observedGeneration ?? 0) >= Number(deploy.metadata.generation) &&
          s.availableReplicas === 1 &&
          s.updatedReplicas === 1
        );
      },
      60_000,
    );
    const [pod] = podsOf(api!, NS, 'web');
    expect((pod!.spec as Obj).nodeName).toBe('sandbox-node');
    expect((pod!.status as Obj).phase).toBe('Running');
    expect(started.map((p) => p.metadata.uid)).toContain(pod!.metadata.uid);
    const cs = ((pod!.status as Obj).containerStatuses as Obj[])[0]!;
    expect(cs).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0 });
    expect(String(cs.containerID)).toMatch(/^containerd:\/\//);
  }, 90_000);

  it('serves kubectl logs through the API server from the kubelet, for admin and the read-only user', async () => {
    const [pod] = podsOf(api!, NS, 'web');
    const name = pod!.metadata.name;
    const t = new Date(Date.now() - 1000);
    logs.append(NS, name, 'app', { time: t, text: 'first line' });
    logs.append(NS, name, 'app', { time: new Date(), text: 'second line' });

    const all = await kubectl(admin, ['logs', name]);
    expect(all).toMatchObject({ code: 0, stdout: 'first line\nsecond line\n' });
    const tail = await kubectl(admin, ['logs', name, '--tail=1', '--timestamps']);
    expect(tail.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z second line\n$/);
    const byDeploy = await kubectl(readonly, ['logs', 'deploy/web', '-c', 'app', '--limit-bytes=5']);
    expect(byDeploy).toMatchObject({ code: 0, stdout: 'first' });

    const previous = await kubectl(readonly, ['logs', name, '--previous']);
    expect(previous.code).not.toBe(0);
    expect(previous.stderr).toContain(`previous terminated container "app" in pod "${name}" not found`);

    const secrets = await kubectl(readonly, ['get', 'secrets']);
    expect(secrets.code).not.toBe(0);
    expect(secrets.stderr).toContain(
      'secrets is forbidden: User "readonly" cannot list resource "secrets" in API group "" in the namespace "demo"',
    );
    const wrong = await kubectl(admin, ['logs', name, '-c', 'sidecar']);
    expect(wrong.stderr).toContain(`container sidecar is not valid for pod ${name}`);
  }, 60_000);

  it('serves a restarted container: --previous gives the last run, and so does a crash loop', async () => {
    const [pod] = podsOf(api!, NS, 'web');
    const name = pod!.metadata.name;
    const status = structuredClone(pod!.status) as Obj;
    const [cs] = status.containerStatuses as Obj[];
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const lastState = {
      terminated: {
        exitCode: 1,
        reason: 'Error',
        containerID: cs!.containerID,
        startedAt: (cs!.state as { running: { startedAt: string } }).running.startedAt,
        finishedAt: t,
      },
    };
    // The run exited and the container waits to restart (CrashLoopBackOff): the simulation's own status
    // write, which the kubelet must leave alone. The exited run's log is still the LogStore's current one.
    Object.assign(cs!, {
      restartCount: 1,
      lastState,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' },
      },
      ready: false,
      started: false,
    });
    await api!.update({ ...pod!, status }, { subresource: 'status' });
    const crashLoop = await kubectl(admin, ['logs', name]);
    expect(crashLoop).toMatchObject({ code: 0, stdout: 'first line\nsecond line\n' });

    // The restart: a new run with its own log; the exited one becomes `previous`.
    logs.restartContainer(NS, name, 'app');
    logs.append(NS, name, 'app', { time: new Date(), text: 'after restart' });
    Object.assign(cs!, {
      state: { running: { startedAt: t } },
      containerID: `${String(cs!.containerID)}0`,
      ready: true,
      started: true,
    });
    const latest = api!.get('pods', NS, name)!;
    await api!.update({ ...latest, status }, { subresource: 'status' });
    expect(await kubectl(admin, ['logs', name])).toMatchObject({ code: 0, stdout: 'after restart\n' });
    expect(await kubectl(admin, ['logs', name, '-p'])).toMatchObject({
      code: 0,
      stdout: 'first line\nsecond line\n',
    });
    await new Promise((r) => setTimeout(r, 600));
    const after = ((api!.get('pods', NS, name)!.status as Obj).containerStatuses as Obj[])[0]!;
    expect(after).toMatchObject({ restartCount: 1, lastState });
  }, 60_000);

  it('rollout restart completes: the kubelet finishes the old pod graceful deletion; -f streams until then', async () => {
    const [old] = podsOf(api!, NS, 'web');
    const oldName = old!.metadata.name;
    // Follow the old pod's log: it must stream appended lines and end when the pod is deleted.
    const follow = spawn('kubectl', ['--kubeconfig', admin, 'logs', '-f', oldName], { stdio: 'pipe' });
    let followed = '';
    follow.stdout.on('data', (c: Buffer) => (followed += c.toString()));
    const followEnded = new Promise<number | null>((r) => follow.on('exit', (code) => r(code)));
    await expect.poll(() => followed, { timeout: 20_000 }).toContain('after restart');
    logs.append(NS, oldName, 'app', { time: new Date(), text: 'third line' });
    await expect.poll(() => followed, { timeout: 20_000 }).toContain('third line');

    const restart = await kubectl(admin, ['rollout', 'restart', 'deploy/web']);
    expect(restart).toMatchObject({ code: 0 });
    const status = await kubectl(admin, ['rollout', 'status', 'deploy/web', '--timeout=90s']);
    expect(status.stdout).toContain('successfully rolled out');
    await api!.waitFor('old pod deleted', () => !api!.get('pods', NS, oldName), 30_000);
    expect(stopped.map((p) => p.metadata.name)).toContain(oldName);
    expect(logs.lines(NS, oldName, 'app')).toBeUndefined();
    expect(await followEnded).toBe(0);
    const [fresh] = podsOf(api!, NS, 'web');
    expect(fresh!.metadata.name).not.toBe(oldName);
    expect((fresh!.status as Obj).phase).toBe('Running');
  }, 150_000);

  it('deletes a namespace: the namespace controller empties it', async () => {
    const del = await kubectl(admin, ['delete', 'ns', NS, '--wait=true', '--timeout=120s']);
    expect(del).toMatchObject({ code: 0 });
    await api!.waitFor('namespace demo gone', () => !api!.get('namespaces', undefined, NS), 30_000);
    expect(api!.list('pods', NS)).toEqual([]);
    expect(api!.list('deployments.apps', NS)).toEqual([]);
  }, 150_000);
});
