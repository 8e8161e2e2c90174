/**
 * The verdict: one cause per member, by precedence (what blocks the console most first), from hand-built
 * snapshots. The cause decides the exit code and whether the text report offers `ks-restore repair`.
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import type { Cause } from '../../src/kubesphere/checks/report.js';
import { causeFixable } from '../../src/kubesphere/checks/verdict.js';
import type { JoinedCluster, MemberTarget } from '../../src/kubesphere/cluster/discovery.js';
import type { ClusterSnapshot, ObjectJson, ReadFailure } from '../../src/kubesphere/cluster/snapshot.js';
import { fixture, snapshot, type SnapOptions } from '../helpers/snapshots.js';

const SECRET = 'FAKEv34hostJwtSecret000000000000';
const OTHER = 'FAKEotherJwtSecret00000000000000';
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const signatureErrors: AuthLogSummary = {
  linesScanned: 40,
  containersScanned: 1,
  kinds: { 'signature-invalid': { count: 3, first: null, last: null, samples: [] } },
};
const forbidden: ReadFailure = { kind: 'forbidden', message: 'not allowed (403 Forbidden)', hint: 'ask' };

const host = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'host' },
    installerSecret: SECRET,
    ...over,
  });

function yaml(o: { secret?: string; role?: string; maxAge?: string } = {}): string {
  return fixture('v3.4-member.yaml')
    .replace(/jwtSecret: .*/, `jwtSecret: "${o.secret ?? SECRET}"`)
    .replace(/clusterRole: .*/, `clusterRole: ${o.role ?? 'member'}`)
    .replace(/accessTokenMaxAge: .*/, `accessTokenMaxAge: ${o.maxAge ?? '0'}`);
}

const member = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'member',
    yaml: yaml(),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'member' },
    installerSecret: SECRET,
    ...over,
  });

/** A 3.2 member (no hot reload) whose pods started before its config was written. */
const v32StalePods = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'member',
    yaml: fixture('v3.2-member.yaml'),
    image: 'kubesphere/ks-apiserver:v3.2.1',
    cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'member' },
    installerSecret: 'FAKEv32hostJwtSecret000000000000',
    configWrittenAt: '2026-11-26T10:00:00Z',
    podsStartedAt: '2026-11-25T10:00:00Z',
    ...over,
  });
const v32host = (): ClusterSnapshot =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.2-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.2.1',
    cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'host' },
    installerSecret: 'FAKEv32hostJwtSecret000000000000',
  });

function joined(ready: 'True' | 'False'): MemberTarget {
  const cluster: JoinedCluster = {
    name: 'member',
    connection: 'direct',
    apiEndpoint: undefined,
    storedServer: undefined,
    kubesphereVersion: 'v3.4.1',
    conditions: [{ type: 'Ready', status: ready, message: 'the host cannot reach the member' }],
  };
  return {
    cluster: 'member',
    context: 'member',
    method: 'context-name',
    connection: 'direct',
    joined: cluster,
  };
}

function run(
  m: ClusterSnapshot,
  o: { host?: ClusterSnapshot; logs?: AuthLogSummary; target?: MemberTarget } = {},
) {
  const report = assess(
    { snapshot: o.host ?? host(), logs: noErrors },
    [{ gathered: { snapshot: m, logs: o.logs ?? noErrors }, ...(o.target ? { target: o.target } : {}) }],
    { since: '1h' },
  );
  const r = report.members[0]!;
  return {
    verdict: { status: r.status, cause: r.cause },
    check: (id: string) => r.checks.find((c) => c.id === id),
    host: report.host,
  };
}

