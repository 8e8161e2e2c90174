/* eslint-disable @typescript-eslint/no-explicit-any -- API and YAML documents, read field by field */
import { readFileSync, statSync } from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { call, contextOf, type Ctx } from '../helpers/https.js';
import type { KsVersion, Sandbox } from '../../src/sandbox/index.js';

const NS = '/api/v1/namespaces/kubesphere-system';

async function apiserverLog(ctx: Ctx, query = ''): Promise<string> {
  const pods = await call(ctx, 'GET', `${NS}/pods`);
  const names = pods.json.items
    .filter((p: any) => ['ks-apiserver', 'ks-agent'].includes(p.metadata.labels.app))
    .map((p: any) => p.metadata.name as string);
  const logs = await Promise.all(
    names.map((n: string) => call(ctx, 'GET', `${NS}/pods/${n}/log?container=ks-apiserver${query}`)),
  );
  return logs.map((l) => l.text).join('');
}

const FAST = { podStartMs: 20, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10 };

// The member's signature lines, by release (kubesphere.md; file:line from the release's sources).
const MISS: Record<KsVersion, RegExp> = {
  '3.0': /^E\d{4} \d\d:\d\d:\d\d\.\d{6} {7}1 token\.go:65\] token not found in cache$/m,
  '3.1': /^W\d{4} [\d:.]+ {7}1 jwt_token\.go:52\] token not found in cache$/m,
  '3.2': /^W\d{4} [\d:.]+ {7}1 jwt\.go:53\] token not found in cache$/m,
  '3.3': /^W\d{4} [\d:.]+ {7}1 jwt\.go:53\] token not found in cache$/m,
  '3.4': /^W\d{4} [\d:.]+ {7}1 jwt\.go:53\] token not found in cache$/m,
  '4.1':
    /^E\d{4} [\d:.]+ {7}1 authentication\.go:64\] Request authentication failed: token not found in cache$/m,
};
const SIGNATURE: Record<KsVersion, RegExp> = {
  '3.0': /^E\d{4} [\d:.]+ {7}1 jwt\.go:51\] signature is invalid$/m,
  '3.1': /^W\d{4} [\d:.]+ {7}1 jwt_token\.go:52\] signature is invalid$/m,
  '3.2': /^W\d{4} [\d:.]+ {7}1 issuer\.go:187\] jwt: failed to parse token: signature is invalid$/m,
  '3.3': /^W\d{4} [\d:.]+ {7}1 issuer\.go:187\] jwt: failed to parse token: signature is invalid$/m,
  '3.4': /^W\d{4} [\d:.]+ {7}1 issuer\.go:182\] jwt: failed to parse token: signature is invalid$/m,
  '4.1': /^W\d{4} [\d:.]+ {7}1 issuer\.go:171\] jwt: failed to parse token: signature is invalid$/m,
};

describe('kubeconfig and TLS', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ ...FAST, ksVersion: '3.4' });
  });
  afterAll(() => sb.stop());

  it('is private and has an admin and a read-only context per cluster', () => {
    expect(statSync(sb.kubeconfigPath).mode & 0o777).toBe(0o600);
    const kc = yaml.load(readFileSync(sb.kubeconfigPath, 'utf8')) as any;
    expect(kc['current-context']).toBe('host');
    expect(kc.contexts.map((c: any) => c.name).sort()).toEqual([
      'host',
      'host-readonly',
      'member',
      'member-readonly',
    ]);
    expect(sb.contexts.sort()).toEqual(['host', 'host-readonly', 'member', 'member-readonly']);
  });

  it('serves HTTPS that verifies only with the cluster CA', async () => {
    const host = contextOf(sb.kubeconfigPath, 'host');
    const v = await call(host, 'GET', '/version');
    expect(v.json.gitVersion).toBe('v1.26.5');
    await expect(call(host, 'GET', '/version', { ca: null })).rejects.toThrow(/self.signed|certificate/i);
    const member = contextOf(sb.kubeconfigPath, 'member');
    await expect(call(member, 'GET', '/version', { ca: host.ca })).rejects.toThrow();
  });

  it('the read-only context can read but not write', async () => {
    const ro = contextOf(sb.kubeconfigPath, 'member-readonly');
    const cm = await call(ro, 'GET', `${NS}/configmaps/kubesphere-config`);
    expect(cm.status).toBe(200);
    const put = await call(ro, 'PUT', `${NS}/configmaps/kubesphere-config`, { body: cm.json });
    expect(put.status).toBe(403);
  });
});

