import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterStore,
  LogStore,
  registerBuiltinTypes,
  seedDeployment,
  startApiServer,
} from '../../src/sandbox/apiserver/index.js';
import type { KubeObject as SandboxObject, RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { createClusterPki } from '../../src/sandbox/pki.js';
import { openCluster, RESTARTED_AT } from '../../src/kube/client.js';
import {
  ApiServerError,
  AuthPluginError,
  ClusterUnreachableError,
  ConflictError,
  DeploymentPausedError,
  ForbiddenError,
  RequestTimeoutError,
  UnauthorizedError,
} from '../../src/kube/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import type { LoadedKubeconfig } from '../../src/kube/kubeconfig.js';
import { isResourceTypeMissing } from '../../src/kube/types.js';
import type { ClusterClient, KubeObject } from '../../src/kube/types.js';
import { markRestarted } from '../helpers/pod-restart.js';

const NS = 'kubesphere-system';
const MARKER = 'jwt-MARKER-5ecret-value-0123456789';
const STDOUT_MARKER = 'exec-STDOUT-token-marker';
const CC = { group: 'installer.kubesphere.io', version: 'v1alpha1', plural: 'clusterconfigurations' };
const TIMEOUT_MS = 2_000;

let dir: string;
let kubeconfig: LoadedKubeconfig;
let hostStore: ClusterStore;
let hostLogs: LogStore;
let memberStore: ClusterStore;
const servers: RunningApiServer[] = [];
let proxy: http.Server;
const proxied: string[] = [];
const tunnels = new Set<net.Socket>();
/** Every error any test saw: none may quote the marker secret. */
const seenErrors: unknown[] = [];
let podName: string;
const BIG_LOG_LINES = 60_000;

function deployment(name: string, paused = false): SandboxObject {
  const labels = { app: name, tier: 'backend' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: {
      replicas: 1,
      ...(paused ? { paused: true } : {}),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'ks-apiserver', image: 'kubesphere/ks-apiserver:v3.4.1' }] },
      },
    },
  };
}

