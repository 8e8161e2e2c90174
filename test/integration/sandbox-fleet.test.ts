/* eslint-disable @typescript-eslint/no-explicit-any -- API and YAML documents, read field by field */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSandboxFlags, sandboxMembers } from '../../src/commands/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { fleetVersions, mixedFleet, startSandbox } from '../../src/sandbox/index.js';
import type { KsVersion, Sandbox } from '../../src/sandbox/index.js';

const CLUSTERS = 'clusters.cluster.kubesphere.io';

function clusterObject(sb: Sandbox, name: string): any {
  return sb.clusters[0]!.store.get(CLUSTERS, undefined, name);
}

function storedKubeconfig(obj: any): any {
  return yaml.load(Buffer.from(obj.spec.connection.kubeconfig, 'base64').toString('utf8'));
}

const condition = (obj: any, type: string): any => obj.status.conditions.find((c: any) => c.type === type);

function kubeconfigOf(sb: Sandbox): any {
  return yaml.load(readFileSync(sb.kubeconfigPath, 'utf8'));
}

/** The TCP connect outcome: 'connected', or the error code (ECONNREFUSED). */
function tcpConnect(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** GET /version over TLS with the cluster's CA and no credentials: the HTTP status proves it serves. */
function getVersion(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/version', url), { ca }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each<KsVersion>(['3.4', '4.1'])('fleet-mode members, host KubeSphere %s', (version) => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: version,
      scenario: 'healthy',
      members: [
        { name: 'plain' },
        { name: 'towered', connection: 'proxy' },
        { name: 'down', unreachable: true },
        { name: 'hidden', noContext: true },
      ],
      trafficIntervalMs: 0,
      backfill: false,
    });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('a proxy member: the Cluster holds what tower writes, the kubeconfig has no way in, its server runs', async () => {
    const obj = clusterObject(sb, 'towered');
    const conn = obj.spec.connection;
    expect(conn.type).toBe('proxy');
    expect(conn.kubernetesAPIEndpoint).toMatch(/^https:\/\/10\.233\.\d+\.\d+:6443$/);
    expect(conn.kubesphereAPIEndpoint).toBe(
      conn.kubernetesAPIEndpoint.replace(/^https(.*):6443$/, 'http$1:80'),
    );
    expect(conn.token).toMatch(/^[0-9a-f]{64}$/);
    expect(conn.kubesphereAPIServerPort).toBe(conn.kubernetesAPIServerPort + 10000);
    const stored = storedKubeconfig(obj);
    expect(stored.clusters[0].cluster.server).toBe(conn.kubernetesAPIEndpoint);
    expect(stored.users[0].user.token).toBeUndefined();
    const pem = (k: string) => Buffer.from(k, 'base64').toString();
    const cert = new X509Certificate(pem(stored.users[0].user['client-certificate-data']));
    const ca = new X509Certificate(pem(stored.clusters[0].cluster['certificate-authority-data']));
    expect(cert.subject).toBe('O=system:masters\nCN=kubernetes-admin');
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    for (const type of ['Initialized', 'AgentAvailable', 'Ready'])
      expect(condition(obj, type)?.status).toBe('True');
    // tower renews proxy members' certificates: the controller skips the expiry condition for them.
    expect(condition(obj, 'KubeConfigCertExpiresInSevenDays')).toBeUndefined();

    const ip = new URL(conn.kubernetesAPIEndpoint).hostname;
    const svc: any = sb.clusters[0]!.store.get('services', 'kubesphere-system', 'mc-towered');
    expect(svc.spec.clusterIP).toBe(ip);

    const sim = sb.clusters.find((c) => c.name === 'towered')!;
    expect(sim).toMatchObject({ connection: 'proxy', unreachable: false, context: null });
    const kc = kubeconfigOf(sb);
    expect(kc.contexts.map((c: any) => c.name)).not.toContain('towered');
    expect(kc.contexts.map((c: any) => c.name)).not.toContain('towered-readonly');
    expect(kc.clusters.map((c: any) => c.cluster.server)).not.toContain(sim.url);
    expect(sb.contexts).not.toContain('towered');
    expect(await getVersion(sim.url, sim.caCertPem)).toBeGreaterThan(0);
  });

  it('an unreachable member: in the kubeconfig, refuses connections, and the host sees it not Ready', async () => {
    const sim = sb.clusters.find((c) => c.name === 'down')!;
    expect(sim).toMatchObject({ connection: 'direct', unreachable: true, context: 'down' });
    const kc = kubeconfigOf(sb);
    const cluster = kc.clusters.find((c: any) => c.name === 'down');
    expect(cluster.cluster.server).toBe(sim.url);
    expect(await tcpConnect(sim.url)).toBe('ECONNREFUSED');

    const obj = clusterObject(sb, 'down');
    expect(obj.spec.connection.type).toBe('direct');
    expect(storedKubeconfig(obj).clusters[0].cluster.server).toBe(sim.url);
    const ready = condition(obj, 'Ready');
    expect(ready.status).toBe('False');
    if (version === '4.1') {
      // v4.1 keeps reason "Ready" and puts the error in the message.
      expect(ready.reason).toBe('Ready');
      expect(ready.message).toMatch(/kube-system.*connection refused/);
    } else {
      expect(ready.reason).toBe('Cluster join federation control plane failed');
      expect(condition(obj, 'Federated')).toMatchObject({ status: 'False' });
      expect(condition(obj, 'Federated').reason).toContain('connection refused');
    }
  });

  it('a direct member without a context: the Cluster holds its real kubeconfig, the written one nothing', async () => {
    const sim = sb.clusters.find((c) => c.name === 'hidden')!;
    expect(sim).toMatchObject({ connection: 'direct', unreachable: false, context: null });
    const obj = clusterObject(sb, 'hidden');
    expect(obj.spec.connection.type).toBe('direct');
    expect(storedKubeconfig(obj).clusters[0].cluster.server).toBe(sim.url);
    expect(kubeconfigOf(sb).contexts.map((c: any) => c.name)).not.toContain('hidden');
    expect(await getVersion(sim.url, sim.caCertPem)).toBeGreaterThan(0);
  });

  it('the plain member is unchanged: direct, Ready, in the kubeconfig', () => {
    const obj = clusterObject(sb, 'plain');
    expect(obj.spec.connection.type).toBe('direct');
    expect(condition(obj, 'Ready').status).toBe('True');
    expect(condition(obj, 'AgentAvailable')).toBeUndefined();
    expect(sb.contexts).toEqual(expect.arrayContaining(['plain', 'plain-readonly', 'down', 'down-readonly']));
  });
});