describe('objects a KubeSphere cluster has', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ ...FAST, ksVersion: '3.4', members: 2 });
  });
  afterAll(() => sb.stop());

  it('the host lists itself and each member; a member’s kubeconfig reaches that member', async () => {
    const host = contextOf(sb.kubeconfigPath, 'host');
    const list = await call(host, 'GET', '/apis/cluster.kubesphere.io/v1alpha1/clusters');
    const byName = Object.fromEntries(list.json.items.map((c: any) => [c.metadata.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['host', 'member-1', 'member-2']);
    expect(byName.host.metadata.labels).toHaveProperty('cluster-role.kubesphere.io/host');
    expect(byName['member-1'].metadata.labels).not.toHaveProperty('cluster-role.kubesphere.io/host');
    const m2 = byName['member-2'];
    expect(m2.spec.connection.type).toBe('direct');
    expect(m2.status.kubeSphereVersion).toBe('v3.4.1');
    expect(m2.status.conditions.map((c: any) => c.type)).toEqual(
      expect.arrayContaining(['Ready', 'KubeConfigCertExpiresInSevenDays']),
    );
    const kc = yaml.load(Buffer.from(m2.spec.connection.kubeconfig, 'base64').toString()) as any;
    const url = sb.clusters.find((c) => c.name === 'member-2')!.url;
    expect(kc.clusters[0].cluster.server).toBe(url);
    expect(m2.spec.connection.kubernetesAPIEndpoint).toBe(url);
    const viaCluster: Ctx = {
      server: kc.clusters[0].cluster.server,
      ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(),
      token: kc.users[0].user.token,
    };
    expect((await call(viaCluster, 'PUT', `${NS}/configmaps/nope`, { body: {} })).status).not.toBe(401);
    expect((await call(viaCluster, 'GET', `${NS}/configmaps/kubesphere-config`)).status).toBe(200);
  });

  it('clusters print the CRD’s columns', async () => {
    const host = contextOf(sb.kubeconfigPath, 'host');
    const t = await call(host, 'GET', '/apis/cluster.kubesphere.io/v1alpha1/clusters', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    // additionalPrinterColumns replace the default Age column.
    expect(t.json.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Federated',
      'Provider',
      'Active',
      'Version',
    ]);
    expect(t.json.rows.map((r: any) => r.cells)).toContainEqual([
      'member-1',
      true,
      'kubesphere',
      true,
      'v1.26.5',
    ]);
  });

  it('3.x member: ClusterConfiguration, kubesphere-secret and ks-apiserver as ks-installer made them', async () => {
    const m = contextOf(sb.kubeconfigPath, 'member-1');
    const cc = await call(
      m,
      'GET',
      '/apis/installer.kubesphere.io/v1alpha1/namespaces/kubesphere-system/clusterconfigurations/ks-installer',
    );
    expect(cc.json.spec.multicluster.clusterRole).toBe('none');
    const secret = await call(m, 'GET', `${NS}/secrets/kubesphere-secret`);
    const cm = await call(m, 'GET', `${NS}/configmaps/kubesphere-config`);
    const jwt = Buffer.from(secret.json.data.secret, 'base64').toString();
    expect(cm.json.data['kubesphere.yaml']).toContain(`jwtSecret: ${jwt}\n`);
    const d = await call(m, 'GET', '/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-apiserver');
    expect(d.json.spec.template.metadata.labels).toEqual({ app: 'ks-apiserver', tier: 'backend' });
    expect(d.json.spec.strategy.rollingUpdate.maxSurge).toBe(0);
    expect(d.json.spec.template.spec.containers[0]).toMatchObject({
      name: 'ks-apiserver',
      image: 'kubesphere/ks-apiserver:v3.4.1',
    });
    const installer = await call(
      m,
      'GET',
      '/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-installer',
    );
    expect(installer.json.metadata.labels.app).toBe('ks-installer');
    // The ConfigMap was last written before the pods started: they run what the file says.
    const lastWrite = Math.max(...cm.json.metadata.managedFields.map((f: any) => Date.parse(f.time)));
    const pods = await call(m, 'GET', `${NS}/pods?labelSelector=app%3Dks-apiserver`);
    const started = Date.parse(pods.json.items[0].status.containerStatuses[0].state.running.startedAt);
    expect(lastWrite).toBeLessThan(started);
    expect(started).toBeLessThan(Date.now() - 86_400_000);
  });
});