function seedCluster(store: ClusterStore, logs: LogStore): string {
  registerBuiltinTypes(store);
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  store.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kubesphere-config', namespace: NS },
    data: { 'kubesphere.yaml': `authentication:\n  jwtSecret: "${MARKER}"\n`, other: 'x' },
  });
  const seeded = seedDeployment(store, deployment('ks-apiserver'));
  seedDeployment(store, deployment('paused', true));
  const pod = seeded.pods[0]!.metadata.name;
  const old = new Date(Date.now() - 2 * 3600_000);
  for (let i = 0; i < 10; i++) logs.append(NS, pod, 'ks-apiserver', { time: old, text: `old line ${i}` });
  const now = new Date();
  for (let i = 0; i < BIG_LOG_LINES; i++) {
    logs.append(NS, pod, 'ks-apiserver', {
      time: now,
      text: `W1128 17:00:00.000000  1 jwt.go:53] token not found in cache ${i} ü`,
    });
  }
  return pod;
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ks-kube-it-'));
  hostStore = new ClusterStore();
  hostLogs = new LogStore();
  podName = seedCluster(hostStore, hostLogs);
  memberStore = new ClusterStore();
  seedCluster(memberStore, new LogStore());
  const tokens = (n: string) => ({ adminToken: `${n}-admin-token`, readonlyToken: `${n}-readonly-token` });
  const host = await startApiServer({ name: 'host', store: hostStore, logs: hostLogs, ...tokens('host') });
  const member = await startApiServer({
    name: 'member',
    store: memberStore,
    logs: new LogStore(),
    ...tokens('member'),
  });
  const slow = await startApiServer({
    name: 'slow',
    store: hostStore,
    logs: hostLogs,
    ...tokens('host'),
    latencyMs: TIMEOUT_MS + 1_000,
  });
  // Answers paths naming `leak-<code>` with that status and a body that is the ConfigMap, marker secret and all.
  const faulty = await startApiServer({
    name: 'faulty',
    store: hostStore,
    logs: hostLogs,
    ...tokens('host'),
    intercept: async (req) => {
      const url = req.url ?? '';
      if (url.includes('reset-me')) return { status: 0, destroy: true };
      if (url.includes('invalid-me')) {
        const message = `ConfigMap "x" is invalid: data[kubesphere.yaml]: Invalid value: "jwtSecret: ${MARKER}": too long`;
        return {
          status: 422,
          body: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            code: 422,
            reason: 'Invalid',
            message,
          },
        };
      }
      const m = /leak-(\d{3})/.exec(url);
      if (!m) return 'continue';
      return { status: Number(m[1]), body: hostStore.get('configmaps', NS, 'kubesphere-config') };
    },
  });
  // The same cluster behind a TLS terminator that speaks only HTTP/1.1.
  const legacy = await startApiServer({
    name: 'legacy',
    store: hostStore,
    logs: hostLogs,
    ...tokens('host'),
    http1Only: true,
  });
  servers.push(host, member, slow, faulty, legacy);
  proxy = http.createServer();
  proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    proxied.push(req.url ?? '');
    tunnels.add(client);
    const [h, p] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(p), h, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  const otherCa = createClusterPki('someone-else').caCertPem;

  const plugin = path.join(dir, 'plugins', 'cred.sh');
  await mkdir(path.dirname(plugin), { recursive: true });
  await writeFile(
    plugin,
    `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"host-admin-token"}}'\n`,
  );
  const badPlugin = path.join(dir, 'plugins', 'bad.sh');
  await writeFile(badPlugin, `#!/bin/sh\necho '{"status": {"token": "${STDOUT_MARKER}"'\n`);
  await chmod(plugin, 0o755);
  await chmod(badPlugin, 0o755);

  const cluster = (name: string, server: string, ca: string) =>
    `- name: ${name}\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${b64(ca)}\n`;
  const user = (name: string, body: string) => `- name: ${name}\n  user:\n${body}`;
  const ctx = (name: string, c: string, u: string) =>
    `- name: ${name}\n  context: {cluster: ${c}, user: ${u}}\n`;
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'current-context: host',
    'clusters:',
    cluster('host', host.url, host.caCertPem),
    cluster('member', member.url, member.caCertPem),
    cluster('slow', slow.url, slow.caCertPem),
    cluster('closed', `https://127.0.0.1:${await closedPort()}`, host.caCertPem),
    cluster('wrong-ca', host.url, otherCa),
    cluster('faulty', faulty.url, faulty.caCertPem),
    cluster('via-proxy', host.url, host.caCertPem) + `    proxy-url: ${proxyUrl}\n`,
    cluster('legacy', legacy.url, legacy.caCertPem),
    'users:',
    user('host-admin', '    token: host-admin-token\n'),
    user('host-ro', '    token: host-readonly-token\n'),
    user('wrong', '    token: not-a-valid-token\n'),
    user('member-admin', '    token: member-admin-token\n'),
    user(
      'exec-ok',
      '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugins/cred.sh\n',
    ),
    user(
      'exec-bad',
      '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./plugins/bad.sh\n',
    ),
    user(
      'exec-missing',
      '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: no-such-plugin-ks\n      installHint: install no-such-plugin-ks from example.com\n',
    ),
    'contexts:',
    ctx('host', 'host', 'host-admin'),
    ctx('host-ro', 'host', 'host-ro'),
    ctx('host-wrong', 'host', 'wrong'),
    ctx('member', 'member', 'member-admin'),
    ctx('slow', 'slow', 'host-admin'),
    ctx('closed', 'closed', 'host-admin'),
    ctx('wrong-ca', 'wrong-ca', 'host-admin'),
    ctx('faulty', 'faulty', 'host-admin'),
    ctx('via-proxy', 'via-proxy', 'host-admin'),
    ctx('legacy', 'legacy', 'host-admin'),
    ctx('exec-ok', 'host', 'exec-ok'),
    ctx('exec-bad', 'host', 'exec-bad'),
    ctx('exec-missing', 'host', 'exec-missing'),
  ].join('\n');
  const file = path.join(dir, 'kubeconfig');
  await writeFile(file, text);
  kubeconfig = await loadKubeconfig({ kubeconfigPath: file });
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const t of tunnels) t.destroy();
  await new Promise((r) => proxy.close(r));
  await rm(dir, { recursive: true, force: true });
  // The marker secret was in an object every server returned: no error may carry it, not even in its cause.
  expect(seenErrors.length).toBeGreaterThan(10);
  for (const err of seenErrors) {
    const e = err as { message?: string; hint?: string };
    expect(`${e.message} ${e.hint}`).not.toContain(MARKER);
    expect(inspect(err, { depth: 10 })).not.toContain(MARKER);
  }
});