describe('the mixed preset', () => {
  it.each([
    [4, '3.4'],
    [8, '3.4'],
    [20, '3.4'],
    [20, '4.1'],
    [6, '3.3'],
  ] as const)('%i members under a %s host', (n, host) => {
    const specs = mixedFleet(n, host);
    expect(specs).toHaveLength(n);
    expect(specs.map((s) => s.name)).toEqual(specs.map((_, i) => `member-${i + 1}`));
    expect(specs.filter((s) => s.connection === 'proxy')).toHaveLength(1);
    expect(specs.filter((s) => s.unreachable)).toHaveLength(1);
    const versions = new Set(specs.map((s) => s.ksVersion));
    expect([...versions].every((v) => fleetVersions(host).includes(v!))).toBe(true);
    expect(versions.size).toBe(Math.min(n, fleetVersions(host).length));
    const reachable = specs.filter((s) => s.connection !== 'proxy' && !s.unreachable);
    expect(reachable.map((s) => s.scenario)).toEqual(
      reachable.map((_, i) => ['healthy', 'token-cache', 'secret-mismatch', 'both'][i % 4]),
    );
  });

  it.each([
    ['4.1', ['4.1']],
    ['3.4', ['3.2', '3.3', '3.4']],
    ['3.3', ['3.2', '3.3']],
    ['3.0', ['3.0']],
  ] as const)('a %s host manages members of %j', (host, versions) => {
    expect(fleetVersions(host)).toEqual(versions);
  });

  it('refuses fewer than 4 members', () => {
    expect(() => mixedFleet(3)).toThrow(UsageError);
    expect(() => parseSandboxFlags({ scenario: 'mixed', members: '3' })).toThrow(/--members "3"/);
  });

  it('--scenario mixed defaults to 8 members and starts the fleet with a healthy host', () => {
    const f = parseSandboxFlags({ scenario: 'mixed' });
    expect(f.members).toBe(8);
    const run = sandboxMembers(f);
    expect(run.scenario).toBe('healthy');
    expect(run.members).toEqual(mixedFleet(8, '3.4'));
    expect(sandboxMembers(parseSandboxFlags({ scenario: 'both', members: '2' }))).toEqual({
      scenario: 'both',
      members: 2,
    });
  });

  it('an unknown scenario names the preset too', () => {
    expect(() => parseSandboxFlags({ scenario: 'mixd' })).toThrow(UsageError);
    try {
      parseSandboxFlags({ scenario: 'mixd' });
    } catch (e) {
      expect((e as UsageError).hint).toContain('mixed');
    }
  });

  it('starts: each member as specified, the proxy one without a context, the unreachable one refusing', async () => {
    const sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'healthy',
      members: mixedFleet(6, '3.4'),
      trafficIntervalMs: 0,
      backfill: false,
    });
    try {
      const members = sb.clusters.filter((c) => c.role === 'member');
      expect(members.map((c) => [c.name, c.ksVersion, c.scenario])).toEqual(
        mixedFleet(6, '3.4').map((s) => [s.name, s.ksVersion, s.scenario]),
      );
      const proxy = members.filter((c) => c.connection === 'proxy');
      expect(proxy.map((c) => c.context)).toEqual([null]);
      const down = members.filter((c) => c.unreachable);
      expect(down).toHaveLength(1);
      expect(await tcpConnect(down[0]!.url)).toBe('ECONNREFUSED');
    } finally {
      await sb.stop();
    }
  });
});