describe('4.1', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ ...FAST, ksVersion: '4.1', scenario: 'secret-mismatch' });
  });
  afterAll(() => sb.stop());

  it('a member runs ks-agent (ks-apiserver + ks-controller-manager) and has no installer objects', async () => {
    const m = contextOf(sb.kubeconfigPath, 'member');
    expect(
      (await call(m, 'GET', '/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-apiserver')).status,
    ).toBe(404);
    const agent = await call(m, 'GET', '/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-agent');
    expect(agent.json.spec.template.metadata.labels).toEqual({ app: 'ks-agent', tier: 'backend' });
    expect(agent.json.spec.template.spec.containers.map((c: any) => c.name)).toEqual([
      'ks-apiserver',
      'ks-controller-manager',
    ]);
    expect((await call(m, 'GET', `${NS}/secrets/kubesphere-secret`)).status).toBe(404);
    expect(
      (
        await call(
          m,
          'GET',
          '/apis/installer.kubesphere.io/v1alpha1/namespaces/kubesphere-system/clusterconfigurations',
        )
      ).status,
    ).toBe(404);
  });

  it('the host logs the member’s 401 as "Request unauthorized"', async () => {
    const host = contextOf(sb.kubeconfigPath, 'host');
    const memberHost = new URL(sb.clusters[1]!.url).host;
    const log = await apiserverLog(host);
    expect(log).toContain(
      `multicluster.go:188] Request unauthorized, host: ${memberHost}, reason: {"kind":"Status"`,
    );
    const t = await call(host, 'GET', '/apis/cluster.kubesphere.io/v1alpha1/clusters', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    expect(t.json.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Provider', 'Version']);
  });
});

describe.each(['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'] as const)('KubeSphere %s member logs', (v) => {
  it.each(['healthy', 'token-cache', 'secret-mismatch', 'both'])('%s', async (scenario) => {
    const sb = await startSandbox({ ...FAST, ksVersion: v, scenario });
    try {
      const log = await apiserverLog(contextOf(sb.kubeconfigPath, 'member'), '&sinceSeconds=3600');
      const miss = scenario === 'token-cache';
      const sig = scenario === 'secret-mismatch' || scenario === 'both';
      expect(MISS[v].test(log)).toBe(miss);
      expect(SIGNATURE[v].test(log)).toBe(sig);
      if (scenario === 'healthy') expect(log).not.toMatch(/token not found in cache|signature is invalid/);
      // A whole hour of history, every ~30 s.
      const every = new RegExp((miss ? MISS[v] : SIGNATURE[v]).source, 'gm');
      if (miss || sig) expect(log.match(every)?.length ?? 0).toBeGreaterThanOrEqual(100);
      const hostLog = await apiserverLog(contextOf(sb.kubeconfigPath, 'host'));
      expect(hostLog.includes('Request unauthorized')).toBe(v === '4.1' && scenario !== 'healthy');
      // The host itself accepts its tokens (its 4.1 proxy lines quote the member's reason).
      expect(hostLog.replace(/.*Request unauthorized.*\n/g, '')).not.toMatch(
        /token not found in cache|signature is invalid/,
      );
    } finally {
      await sb.stop();
    }
  });
});