function open(context: string, requestTimeoutMs = TIMEOUT_MS): ClusterClient {
  return openCluster(kubeconfig, context, { requestTimeoutMs });
}

async function failure<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  seenErrors.push(err);
  expect(err).toBeInstanceOf(cls);
  return err as T;
}

describe('reads', () => {
  it('version()', async () => {
    expect(await open('host').version()).toMatchObject({ gitVersion: 'v1.27.10', major: '1', minor: '27' });
  });

  it('get returns the object exactly as the server sent it (timestamps as strings)', async () => {
    const cm = await open('host').get('configmaps', NS, 'kubesphere-config');
    expect(cm).toEqual(hostStore.get('configmaps', NS, 'kubesphere-config'));
    expect(typeof cm?.metadata.creationTimestamp).toBe('string');
    expect(await open('host').get('namespaces', undefined, NS)).toMatchObject({ kind: 'Namespace' });
  });

  const readsAtOnce = (c: ReturnType<typeof open>) => () =>
    Promise.all([
      c.version(),
      c.get('configmaps', NS, 'kubesphere-config'),
      c.get('namespaces', undefined, NS),
      c.list('pods', NS),
      c.list('deployments', NS),
      c.get('configmaps', NS, 'nope'),
    ]);

  it('requests sent at once share one HTTP/2 connection per cluster, as kubectl does', async () => {
    const before = servers[0]!.handshakes();
    const reads = readsAtOnce(open('host'));
    const first = await reads();
    expect(first[1]).toEqual(hostStore.get('configmaps', NS, 'kubesphere-config'));
    expect(first[5]).toBeUndefined();
    await reads();
    const after = servers[0]!.handshakes();
    expect(after.full - before.full).toBe(1);
    expect(after.resumed - before.resumed).toBe(0);
  });

  it('a server without HTTP/2: requests go over HTTP/1.1, the connections after the first resume its TLS session', async () => {
    const legacy = servers[4]!;
    const before = legacy.handshakes();
    const reads = readsAtOnce(open('legacy'));
    const first = await reads();
    expect(first[1]).toEqual(hostStore.get('configmaps', NS, 'kubesphere-config'));
    expect(first[5]).toBeUndefined();
    await reads();
    const after = legacy.handshakes();
    // The connection that offered HTTP/2 and was told HTTP/1.1 is closed at once (the server may not count
    // its handshake), and the agent's first connection is a full handshake.
    expect(after.full - before.full).toBeGreaterThanOrEqual(1);
    expect(after.full - before.full).toBeLessThanOrEqual(2);
    expect(after.resumed - before.resumed).toBeGreaterThan(0);
    expect(after.resumed - before.resumed).toBeLessThanOrEqual(5);
  });

  it('get of a missing object → undefined', async () => {
    expect(await open('host').get('configmaps', NS, 'nope')).toBeUndefined();
    expect(await open('host').get('secrets', 'no-such-namespace', 'nope')).toBeUndefined();
  });

  it('list with a label selector fills in apiVersion and kind', async () => {
    const pods = await open('host').list('pods', NS, { labelSelector: 'app=ks-apiserver,tier=backend' });
    expect(pods.map((p) => [p.apiVersion, p.kind, p.metadata.name])).toEqual([['v1', 'Pod', podName]]);
    expect(await open('host').list('deployments', NS)).toHaveLength(2);
  });

  it('a custom resource type that is not served is told apart from a missing object', async () => {
    const c = open('host');
    expect(isResourceTypeMissing(await c.getCustom(CC, NS, 'ks-installer'))).toBe(true);
    expect(isResourceTypeMissing(await c.listCustom(CC, NS))).toBe(true);
    memberStore.registerType({
      group: CC.group,
      version: CC.version,
      resource: CC.plural,
      kind: 'ClusterConfiguration',
      singular: 'clusterconfiguration',
      namespaced: true,
    });
    const m = open('member');
    expect(await m.getCustom(CC, NS, 'ks-installer')).toBeUndefined();
    memberStore.create({
      apiVersion: `${CC.group}/${CC.version}`,
      kind: 'ClusterConfiguration',
      metadata: { name: 'ks-installer', namespace: NS },
      spec: { multicluster: { clusterRole: 'member' } },
    });
    expect(await m.getCustom(CC, NS, 'ks-installer')).toMatchObject({
      spec: { multicluster: { clusterRole: 'member' } },
    });
    const list = await m.listCustom(CC);
    expect(Array.isArray(list) && list.map((o) => o.kind)).toEqual(['ClusterConfiguration']);
  });
});

