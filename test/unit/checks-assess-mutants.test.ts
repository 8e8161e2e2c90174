/**
 * What diagnose reports for the hosts and members assess() cannot fully read — unreachable, not joined, no
 * context, a configuration that is missing or unreadable — and the host-side checks (host-cache,
 * host-cluster-status): each case states the status, code and args a user sees and the member's verdict.
 * Written for the mutants StrykerJS found surviving in assess.ts, cluster.ts, host-cache.ts, host-status.ts and
 * report.ts (issue 13).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { CHECK_IDS, type Finding } from '../../src/kubesphere/checks/report.js';
import type { JoinedCluster, MemberTarget } from '../../src/kubesphere/cluster/discovery.js';
import type { ClusterSnapshot, ObjectJson, ReadFailure } from '../../src/kubesphere/cluster/snapshot.js';
import { diagnoseDocument } from '../../src/output/diagnose-json.js';
import { fixture, snapshot, type SnapOptions } from '../helpers/snapshots.js';

const SECRET = 'FAKEv34hostJwtSecret000000000000';
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const fp = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);
const noSecret = { present: false, fingerprint: null, length: 0 };
const refused: ReadFailure = { kind: 'unreachable', message: 'connect ECONNREFUSED', hint: 'is it up?' };

const host = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'host' },
    installerSecret: SECRET,
    ...over,
  });

const member = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'member',
    yaml: fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${SECRET}"`),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'member' },
    installerSecret: SECRET,
    ...over,
  });

const unreachable = (snap: ClusterSnapshot, failure: ReadFailure = refused): ClusterSnapshot => ({
  ...snap,
  reachability: { ok: false, failure },
});

function joinedCluster(over: Partial<JoinedCluster> = {}): JoinedCluster {
  return {
    name: 'm1',
    connection: 'proxy',
    apiEndpoint: 'https://m1.example:6443',
    storedServer: undefined,
    kubesphereVersion: 'v3.4.1',
    conditions: [{ type: 'Ready', status: 'True' }],
    ...over,
  };
}

function target(over: Partial<MemberTarget> = {}): MemberTarget {
  return {
    cluster: 'm1',
    context: 'ctx-m1',
    method: 'context-name',
    connection: 'proxy',
    joined: joinedCluster(),
    ...over,
  };
}

const MEMBER_SKIPPED = [
  'kubesphere-config',
  'cluster-role',
  'jwt-secret-match',
  'jwt-secret-durable',
  'access-token-max-age',
  'apiserver-auth-errors',
  'apiserver-restart-pending',
];

const skip = (id: string, reason: string): Finding =>
  ({ id, status: 'skip', code: 'skipped', args: { reason } }) as Finding;

function run(
  members: Array<{ snap?: ClusterSnapshot; target?: MemberTarget; logs?: AuthLogSummary }>,
  o: { host?: ClusterSnapshot; hostLogs?: AuthLogSummary } = {},
) {
  return assess(
    { snapshot: o.host ?? host(), logs: o.hostLogs ?? noErrors },
    members.map((m) => ({
      gathered: m.snap ? { snapshot: m.snap, logs: m.logs ?? noErrors } : undefined,
      ...(m.target ? { target: m.target } : {}),
    })),
    { since: '1h' },
  );
}

const checkOf = (checks: Finding[], id: string) => checks.find((c) => c.id === id);

describe('a joined member that no context reaches', () => {
  it('one error row saying why, every member check skipped as unreachable, what the host sees last', () => {
    const r = run([{ target: target({ context: null, problem: 'proxy' }) }]).members[0]!;
    expect(r.checks).toEqual([
      {
        id: 'reachable',
        status: 'error',
        code: 'no-route-proxy',
        args: { cluster: 'm1', context: null },
      },
      ...MEMBER_SKIPPED.map((id) => skip(id, 'unreachable')),
      expect.objectContaining({ id: 'host-cluster-status', status: 'pass', code: 'host-sees-ready' }),
    ]);
    expect(r).toMatchObject({
      name: 'm1',
      context: null,
      server: 'https://m1.example:6443',
      kubesphereVersion: 'v3.4.1',
      clusterRole: null,
      discovery: { cluster: 'm1', method: 'context-name', connection: 'proxy' },
      jwtSecret: noSecret,
      status: 'error',
      cause: 'no-route',
    });
  });

  it('without a stated problem the code is no-route-no-context; the context names it when known', () => {
    const r = run([{ target: target() }]).members[0]!;
    expect(r.checks[0]).toMatchObject({
      code: 'no-route-no-context',
      args: { cluster: 'm1', context: 'ctx-m1' },
    });
    expect(r.name).toBe('ctx-m1');
  });

  it('neither context nor Cluster name: named "?"; not joined: no server, no version, host status not-joined', () => {
    const r = run([{ target: target({ cluster: null, context: null, joined: undefined, method: null }) }])
      .members[0]!;
    expect(r.name).toBe('?');
    expect(r.server).toBe(null);
    expect(r.kubesphereVersion).toBe(null);
    expect(r.discovery).toEqual({ cluster: null, method: null, connection: 'proxy' });
    expect(checkOf(r.checks, 'host-cluster-status')).toEqual({
      id: 'host-cluster-status',
      status: 'skip',
      code: 'not-joined',
      args: {},
    });
  });
});

describe('a member that does not answer', () => {
  it('error unreachable-<kind> with the message and hint, the rest skipped, verdict unreadable', () => {
    const r = run([{ snap: unreachable(member()) }]).members[0]!;
    expect(r.checks).toEqual([
      {
        id: 'reachable',
        status: 'error',
        code: 'unreachable-unreachable',
        args: { message: 'connect ECONNREFUSED', hint: 'is it up?' },
      },
      ...MEMBER_SKIPPED.map((id) => skip(id, 'unreachable')),
    ]);
    expect(r).toMatchObject({
      name: 'member',
      context: 'member',
      server: 'https://member.example:6443',
      kubesphereVersion: null,
      clusterRole: null,
      discovery: { cluster: null, method: 'flag', connection: null },
      jwtSecret: noSecret,
      status: 'error',
      cause: 'unreadable',
    });
  });

  it('a 401 is unreachable-unauthorized; with a joined target the version the host knows is shown', () => {
    const failure: ReadFailure = { kind: 'unauthorized', message: 'refused (401)' };
    const r = run([{ snap: unreachable(member(), failure), target: target() }]).members[0]!;
    expect(r.checks[0]).toMatchObject({
      code: 'unreachable-unauthorized',
      args: { message: 'refused (401)' },
    });
    expect(r.kubesphereVersion).toBe('v3.4.1');
    expect(r.discovery).toEqual({ cluster: 'm1', method: 'context-name', connection: 'proxy' });
    expect(r.checks.map((c) => c.id)).toEqual(['reachable', ...MEMBER_SKIPPED, 'host-cluster-status']);
  });

  it('a target known only by its Cluster name (not joined) still gets the host-cluster-status row', () => {
    const r = run([{ snap: unreachable(member()), target: target({ joined: undefined }) }]).members[0]!;
    expect(checkOf(r.checks, 'host-cluster-status')).toMatchObject({ status: 'skip', code: 'not-joined' });
    expect(r.kubesphereVersion).toBe(null);
  });
});

describe('a reachable member and what discovery knows of it', () => {
  it('no target: no host-cluster-status row, discovered by flag', () => {
    const r = run([{ snap: member() }]).members[0]!;
    expect(checkOf(r.checks, 'host-cluster-status')).toBe(undefined);
    expect(r.discovery).toEqual({ cluster: null, method: 'flag', connection: null });
    expect(r).toMatchObject({
      name: 'member',
      kubesphereVersion: 'v3.4.1',
      clusterRole: 'member',
      jwtSecret: { present: true, fingerprint: fp(SECRET), length: 32 },
    });
  });

  it('a target with neither Cluster name nor joined Cluster: no host-cluster-status row either', () => {
    const r = run([{ snap: member(), target: target({ cluster: null, joined: undefined }) }]).members[0]!;
    expect(checkOf(r.checks, 'host-cluster-status')).toBe(undefined);
  });

  it('a target named but not joined: host-cluster-status skip not-joined, the checks in order', () => {
    const r = run([{ snap: member(), target: target({ joined: undefined }) }]).members[0]!;
    expect(r.checks.map((c) => c.id)).toEqual([
      'reachable',
      'kubesphere-config',
      'cluster-role',
      'jwt-secret-match',
      'jwt-secret-durable',
      'access-token-max-age',
      'apiserver-auth-errors',
      'apiserver-restart-pending',
      'host-cluster-status',
    ]);
    expect(r.checks[0]).toEqual({
      id: 'reachable',
      status: 'pass',
      code: 'reachable',
      args: { kubernetesVersion: 'v1.27.10' },
    });
  });
});

describe('a host that does not answer', () => {
  it('error unreachable, its config, role and cache checks skipped; no version, no role, no secret', () => {
    const report = run([{ snap: member() }], { host: unreachable(host()) });
    expect(report.host).toEqual({
      context: 'host',
      server: 'https://host.example:6443',
      kubesphereVersion: null,
      clusterRole: null,
      jwtSecret: noSecret,
      checks: [
        {
          id: 'reachable',
          status: 'error',
          code: 'unreachable-unreachable',
          args: { message: 'connect ECONNREFUSED', hint: 'is it up?' },
        },
        skip('kubesphere-config', 'unreachable'),
        skip('cluster-role', 'unreachable'),
        skip('host-cache', 'unreachable'),
      ],
    });
    const m = report.members[0]!;
    expect(checkOf(m.checks, 'jwt-secret-match')).toEqual(skip('jwt-secret-match', 'host'));
    expect(checkOf(m.checks, 'jwt-secret-durable')).toEqual(skip('jwt-secret-durable', 'host'));
    expect(m).toMatchObject({ status: 'error', cause: 'unreadable' });
  });

  it('a sound host: identity, fingerprint and checks in order', () => {
    const report = run([{ snap: member() }]);
    expect(report.host).toMatchObject({
      context: 'host',
      kubesphereVersion: 'v3.4.1',
      clusterRole: 'host',
      jwtSecret: { present: true, fingerprint: fp(SECRET), length: 32 },
    });
    expect(report.host.checks.map((c) => [c.id, c.status])).toEqual([
      ['reachable', 'pass'],
      ['kubesphere-config', 'pass'],
      ['cluster-role', 'pass'],
      ['host-cache', 'pass'],
    ]);
  });
});

describe('kubesphere-config', () => {
  const configCheck = (snap: ClusterSnapshot) =>
    checkOf(run([{ snap }]).members[0]!.checks, 'kubesphere-config');

  it('sound: pass config-ok with version and layout, no duplicates', () => {
    expect(configCheck(member())).toEqual({
      id: 'kubesphere-config',
      status: 'pass',
      code: 'config-ok',
      args: { version: 'v3.4.1', layout: 'v3', duplicates: '' },
      evidence: { kubesphereVersion: 'v3.4.1', layout: 'v3' },
    });
  });

  it('duplicate keys: pass config-ok-duplicates, the keys listed', () => {
    const c = configCheck(member({ yaml: fixture('v3.4-member-duplicate-keys.yaml') }));
    expect(c?.status).toBe('pass');
    expect(c?.code).toBe('config-ok-duplicates');
    expect(c?.args.duplicates).toBe('authentication.oauthOptions.accessTokenMaxAge');
    expect(c?.evidence).toEqual({
      kubesphereVersion: 'v3.4.1',
      layout: 'v3',
      duplicateKeys: ['authentication.oauthOptions.accessTokenMaxAge'],
    });
  });

  it('no ConfigMap: error config-missing, cause not-kubesphere; every check reading it skipped (reason config)', () => {
    const r = run([{ snap: { ...member(), configMap: null } }]).members[0]!;
    expect(checkOf(r.checks, 'kubesphere-config')).toEqual({
      id: 'kubesphere-config',
      status: 'error',
      code: 'config-missing',
      args: {},
    });
    for (const id of ['cluster-role', 'jwt-secret-match', 'jwt-secret-durable', 'access-token-max-age']) {
      expect(checkOf(r.checks, id)).toEqual(skip(id, 'config'));
    }
    // The role still shows, from the ClusterConfiguration.
    expect(r).toMatchObject({ status: 'error', cause: 'not-kubesphere', clusterRole: 'member' });
    expect(r.jwtSecret).toEqual(noSecret);
  });

  it('no kubesphere.yaml key: error config-key-missing', () => {
    const snap = member();
    const cm: ObjectJson = { ...(snap.configMap as ObjectJson), data: {} };
    const c = configCheck({ ...snap, configMap: cm });
    expect(c).toEqual({ id: 'kubesphere-config', status: 'error', code: 'config-key-missing', args: {} });
  });

  it('does not parse: fail config-unparseable with the reason', () => {
    const c = configCheck(member({ yaml: 'authentication: [unclosed\n  : : :' }));
    expect([c?.status, c?.code]).toEqual(['fail', 'config-unparseable']);
    expect(typeof c?.args.reason).toBe('string');
    expect(String(c?.args.reason).length).toBeGreaterThan(0);
  });

  it('could not be read: error config-unreadable with the message and hint', () => {
    const failure: ReadFailure = { kind: 'forbidden', message: 'cannot get configmaps (403)', hint: 'ask' };
    const c = configCheck({ ...member(), configMap: { failure } });
    expect(c).toEqual({
      id: 'kubesphere-config',
      status: 'error',
      code: 'config-unreadable',
      args: { message: 'cannot get configmaps (403)', hint: 'ask' },
    });
  });
  it('two duplicated keys are listed comma-separated', () => {
    const yaml = fixture('v3.4-member-duplicate-keys.yaml').replace(
      '  maximumClockSkew: 10s\n',
      '  maximumClockSkew: 10s\n  maximumClockSkew: 20s\n',
    );
    const c = configCheck(member({ yaml }));
    expect(c?.args.duplicates).toBe(
      'authentication.maximumClockSkew, authentication.oauthOptions.accessTokenMaxAge',
    );
  });

  it('a ConfigMap that was not read at all: error config-unreadable, no message to show', () => {
    const c = configCheck({ ...member(), configMap: undefined });
    expect(c).toEqual({
      id: 'kubesphere-config',
      status: 'error',
      code: 'config-unreadable',
      args: { message: undefined, hint: undefined },
    });
  });
});

describe('cluster-role', () => {
  const roleYaml = (role: string | null) => {
    const y = fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${SECRET}"`);
    return role === null
      ? y.replace(/\n\s*clusterRole: .*/, '')
      : y.replace(/clusterRole: .*/, `clusterRole: ${role}`);
  };

  it('member says member: pass role-ok with role, source and the expected role', () => {
    const c = checkOf(run([{ snap: member() }]).members[0]!.checks, 'cluster-role');
    expect(c).toEqual({
      id: 'cluster-role',
      status: 'pass',
      code: 'role-ok',
      args: { role: 'member', source: 'kubesphere.yaml', expected: 'member' },
    });
  });

  it('no role anywhere: warn role-unknown, role null, source none', () => {
    const c = checkOf(
      run([{ snap: member({ yaml: roleYaml(null), cc: undefined }) }]).members[0]!.checks,
      'cluster-role',
    );
    expect(c).toMatchObject({ status: 'warn', code: 'role-unknown', args: { role: null, source: 'none' } });
  });

  it('a member that says none: fail member-not-member (wrong-role only when it says host)', () => {
    const r = run([{ snap: member({ yaml: roleYaml('none') }) }]).members[0]!;
    expect(checkOf(r.checks, 'cluster-role')).toMatchObject({
      status: 'fail',
      code: 'member-not-member',
      args: { role: 'none', expected: 'member' },
    });
    expect(r.cause).toBe('wrong-role');
  });

  it('a host that says member: fail host-not-host on the host', () => {
    const h = host({ yaml: fixture('v3.4-host.yaml').replace(/clusterRole: .*/, 'clusterRole: member') });
    expect(checkOf(run([{ snap: member() }], { host: h }).host.checks, 'cluster-role')).toMatchObject({
      status: 'fail',
      code: 'host-not-host',
      args: { role: 'member', expected: 'host' },
    });
  });

  it('a host whose file does not parse: its role and cache checks skipped for the configuration', () => {
    const h = host({ yaml: 'authentication: [unclosed\n  : : :' });
    const checks = run([{ snap: member() }], { host: h }).host.checks;
    expect(checkOf(checks, 'cluster-role')).toEqual(skip('cluster-role', 'config'));
    expect(checkOf(checks, 'host-cache')).toEqual(skip('host-cache', 'config'));
  });
});

