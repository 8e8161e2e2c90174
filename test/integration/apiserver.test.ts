import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBuiltinTypes } from '../../src/sandbox/apiserver/builtins.js';
import { seedDeployment } from '../../src/sandbox/apiserver/deployments.js';
import { LogStore } from '../../src/sandbox/apiserver/logs.js';
import { startApiServer } from '../../src/sandbox/apiserver/server.js';
import type { RunningApiServer } from '../../src/sandbox/apiserver/server.js';
import { ClusterStore } from '../../src/sandbox/apiserver/store.js';
import type { KubeObject } from '../../src/sandbox/apiserver/store.js';
import { markRestarted } from '../helpers/pod-restart.js';

const ADMIN = 'admin-token';
const READONLY = 'readonly-token';
const NS = 'kubesphere-system';
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

interface CallOptions {
  token?: string | null;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

let srv: RunningApiServer;
let store: ClusterStore;
let logs: LogStore;
let podName: string;

function call(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, srv.url);
  const token = o.token === undefined ? ADMIN : o.token;
  const body =
    o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: srv.caCertPem,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(o.accept ? { Accept: o.accept } : {}),
          ...(body !== undefined ? { 'Content-Type': o.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a watch and collects its JSON lines until `count` arrived. */
function watch(
  path: string,
  count: number,
): { events: Promise<Record<string, unknown>[]>; close: () => void } {
  const url = new URL(path, srv.url);
  let close = (): void => {};
  const events = new Promise<Record<string, unknown>[]>((resolve, reject) => {
    const got: Record<string, unknown>[] = [];
    const req = request(url, { ca: srv.caCertPem, headers: { Authorization: `Bearer ${ADMIN}` } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          got.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
          buf = buf.slice(i + 1);
          if (got.length === count) {
            req.destroy();
            resolve(got);
          }
        }
      });
      res.on('end', () => resolve(got));
    });
    req.on('error', (e) => (got.length >= count ? resolve(got) : reject(e)));
    req.end();
    close = () => req.destroy();
  });
  return { events, close };
}

const cluster = (name: string): KubeObject => ({
  apiVersion: 'cluster.kubesphere.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: { joinFederation: true, enable: true },
});

beforeAll(async () => {
  store = new ClusterStore();
  registerBuiltinTypes(store);
  store.registerType({
    group: 'cluster.kubesphere.io',
    version: 'v1alpha1',
    resource: 'clusters',
    kind: 'Cluster',
    singular: 'cluster',
    namespaced: false,
    subresources: ['status'],
    printerColumns: [
      { name: 'Federated', type: 'boolean', jsonPath: '.spec.joinFederation' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
  });
  logs = new LogStore();
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  store.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kubesphere-config', namespace: NS, labels: { app: 'ks' } },
    data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: abc\n' },
  });
  store.create(cluster('host'));
  const seeded = seedDeployment(store, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ks-apiserver', namespace: NS },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'ks-apiserver' } },
      template: {
        metadata: { labels: { app: 'ks-apiserver' } },
        spec: {
          containers: [
            { name: 'ks-apiserver', image: 'ks:1' },
            { name: 'sidecar', image: 'sc:1' },
          ],
        },
      },
    },
  });
  podName = seeded.pods[0]!.metadata.name;
  const t0 = Date.parse('2026-11-28T17:12:48.123Z');
  for (let i = 0; i < 5; i++)
    logs.append(NS, podName, 'ks-apiserver', { time: new Date(t0 + i * 1000), text: `line ${i}` });
  srv = await startApiServer({ name: 'host', store, logs, adminToken: ADMIN, readonlyToken: READONLY });
});

afterAll(async () => {
  await srv?.close();
});