describe('writes', () => {
  it('replace carries resourceVersion; a stale one → ConflictError', async () => {
    const c = open('host');
    const read = (await c.get('configmaps', NS, 'kubesphere-config'))!;
    const dry = await c.replace(
      'configmaps',
      { ...read, data: { ...(read.data as object), other: 'dry' } },
      { dryRun: true },
    );
    expect((dry.data as Record<string, string>).other).toBe('dry');
    expect(hostStore.get('configmaps', NS, 'kubesphere-config')?.data).toEqual(read.data);
    const updated = await c.replace(
      'configmaps',
      { ...read, data: { ...(read.data as object), other: 'y' } },
      { fieldManager: 'ks-restore' },
    );
    expect(updated.metadata.resourceVersion).not.toBe(read.metadata.resourceVersion);
    expect(updated.metadata.managedFields?.some((f) => f.manager === 'ks-restore')).toBe(true);
    const err = await failure(c.replace('configmaps', { ...read, data: { other: 'z' } }), ConflictError);
    expect([err.context, err.status, err.reason]).toEqual(['host', 409, 'Conflict']);
    expect(err.operation).toBe(`update configmaps ${NS}/kubesphere-config`);
  });

  it.each([
    ['strategic', { data: { patched: 'strategic' } }, 'strategic'],
    ['merge', { data: { patched: 'merge' } }, 'merge'],
    ['json', [{ op: 'add', path: '/data/patched', value: 'json' }], 'json'],
  ] as const)('patch with a %s content type', async (type, body, expected) => {
    const c = open('host');
    const out = await c.patch('configmaps', NS, 'kubesphere-config', body, {
      type,
      fieldManager: 'ks-restore',
    });
    expect((out.data as Record<string, string>).patched).toBe(expected);
    expect((out.data as Record<string, string>)['kubesphere.yaml']).toContain('jwtSecret');
    expect(
      (hostStore.get('configmaps', NS, 'kubesphere-config')?.data as Record<string, string>).patched,
    ).toBe(expected);
  });

  it('a merge patch with null deletes a key; a dry run changes nothing', async () => {
    const c = open('host');
    const patched = () =>
      (hostStore.get('configmaps', NS, 'kubesphere-config')?.data as Record<string, string>).patched;
    expect(patched()).toBe('json'); // left by the patch tests above
    await c.patch(
      'configmaps',
      NS,
      'kubesphere-config',
      { data: { patched: null } },
      { type: 'merge', dryRun: true },
    );
    expect(patched()).toBe('json');
    const out = await c.patch(
      'configmaps',
      NS,
      'kubesphere-config',
      { data: { patched: null } },
      { type: 'merge' },
    );
    expect((out.data as Record<string, string>).patched).toBeUndefined();
  });

  it('restartDeployment sends what kubectl rollout restart sends', async () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const out = await open('host').restartDeployment(NS, 'ks-apiserver', { now });
    const annotations = (out.spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template.metadata.annotations;
    expect(annotations[RESTARTED_AT]).toBe('2026-01-02T03:04:05Z');
    expect(out.metadata.managedFields?.some((f) => f.manager === 'kubectl-rollout')).toBe(true);
    expect(out.metadata.generation).toBeGreaterThan(1);
  });

  it('restartDeployment refuses a paused Deployment', async () => {
    const before = hostStore.get('deployments.apps', NS, 'paused');
    const err = await failure(
      open('host').restartDeployment(NS, 'paused', { now: new Date() }),
      DeploymentPausedError,
    );
    expect(err.hint).toContain('rollout resume');
    expect(hostStore.get('deployments.apps', NS, 'paused')?.metadata.resourceVersion).toBe(
      before?.metadata.resourceVersion,
    );
  });
});