describe('host-cache', () => {
  const cacheCheck = (h: ClusterSnapshot, hostLogs?: AuthLogSummary) =>
    checkOf(
      run([{ snap: member() }], { host: h, ...(hostLogs ? { hostLogs } : {}) }).host.checks,
      'host-cache',
    );
  const redisYaml = fixture('v3.4-host.yaml') + 'cache:\n  type: redis\n';

  it('one replica: pass host-cache-ok with replicas, cache type and no misses', () => {
    expect(cacheCheck(host())).toEqual({
      id: 'host-cache',
      status: 'pass',
      code: 'host-cache-ok',
      args: { replicas: 1, cache: 'none', hostCacheMisses: 0 },
    });
  });

  it('two replicas without Redis: fail host-cache-in-memory, the misses counted, the source in evidence', () => {
    const logs: AuthLogSummary = {
      linesScanned: 9,
      containersScanned: 2,
      kinds: { 'cache-miss': { count: 4, first: null, last: null, samples: [] } },
    };
    const c = cacheCheck(host({ replicas: 2 }), logs);
    expect(c).toEqual({
      id: 'host-cache',
      status: 'fail',
      code: 'host-cache-in-memory',
      args: { replicas: 2, cache: 'none', hostCacheMisses: 4 },
      evidence: { replicas: 2, cache: 'none', hostCacheMisses: 4, source: 'absent' },
    });
  });

  // The token cache is only consulted when accessTokenMaxAge is not 0 (the member-side fix rests on the same).
  it('two replicas without Redis but a host accessTokenMaxAge of 0s: pass host-cache-unused', () => {
    const yaml = fixture('v3.4-host.yaml').replace(
      /^ {2}oauthOptions:\n/m,
      '  oauthOptions:\n    accessTokenMaxAge: 0s\n',
    );
    const c = cacheCheck(host({ replicas: 2, yaml }));
    expect(c).toMatchObject({ status: 'pass', code: 'host-cache-unused', args: { replicas: 2 } });
  });

  it('two replicas with Redis: pass', () => {
    const c = cacheCheck(host({ replicas: 2, yaml: redisYaml }));
    expect(c).toMatchObject({ status: 'pass', code: 'host-cache-ok', args: { replicas: 2, cache: 'redis' } });
  });

  it('a host Deployment that could not be read, on a host whose file does not parse: skipped for the configuration', () => {
    const failure: ReadFailure = { kind: 'forbidden', message: 'cannot get deployments (403)' };
    const h: ClusterSnapshot = {
      ...host({ yaml: 'authentication: [unclosed\n  : : :' }),
      apiserverDeployment: { failure },
    };
    expect(cacheCheck(h)).toEqual(skip('host-cache', 'config'));
  });

  it('no host log summary (logs not read): no cache misses counted', () => {
    const report = assess({ snapshot: host({ replicas: 2 }) }, [], { since: '1h' });
    expect(checkOf(report.host.checks, 'host-cache')).toMatchObject({
      status: 'fail',
      args: { replicas: 2, hostCacheMisses: 0 },
    });
  });

  it('no ks-apiserver Deployment on the host: skipped', () => {
    const c = cacheCheck({ ...host(), apiserverDeployment: null });
    expect(c).toEqual(skip('host-cache', 'config'));
  });
});