describe('authentication and authorization', () => {
  it.each([null, 'wrong'])('answers token %j with a 401 Status', async (token) => {
    const r = await call('GET', `/api/v1/namespaces/${NS}/configmaps`, { token });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  it('serves health and version without credentials', async () => {
    expect((await call('GET', '/healthz', { token: null })).text).toBe('ok');
    expect((await call('GET', '/readyz', { token: null })).text).toBe('ok');
    expect((await call('GET', '/version', { token: null })).json().gitVersion).toBe('v1.27.10');
  });

  it('lets the read-only user read but not write, with the RBAC message', async () => {
    expect(
      (await call('GET', `/api/v1/namespaces/${NS}/configmaps/kubesphere-config`, { token: READONLY }))
        .status,
    ).toBe(200);
    const r = await call('PATCH', `/api/v1/namespaces/${NS}/configmaps/kubesphere-config`, {
      token: READONLY,
      body: { data: { x: 'y' } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'configmaps "kubesphere-config" is forbidden: User "readonly" cannot patch resource "configmaps" in API group "" in the namespace "kubesphere-system"',
      reason: 'Forbidden',
      details: { name: 'kubesphere-config', kind: 'configmaps' },
      code: 403,
    });
    const cr = await call('DELETE', '/apis/cluster.kubesphere.io/v1alpha1/clusters/host', {
      token: READONLY,
    });
    expect(cr.json().message).toBe(
      'clusters.cluster.kubesphere.io "host" is forbidden: User "readonly" cannot delete resource "clusters" in API group "cluster.kubesphere.io" at the cluster scope',
    );
  });
});

describe('discovery', () => {
  it('serves legacy discovery documents', async () => {
    expect((await call('GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await call('GET', '/apis')).json().groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'cluster.kubesphere.io']));
    const core = (await call('GET', '/api/v1')).json().resources as Record<string, unknown>[];
    expect(core.find((r) => r.name === 'pods/log')).toMatchObject({ kind: 'Pod', verbs: ['get'] });
    expect(core.find((r) => r.name === 'configmaps')).toMatchObject({
      singularName: 'configmap',
      shortNames: ['cm'],
      namespaced: true,
    });
    const apps = (await call('GET', '/apis/apps/v1')).json().resources as Record<string, unknown>[];
    expect(apps.find((r) => r.name === 'deployments/scale')).toMatchObject({
      kind: 'Scale',
      group: 'autoscaling',
      version: 'v1',
    });
    expect((await call('GET', '/apis/nope.example.com/v1')).status).toBe(404);
  });

  it('serves aggregated discovery when asked for it', async () => {
    const r = await call('GET', '/apis', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(r.headers['content-type']).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const items = r.json().items as {
      metadata: { name: string };
      versions: { resources: Record<string, unknown>[] }[];
    }[];
    const apps = items.find((i) => i.metadata.name === 'apps')!;
    expect(apps.versions[0]!.resources.find((x) => x.resource === 'deployments')).toMatchObject({
      scope: 'Namespaced',
      subresources: expect.arrayContaining([expect.objectContaining({ subresource: 'scale' })]),
    });
  });
});

describe('reads', () => {
  it('gets an object and 404s like a real server', async () => {
    const r = await call('GET', `/api/v1/namespaces/${NS}/configmaps/kubesphere-config`);
    expect(r.json()).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'kubesphere-config' } });
    const missing = await call('GET', `/api/v1/namespaces/${NS}/configmaps/x`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({
      reason: 'NotFound',
      message: 'configmaps "x" not found',
      details: { name: 'x', kind: 'configmaps' },
    });
    const unknown = await call('GET', `/api/v1/namespaces/${NS}/widgets`);
    expect(unknown.json()).toMatchObject({
      code: 404,
      message: 'the server could not find the requested resource',
    });
  });

  it('lists with selectors and a resourceVersion', async () => {
    const r = (await call('GET', `/api/v1/namespaces/${NS}/configmaps?labelSelector=app%3Dks`)).json();
    expect(r.kind).toBe('ConfigMapList');
    expect((r.metadata as Record<string, string>).resourceVersion).toBe(store.currentResourceVersion());
    expect((r.items as KubeObject[]).map((i) => i.metadata.name)).toEqual(['kubesphere-config']);
    const none = (await call('GET', `/api/v1/configmaps?labelSelector=app%21%3Dks`)).json();
    expect(none.items).toEqual([]);
    const bad = await call('GET', `/api/v1/configmaps?labelSelector=${encodeURIComponent('a b')}`);
    expect(bad.status).toBe(400);
    expect(bad.json().reason).toBe('BadRequest');
  });

  it('returns server-side Tables for kubectl get', async () => {
    const r = await call('GET', `/api/v1/namespaces/${NS}/pods`, { accept: TABLE });
    expect(r.headers['content-type']).toBe('application/json;as=Table;v=v1;g=meta.k8s.io');
    const t = r.json() as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
    expect(t.columnDefinitions.slice(0, 5).map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(t.rows[0]!.cells.slice(0, 5)).toEqual([podName, '2/2', 'Running', '0', '3d']);
    const crs = (
      await call('GET', '/apis/cluster.kubesphere.io/v1alpha1/clusters', { accept: TABLE })
    ).json() as typeof t;
    expect(crs.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Federated', 'Age']);
    expect(crs.rows[0]!.cells.slice(0, 2)).toEqual(['host', true]);
  });
});

describe('writes', () => {
  const path = `/api/v1/namespaces/${NS}/configmaps`;

  it('creates (201), refuses a duplicate (409), deletes (200) and 404s after', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' }, data: { a: '1' } };
    const created = await call('POST', `${path}?fieldManager=kubectl-create`, { body });
    expect(created.status).toBe(201);
    expect((created.json().metadata as Record<string, unknown>).namespace).toBe(NS);
    const dup = await call('POST', path, { body });
    expect(dup.status).toBe(409);
    expect(dup.json()).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "w1" already exists' });
    const del = await call('DELETE', `${path}/w1`);
    expect(del.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'w1', kind: 'configmaps' },
    });
    expect((await call('DELETE', `${path}/w1`)).status).toBe(404);
  });

  it('rejects a PUT with a stale resourceVersion with the real Conflict', async () => {
    const cm = (await call('GET', `${path}/kubesphere-config`)).json() as KubeObject;
    const first = await call('PUT', `${path}/kubesphere-config?fieldManager=kubectl-edit`, {
      body: { ...cm, data: { ...(cm.data as object), extra: '1' } },
    });
    expect(first.status).toBe(200);
    const managers = ((first.json().metadata as KubeObject['metadata']).managedFields ?? []).map(
      (m) => m.manager,
    );
    expect(managers).toContain('kubectl-edit');
    const stale = await call('PUT', `${path}/kubesphere-config`, { body: cm });
    expect(stale.status).toBe(409);
    expect(stale.json()).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "kubesphere-config": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'kubesphere-config', kind: 'configmaps' },
    });
  });

  it.each([
    ['application/strategic-merge-patch+json', { data: { p: 'smp' } }, 'smp'],
    ['application/merge-patch+json', { data: { p: 'merge' } }, 'merge'],
    ['application/json-patch+json', [{ op: 'add', path: '/data/p', value: 'json' }], 'json'],
  ])('patches with %s', async (contentType, body, expected) => {
    const r = await call('PATCH', `${path}/kubesphere-config`, { body, contentType });
    expect(r.status).toBe(200);
    expect(store.get('configmaps', NS, 'kubesphere-config')!.data).toMatchObject({ p: expected });
  });

  it('fails a JSON patch test op with 422 and changes nothing', async () => {
    const before = store.get('configmaps', NS, 'kubesphere-config')!.metadata.resourceVersion;
    const r = await call('PATCH', `${path}/kubesphere-config`, {
      body: [
        { op: 'test', path: '/data/p', value: 'other' },
        { op: 'remove', path: '/data/p' },
      ],
      contentType: 'application/json-patch+json',
    });
    expect(r.status).toBe(422);
    expect(store.get('configmaps', NS, 'kubesphere-config')!.metadata.resourceVersion).toBe(before);
  });

  it('refuses strategic merge on a custom resource with 415', async () => {
    const r = await call('PATCH', '/apis/cluster.kubesphere.io/v1alpha1/clusters/host', {
      body: { spec: { enable: false } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(r.status).toBe(415);
    expect(r.json().reason).toBe('UnsupportedMediaType');
  });

  it('validates a dryRun=All write without storing it', async () => {
    const before = store.currentResourceVersion();
    const r = await call('PATCH', `${path}/kubesphere-config?dryRun=All`, {
      body: { data: { p: 'dry' } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(200);
    expect((r.json().data as Record<string, string>).p).toBe('dry');
    expect(store.get('configmaps', NS, 'kubesphere-config')!.data).not.toMatchObject({ p: 'dry' });
    expect(store.currentResourceVersion()).toBe(before);
  });

  it('keeps status on main-resource writes and only status on /status writes', async () => {
    const base = '/apis/cluster.kubesphere.io/v1alpha1/clusters/host';
    await call('PATCH', base, {
      body: { status: { phase: 'ignored' } },
      contentType: 'application/merge-patch+json',
    });
    expect(store.get('clusters.cluster.kubesphere.io', undefined, 'host')!.status).toBeUndefined();
    const r = await call('PATCH', `${base}/status`, {
      body: { spec: { enable: false }, status: { phase: 'Ready' } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.status).toBe(200);
    const host = store.get('clusters.cluster.kubesphere.io', undefined, 'host')!;
    expect(host.status).toEqual({ phase: 'Ready' });
    expect(host.spec).toMatchObject({ enable: true });
  });

  it('reads and patches the scale subresource', async () => {
    const base = `/apis/apps/v1/namespaces/${NS}/deployments/ks-apiserver/scale`;
    expect((await call('GET', base)).json()).toMatchObject({
      kind: 'Scale',
      spec: { replicas: 1 },
      status: { selector: 'app=ks-apiserver' },
    });
    const r = await call('PATCH', base, {
      body: { spec: { replicas: 2 } },
      contentType: 'application/merge-patch+json',
    });
    expect(r.json()).toMatchObject({ spec: { replicas: 2 } });
    expect(
      (store.get('deployments.apps', NS, 'ks-apiserver')!.spec as Record<string, unknown>).replicas,
    ).toBe(2);
  });
});

describe('watch', () => {
  it('streams later changes from a resourceVersion, filtered by field selector', async () => {
    const rv = store.currentResourceVersion();
    const w = watch(
      `/api/v1/namespaces/${NS}/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dwatched`,
      2,
    );
    await new Promise((r) => setTimeout(r, 50));
    store.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: NS } });
    const c = store.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace: NS },
    });
    store.update({ ...c, data: { a: '1' } });
    const events = await w.events;
    expect(events.map((e) => [e.type, (e.object as KubeObject).metadata.name])).toEqual([
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
    ]);
  });

  it('starts with ADDED for existing objects without a resourceVersion', async () => {
    const w = watch('/apis/cluster.kubesphere.io/v1alpha1/clusters?watch=1', 1);
    const events = await w.events;
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'host' } } });
  });

  it('ends the stream after timeoutSeconds', async () => {
    const start = Date.now();
    const w = watch(
      `/api/v1/namespaces/${NS}/secrets?watch=true&resourceVersion=${store.currentResourceVersion()}&timeoutSeconds=1`,
      99,
    );
    expect(await w.events).toEqual([]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
  });
});