describe('streamPodLog', () => {
  const read = async (opts: Parameters<ClusterClient['streamPodLog']>[3], context = 'host') => {
    const lines: string[] = [];
    const result = await open(context).streamPodLog(NS, podName, 'ks-apiserver', opts, (l) => lines.push(l));
    return { result, lines };
  };

  it('streams a large log line by line', async () => {
    let count = 0;
    let last = '';
    const result = await open('host').streamPodLog(NS, podName, 'ks-apiserver', {}, (l) => {
      count++;
      last = l;
    });
    expect(result).toMatchObject({ outcome: 'read', lines: BIG_LOG_LINES + 10 });
    expect(count).toBe(BIG_LOG_LINES + 10);
    expect(last).toBe(`W1128 17:00:00.000000  1 jwt.go:53] token not found in cache ${BIG_LOG_LINES - 1} ü`);
    expect(result.outcome === 'read' && result.bytes).toBeGreaterThan(4_000_000);
  });

  it('tailLines, sinceSeconds, timestamps and limitBytes reach the server', async () => {
    const tail = await read({ tailLines: 3 });
    expect(tail.lines).toHaveLength(3);
    const since = await read({ sinceSeconds: 600 });
    expect(since.lines).toHaveLength(BIG_LOG_LINES);
    const stamped = await read({ tailLines: 1, timestamps: true });
    expect(stamped.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z W1128/);
    const limited = await read({ limitBytes: 100 });
    expect(limited.result).toMatchObject({ outcome: 'read', bytes: 100 });
  });

  it('previous: a container that never restarted → no-previous-container; after a restart → the old log', async () => {
    expect((await read({ previous: true })).result).toEqual({ outcome: 'no-previous-container' });
    hostLogs.restartContainer(NS, podName, 'ks-apiserver');
    markRestarted(hostStore, NS, podName, 'ks-apiserver');
    hostLogs.append(NS, podName, 'ks-apiserver', { time: new Date(), text: 'after restart' });
    const prev = await read({ previous: true, tailLines: 1 });
    expect(prev.lines[0]).toContain(`cache ${BIG_LOG_LINES - 1}`);
    expect((await read({})).lines).toEqual(['after restart']);
  });

  it('a container waiting to start → container-not-started', async () => {
    hostStore.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'waiting', namespace: NS },
      spec: { containers: [{ name: 'ks-apiserver', image: 'x' }] },
      status: {
        phase: 'Pending',
        containerStatuses: [{ name: 'ks-apiserver', state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    });
    const result = await open('host').streamPodLog(NS, 'waiting', 'ks-apiserver', {}, () => {});
    expect(result).toEqual({ outcome: 'container-not-started' });
  });

  it('errors are typed: 401, unreachable, timeout', async () => {
    await failure(
      open('host-wrong').streamPodLog(NS, podName, 'ks-apiserver', {}, () => {}),
      UnauthorizedError,
    );
    await failure(
      open('closed').streamPodLog(NS, podName, 'ks-apiserver', {}, () => {}),
      ClusterUnreachableError,
    );
    await failure(
      open('slow', 300).streamPodLog(NS, podName, 'ks-apiserver', {}, () => {}),
      RequestTimeoutError,
    );
  });
});