describe('the verdict of one member', () => {
  it('a sound member is healthy', () => {
    expect(run(member()).verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('a member whose kubesphere.yaml does not parse is unhealthy (config-invalid), never healthy', () => {
    const r = run(member({ yaml: 'authentication: [unclosed\n  : : :' }));
    expect(r.check('kubesphere-config')?.code).toBe('config-unparseable');
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'config-invalid' });
  });

  it('unreachable: error, unreadable, whatever else', () => {
    const m: ClusterSnapshot = { ...member(), reachability: { ok: false, failure: forbidden } };
    const r = run(m);
    expect(r.verdict).toEqual({ status: 'error', cause: 'unreadable' });
    expect(r.check('reachable')).toMatchObject({ status: 'error', code: 'unreachable-forbidden' });
  });

  it('unreachable although the host sees it not ready: still error, unreadable (nothing on the member was read)', () => {
    const m: ClusterSnapshot = { ...member(), reachability: { ok: false, failure: forbidden } };
    const r = run(m, { target: joined('False') });
    expect(r.check('host-cluster-status')?.status).toBe('fail');
    expect(r.verdict).toEqual({ status: 'error', cause: 'unreadable' });
  });

  it('no kubesphere-config ConfigMap: error, not-kubesphere', () => {
    expect(run({ ...member(), configMap: null }).verdict).toEqual({
      status: 'error',
      cause: 'not-kubesphere',
    });
  });

  it('a kubesphere-config without kubesphere.yaml: error, not-kubesphere', () => {
    const snap = member();
    const m: ClusterSnapshot = {
      ...snap,
      configMap: { ...(snap.configMap as ObjectJson), data: {} },
    };
    expect(run(m).verdict).toEqual({ status: 'error', cause: 'not-kubesphere' });
  });

  it('a kubesphere-config that could not be read: error, unreadable (not "not KubeSphere")', () => {
    const r = run({ ...member(), configMap: { failure: forbidden } });
    expect(r.check('kubesphere-config')).toMatchObject({ status: 'error', code: 'config-unreadable' });
    expect(r.verdict).toEqual({ status: 'error', cause: 'unreadable' });
  });

  it('a member that says it is the host: wrong-role, before a secret mismatch', () => {
    const r = run(member({ yaml: yaml({ role: 'host', secret: OTHER }) }));
    expect(r.check('cluster-role')).toMatchObject({
      status: 'fail',
      code: 'member-not-member',
      args: { role: 'host', expected: 'member' },
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'wrong-role' });
  });

  it('role none and another secret: the secret mismatch comes first', () => {
    const r = run(member({ yaml: yaml({ role: 'none', secret: OTHER }) }));
    expect(r.check('cluster-role')).toMatchObject({ status: 'fail', code: 'member-not-member' });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'secret-mismatch' });
  });

  it('role none and a non-zero maxAge: token-cache comes first', () => {
    const r = run(member({ yaml: yaml({ role: 'none', maxAge: '2h' }) }));
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'token-cache' });
  });

  it('role none and nothing else: wrong-role', () => {
    expect(run(member({ yaml: yaml({ role: 'none' }) })).verdict).toEqual({
      status: 'unhealthy',
      cause: 'wrong-role',
    });
  });

  it('role none in the file and in the ClusterConfiguration: installer-revert comes first', () => {
    const r = run(member({ yaml: yaml({ role: 'none' }), cc: { jwtSecret: SECRET, clusterRole: 'none' } }));
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'installer-revert' });
  });

  it('installer-revert comes before a pending restart', () => {
    const r = run(v32StalePods({ cc: { jwtSecret: OTHER, clusterRole: 'member' } }), { host: v32host() });
    expect(r.check('apiserver-restart-pending')?.status).toBe('fail');
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'installer-revert' });
  });

  it('token-cache comes before a pending restart', () => {
    const m = v32StalePods({
      yaml: fixture('v3.2-member.yaml').replace(/accessTokenMaxAge: .*/, 'accessTokenMaxAge: 2h'),
    });
    expect(run(m, { host: v32host() }).verdict).toEqual({ status: 'unhealthy', cause: 'token-cache' });
  });

  it('a pending restart (3.2) comes before the errors the old pods logged', () => {
    const r = run(v32StalePods(), { host: v32host(), logs: signatureErrors });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'restart-pending' });
  });

  it('wrong-role comes before a pending restart', () => {
    const m = v32StalePods({ cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'host' } });
    const r = run(m, { host: v32host() });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'wrong-role' });
  });

  it('clock skew in the logs: clock-skew, before what the host sees', () => {
    const logs: AuthLogSummary = {
      linesScanned: 5,
      containersScanned: 1,
      kinds: { 'clock-skew': { count: 1, first: null, last: null, samples: [] } },
    };
    expect(run(member(), { logs, target: joined('False') }).verdict).toEqual({
      status: 'unhealthy',
      cause: 'clock-skew',
    });
  });

  it('stale errors in the logs come before what the host sees', () => {
    expect(run(member(), { logs: signatureErrors, target: joined('False') }).verdict).toEqual({
      status: 'unhealthy',
      cause: 'stale-errors',
    });
  });

  it('the host sees the member not ready: host-sees-not-ready, with the condition and its message', () => {
    const r = run(member(), { target: joined('False') });
    expect(r.check('host-cluster-status')).toMatchObject({
      status: 'fail',
      code: 'host-sees-not-ready',
      args: { cluster: 'member', conditions: 'Ready', message: 'the host cannot reach the member' },
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'host-sees-not-ready' });
  });

  it('the host sees it ready: healthy', () => {
    const r = run(member(), { target: joined('True') });
    expect(r.check('host-cluster-status')).toMatchObject({ status: 'pass', code: 'host-sees-ready' });
    expect(r.verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('what the host sees comes before a check that could not be read', () => {
    const m: ClusterSnapshot = { ...member(), pods: { failure: forbidden } };
    delete m.logs;
    expect(run(m, { target: joined('False') }).verdict).toEqual({
      status: 'unhealthy',
      cause: 'host-sees-not-ready',
    });
  });

  // kubesphere#4060: the host's own replicas lose its tokens, so the console keeps bouncing: not healthy.
  it('several host replicas without Redis: unhealthy, cause host-cache, the host check failing', () => {
    const r = run(member(), { host: host({ replicas: 2 }) });
    expect(r.host.checks.find((c) => c.id === 'host-cache')).toMatchObject({
      status: 'fail',
      code: 'host-cache-in-memory',
      args: { replicas: 2, hostCacheMisses: 0 },
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'host-cache' });
  });

  it("a member's own cause comes before the host's cache: token-cache, not host-cache", () => {
    expect(run(member({ yaml: yaml({ maxAge: '2h' }) }), { host: host({ replicas: 2 }) }).verdict).toEqual({
      status: 'unhealthy',
      cause: 'token-cache',
    });
  });

  it('a member check that could not be read comes before the host-cache failure: error, unreadable', () => {
    const m: ClusterSnapshot = { ...member(), pods: { failure: forbidden } };
    delete m.logs;
    expect(run(m, { host: host({ replicas: 2 }) }).verdict).toEqual({ status: 'error', cause: 'unreadable' });
  });
});

describe('causes that ks-restore repair fixes on the member (the text report then offers the command)', () => {
  const CASES: Array<[Cause, boolean]> = [
    ['secret-mismatch-and-token-cache', true],
    ['secret-mismatch', true],
    ['token-cache', true],
    ['installer-revert', true],
    ['restart-pending', true],
    ['healthy', false],
    ['unreadable', false],
    ['not-kubesphere', false],
    ['config-invalid', false],
    ['wrong-role', false],
    ['clock-skew', false],
    ['host-cache', false],
    ['stale-errors', false],
    ['no-route', false],
    ['host-sees-not-ready', false],
  ];
  it.each(CASES)('%s: %s', (cause, fixable) => {
    expect(causeFixable(cause)).toBe(fixable);
  });
});