describe('history and live traffic', () => {
  it('seeded pods show an hour of errors; live requests add more', async () => {
    const sb = await startSandbox({ ...FAST, ksVersion: '3.2', trafficIntervalMs: 20 });
    try {
      const member = contextOf(sb.kubeconfigPath, 'member');
      const count = async () =>
        ((await apiserverLog(member)).match(/jwt\.go:53\] token not found in cache/g) ?? []).length;
      const before = await count();
      expect(before).toBeGreaterThanOrEqual(100);
      await new Promise((r) => setTimeout(r, 300));
      expect(await count()).toBeGreaterThan(before + 3);
      const stamped = await apiserverLog(member, '&sinceSeconds=600&timestamps=true');
      const times = [...stamped.matchAll(/^(\S+) /gm)].map((m) => Date.parse(m[1]!));
      expect(times.length).toBeGreaterThan(10);
      expect(Math.min(...times)).toBeGreaterThan(Date.now() - 601_000);
    } finally {
      await sb.stop();
    }
  });
});

describe('host-replicas-no-redis', () => {
  it.each(['3.4', '4.1', '3.1'] as const)(
    '%s: the host’s own replicas miss each other’s tokens',
    async (v) => {
      const sb = await startSandbox({ ...FAST, ksVersion: v, scenario: 'host-replicas-no-redis' });
      try {
        const host = contextOf(sb.kubeconfigPath, 'host');
        const d = await call(
          host,
          'GET',
          '/apis/apps/v1/namespaces/kubesphere-system/deployments/ks-apiserver',
        );
        expect(d.json.spec.replicas).toBe(3);
        const log = await apiserverLog(host);
        expect(log).toContain('token not found in cache');
        expect(log.match(/in memory cache|In-memory cache will be used/g)?.length).toBeGreaterThanOrEqual(3);
        expect(await apiserverLog(contextOf(sb.kubeconfigPath, 'member'))).not.toMatch(
          /token not found in cache|signature is invalid/,
        );
      } finally {
        await sb.stop();
      }
    },
  );

  it('is refused on 3.0 (Redis is mandatory there), as installer-revert is on 4.1', async () => {
    await expect(
      startSandbox({ ...FAST, ksVersion: '3.0', scenario: 'host-replicas-no-redis' }),
    ).rejects.toThrow(UsageError);
    await expect(startSandbox({ ...FAST, ksVersion: '4.1', scenario: 'installer-revert' })).rejects.toThrow(
      /4\.x has no ks-installer/,
    );
    await expect(startSandbox({ ...FAST, scenario: 'nope' })).rejects.toThrow(/unknown scenario/);
  });
});

describe('fleets', () => {
  it('mixes versions and scenarios per member', async () => {
    const sb = await startSandbox({
      ...FAST,
      ksVersion: '3.4',
      scenario: 'healthy',
      members: [
        { name: 'm33', ksVersion: '3.3', scenario: 'secret-mismatch' },
        { name: 'm41', ksVersion: '4.1' },
        { name: 'm30', ksVersion: '3.0', scenario: 'token-cache' },
      ],
    });
    try {
      expect(sb.clusters.map((c) => [c.name, c.ksVersion, c.scenario])).toEqual([
        ['host', '3.4', 'healthy'],
        ['m33', '3.3', 'secret-mismatch'],
        ['m41', '4.1', 'healthy'],
        ['m30', '3.0', 'token-cache'],
      ]);
      expect(SIGNATURE['3.3'].test(await apiserverLog(contextOf(sb.kubeconfigPath, 'm33')))).toBe(true);
      expect(await apiserverLog(contextOf(sb.kubeconfigPath, 'm41'))).not.toMatch(
        /signature|token not found/,
      );
      expect(MISS['3.0'].test(await apiserverLog(contextOf(sb.kubeconfigPath, 'm30')))).toBe(true);
    } finally {
      await sb.stop();
    }
  });

  // How fast is for the benchmark (npm run bench), not for a timed test.
  it('starts 50 members, each reachable through its context', async () => {
    const sb = await startSandbox({ ...FAST, members: 50 });
    try {
      expect(sb.clusters).toHaveLength(51);
      expect(sb.contexts).toHaveLength(102);
      const last = contextOf(sb.kubeconfigPath, 'member-50');
      expect((await call(last, 'GET', `${NS}/configmaps/kubesphere-config`)).status).toBe(200);
    } finally {
      await sb.stop();
    }
  });
});