describe('pod logs', () => {
  const logPath = (q: string): string => `/api/v1/namespaces/${NS}/pods/${podName}/log?${q}`;

  it('requires a container name when the pod has several', async () => {
    const r = await call('GET', logPath(''));
    expect(r.status).toBe(400);
    expect(r.json().message).toBe(
      `a container name must be specified for pod ${podName}, choose one of: [ks-apiserver sidecar]`,
    );
  });

  it('returns lines as text/plain, each ending in a newline, honouring tailLines and limitBytes', async () => {
    const all = await call('GET', logPath('container=ks-apiserver'));
    expect(all.headers['content-type']).toBe('text/plain');
    expect(all.text).toBe('line 0\nline 1\nline 2\nline 3\nline 4\n');
    expect((await call('GET', logPath('container=ks-apiserver&tailLines=2'))).text).toBe('line 3\nline 4\n');
    expect((await call('GET', logPath('container=ks-apiserver&limitBytes=8'))).text).toBe('line 0\nl');
    expect((await call('GET', logPath('container=sidecar'))).text).toBe('');
  });

  it('prefixes RFC3339Nano timestamps and filters by sinceTime', async () => {
    const r = await call(
      'GET',
      logPath('container=ks-apiserver&timestamps=true&sinceTime=2026-11-28T17:12:51Z'),
    );
    expect(r.text).toBe('2026-11-28T17:12:51.123000000Z line 3\n2026-11-28T17:12:52.123000000Z line 4\n');
  });

  it('serves the previous container only after a restart', async () => {
    const missing = await call('GET', logPath('container=sidecar&previous=true'));
    expect(missing.status).toBe(400);
    expect(missing.json().message).toBe(
      `previous terminated container "sidecar" in pod "${podName}" not found`,
    );
    logs.append(NS, podName, 'sidecar', { time: new Date(), text: 'before restart' });
    logs.restartContainer(NS, podName, 'sidecar');
    markRestarted(store, NS, podName, 'sidecar');
    expect((await call('GET', logPath('container=sidecar&previous=true'))).text).toBe('before restart\n');
    expect((await call('GET', logPath('container=sidecar'))).text).toBe('');
  });

  it('streams appended lines with follow=true', async () => {
    const url = new URL(logPath('container=ks-apiserver&follow=true&tailLines=0'), srv.url);
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        url,
        { ca: srv.caCertPem, headers: { Authorization: `Bearer ${ADMIN}` } },
        (res) => {
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            req.destroy();
            resolve(c);
          });
          setTimeout(() => logs.append(NS, podName, 'ks-apiserver', { time: new Date(), text: 'live' }), 20);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(text).toBe('live\n');
  });
});