describe('failures name the context and the next step', () => {
  it('a wrong token → UnauthorizedError', async () => {
    const err = await failure(
      open('host-wrong').get('configmaps', NS, 'kubesphere-config'),
      UnauthorizedError,
    );
    expect(err.context).toBe('host-wrong');
    expect(err.status).toBe(401);
    expect(err.message).toContain('"host-wrong"');
    expect(err.hint).toMatch(/refresh your kubeconfig/);
  });

  it('a read-only token may read but a write → ForbiddenError with verb, resource and namespace', async () => {
    const ro = open('host-ro');
    const cm = (await ro.get('configmaps', NS, 'kubesphere-config'))!;
    const err = await failure(ro.replace('configmaps', cm), ForbiddenError);
    expect([err.verb, err.resource, err.namespace, err.status]).toEqual(['update', 'configmaps', NS, 403]);
    expect(err.message).toContain('"host-ro"');
    expect(err.hint).toContain(`auth can-i update configmaps/kubesphere-config -n ${NS}`);
    const patchErr = await failure(
      ro.patch('configmaps', NS, 'kubesphere-config', { data: { a: 'b' } }, { type: 'merge' }),
      ForbiddenError,
    );
    expect(patchErr.verb).toBe('patch');
    await failure(ro.restartDeployment(NS, 'ks-apiserver', { now: new Date() }), ForbiddenError);
  });

  it('a closed port → ClusterUnreachableError (connection refused)', async () => {
    const err = await failure(open('closed').version(), ClusterUnreachableError);
    expect([err.problem, err.code, err.context]).toEqual(['refused', 'ECONNREFUSED', 'closed']);
    expect(err.exitCode).toBe(3);
  });

  it('a server slower than --request-timeout → RequestTimeoutError', async () => {
    const started = Date.now();
    const err = await failure(
      open('slow', 300).get('configmaps', NS, 'kubesphere-config'),
      RequestTimeoutError,
    );
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect([err.context, err.timeoutMs]).toEqual(['slow', 300]);
    expect(err.hint).toContain('--request-timeout');
  });

  it('a CA that did not sign the server certificate → a TLS error', async () => {
    const err = await failure(
      open('wrong-ca').get('configmaps', NS, 'kubesphere-config'),
      ClusterUnreachableError,
    );
    expect(err.problem).toBe('tls');
    expect(err.message).toContain('TLS');
    expect(err.hint).toContain('certificate-authority');
  });

  it('an exec plugin supplies the token; a failing one → AuthPluginError without its stdout', async () => {
    const viaPlugin = await open('exec-ok').get('configmaps', NS, 'kubesphere-config');
    expect(viaPlugin?.metadata).toMatchObject({ name: 'kubesphere-config', namespace: NS });
    const bad = await failure(open('exec-bad').version(), AuthPluginError);
    expect(bad.message).toContain('"exec-bad"');
    expect(inspect(bad, { depth: 10 })).not.toContain(STDOUT_MARKER);
    const missing = await failure(open('exec-missing').version(), AuthPluginError);
    expect(missing.hint).toContain('install no-such-plugin-ks');
  });
});

describe('no error carries a response body', () => {
  it.each([
    [400, ApiServerError],
    [401, UnauthorizedError],
    [403, ForbiddenError],
    [409, ConflictError],
    [500, ApiServerError],
    [503, ApiServerError],
  ] as const)('a %i whose body is the ConfigMap', async (code, cls) => {
    const c = open('faulty');
    const err = await failure(c.get('configmaps', NS, `leak-${code}`), cls);
    expect(err.status).toBe(code);
    await failure(
      c.streamPodLog(NS, `leak-${code}`, 'ks-apiserver', {}, () => {}),
      cls,
    );
  });

  it('a Status message quoting an invalid value', async () => {
    const err = await failure(open('faulty').get('configmaps', NS, 'invalid-me'), ApiServerError);
    expect([err.status, err.reason]).toEqual([422, 'Invalid']);
    expect(err.message).toContain('is invalid');
  });

  it('a connection dropped by the server → ClusterUnreachableError', async () => {
    const err = await failure(open('faulty').get('configmaps', NS, 'reset-me'), ClusterUnreachableError);
    expect(err.problem).toBe('reset');
  });
});

describe('proxy-url', () => {
  it('requests and log streams go through the proxy with CA verification intact', async () => {
    const c = open('via-proxy');
    expect(await c.get('configmaps', NS, 'kubesphere-config')).toMatchObject({ kind: 'ConfigMap' });
    const result = await c.streamPodLog(NS, podName, 'ks-apiserver', { tailLines: 1 }, () => {});
    expect(result).toMatchObject({ outcome: 'read', lines: 1 });
    expect(proxied.length).toBeGreaterThanOrEqual(2);
    expect(proxied.every((u) => servers[0]!.url.endsWith(u))).toBe(true);
  });
});

describe('one KubeConfig per context', () => {
  it("never sends one context's token to another context's server", async () => {
    const host = open('host');
    const member = open('member');
    // Each server accepts only its own tokens: a crossed credential would be a 401 here.
    const reads = Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? member : host).get('configmaps', NS, 'kubesphere-config'),
    );
    const results: (KubeObject | undefined)[] = await Promise.all(reads);
    expect(results.every((r) => r?.kind === 'ConfigMap')).toBe(true);
    expect(host.server).not.toBe(member.server);
  });
});