describe('host-cluster-status', () => {
  const status = (joined: JoinedCluster) =>
    checkOf(run([{ snap: member(), target: target({ joined }) }]).members[0]!.checks, 'host-cluster-status');

  it('all conditions True: pass host-sees-ready with cluster, version, connection and the conditions', () => {
    const c = status(
      joinedCluster({
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterReady' },
          { type: 'AgentAvailable', status: 'True' },
        ],
      }),
    );
    expect(c).toEqual({
      id: 'host-cluster-status',
      status: 'pass',
      code: 'host-sees-ready',
      args: { cluster: 'm1', version: 'v3.4.1', connection: 'proxy' },
      evidence: {
        cluster: 'm1',
        connection: 'proxy',
        kubesphereVersion: 'v3.4.1',
        conditions: [
          { type: 'Ready', status: 'True', reason: 'ClusterReady' },
          { type: 'AgentAvailable', status: 'True' },
        ],
      },
    });
  });

  it('no version known: null', () => {
    const c = status(joinedCluster({ kubesphereVersion: undefined }));
    expect(c?.args.version).toBe(null);
    expect(c?.evidence?.kubesphereVersion).toBe(null);
  });

  it('the agent down: fail host-sees-not-ready naming AgentAvailable; no message: null', () => {
    const c = status(
      joinedCluster({
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'AgentAvailable', status: 'False' },
        ],
      }),
    );
    expect(c).toMatchObject({
      status: 'fail',
      code: 'host-sees-not-ready',
      args: { cluster: 'm1', conditions: 'AgentAvailable', message: null },
    });
  });

  it('several conditions not True: all listed, the message of the first', () => {
    const c = status(
      joinedCluster({
        conditions: [
          { type: 'KSCoreReady', status: 'Unknown', message: 'core not ready' },
          { type: 'Ready', status: 'False', message: 'cannot reach' },
        ],
      }),
    );
    expect(c?.args).toMatchObject({ conditions: 'Ready, KSCoreReady', message: 'cannot reach' });
  });

  it('an unrelated condition False does not matter', () => {
    const c = status(joinedCluster({ conditions: [{ type: 'Federated', status: 'False' }] }));
    expect([c?.status, c?.code]).toEqual(['pass', 'host-sees-ready']);
  });

  it('its kubeconfig certificate expiring within 7 days: warn host-sees-cert-expiring', () => {
    const c = status(
      joinedCluster({
        conditions: [
          { type: 'Ready', status: 'True' },
          { type: 'KubeConfigCertExpiresInSevenDays', status: 'True' },
        ],
      }),
    );
    expect(c).toMatchObject({ status: 'warn', code: 'host-sees-cert-expiring', args: { cluster: 'm1' } });
    const later = status(
      joinedCluster({ conditions: [{ type: 'KubeConfigCertExpiresInSevenDays', status: 'False' }] }),
    );
    expect(later?.code).toBe('host-sees-ready');
  });
});

describe('the JSON document', () => {
  it('summary counts every finding of the host and the members by status', () => {
    const report = run([{ snap: member() }, { snap: unreachable(member()) }, { target: target() }]);
    const doc = diagnoseDocument(report, { status: 'error', exitCode: 3 });
    // host: 4 pass; sound member: 8 pass; unreachable member: 1 error, 7 skip; no route: 1 error, 7 skip, 1 pass
    expect(doc.summary).toEqual({ pass: 13, fail: 0, warn: 0, skip: 14, error: 2 });
  });

  it('the check ids are exactly those the published schema allows, in its order', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../schema/diagnose.schema.json', import.meta.url), 'utf8'),
    );
    expect([...CHECK_IDS]).toEqual(schema.$defs.check.properties.id.enum);
  });
});