describe('latency', () => {
  it('delays every response by latencyMs', async () => {
    const slow = await startApiServer({
      name: 'slow',
      store,
      logs,
      adminToken: ADMIN,
      readonlyToken: READONLY,
      latencyMs: 150,
    });
    try {
      const start = Date.now();
      const r = await new Promise<number>((resolve, reject) => {
        request(new URL('/healthz', slow.url), { ca: slow.caCertPem }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      expect(r).toBe(200);
      expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.close();
    }
  });
});

describe('intercept', () => {
  it('lets a fault injector answer or drop a request before routing', async () => {
    const faulty = await startApiServer({
      name: 'faulty',
      store,
      logs,
      adminToken: ADMIN,
      readonlyToken: READONLY,
      intercept: async (req) => {
        if (req.url?.startsWith('/api/v1/namespaces'))
          return { status: 503, body: { kind: 'Status', code: 503 } };
        if (req.url === '/version') return { status: 0, destroy: true };
        return 'continue';
      },
    });
    const get = (path: string): Promise<number> =>
      new Promise((resolve, reject) => {
        request(
          new URL(path, faulty.url),
          { ca: faulty.caCertPem, headers: { Authorization: `Bearer ${ADMIN}` } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        )
          .on('error', reject)
          .end();
      });
    try {
      expect(await get('/api/v1/namespaces')).toBe(503);
      expect(await get('/healthz')).toBe(200);
      await expect(get('/version')).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      await faulty.close();
    }
  });
});
