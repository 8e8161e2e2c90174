import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { planIsEmpty, planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { diagnoseDocument } from '../../src/output/diagnose-json.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const cacheMisses: AuthLogSummary = {
  linesScanned: 40,
  containersScanned: 1,
  kinds: {
    'cache-miss': {
      count: 12,
      first: '2026-11-28T11:00:00Z',
      last: '2026-11-28T11:59:00Z',
      samples: ['W1128 11:59:00.000000       1 jwt.go:53] token not found in cache'],
    },
  },
};

function yamlOf(obj: unknown): string {
  return (obj as { data: Record<string, string> }).data['kubesphere.yaml']!;
}

function run(host: ClusterSnapshot, member: ClusterSnapshot, logs = noErrors, force = false) {
  const report = assess({ snapshot: host, logs: noErrors }, [{ gathered: { snapshot: member, logs } }], {
    since: '1h',
  });
  const m = report.members[0]!;
  const plan = planMemberRepair({
    host: { facts: deriveFacts(host), server: host.server },
    member: { snapshot: member, facts: deriveFacts(member), report: m },
    force,
  });
  return { report, member: m, plan, status: (id: string) => m.checks.find((c) => c.id === id)?.status };
}

const v34host = () =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: 'FAKEv34hostJwtSecret000000000000', clusterRole: 'host' },
    installerSecret: 'FAKEv34hostJwtSecret000000000000',
  });
const v32host = () =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.2-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.2.1',
    cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'host' },
    installerSecret: 'FAKEv32hostJwtSecret000000000000',
  });
const v34member = (over: Partial<Parameters<typeof snapshot>[0]> = {}) =>
  snapshot({
    context: 'member',
    yaml: fixture('v3.4-member.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: 'FAKEv34hostJwtSecret000000000000', clusterRole: 'member' },
    installerSecret: 'FAKEv34hostJwtSecret000000000000',
    ...over,
  });

describe('assess + plan on hand-built snapshots', () => {
  it('a healthy 3.4 member: every member check passes and repair has nothing to do', () => {
    const r = run(v34host(), v34member());
    expect(r.member.status).toBe('healthy');
    expect(r.member.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(planIsEmpty(r.plan)).toBe(true);
  });

  it('3.2 hand-edited member with 2h: token-cache; only that value changes, comments stay', () => {
    const host = v32host();
    const yaml = fixture('v3.2-member-hand-edited.yaml');
    const member = snapshot({
      context: 'member',
      yaml,
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'member' },
      installerSecret: 'FAKEv32hostJwtSecret000000000000',
    });
    const r = run(host, member, cacheMisses);
    expect(r.member.cause).toBe('token-cache');
    expect(r.status('access-token-max-age')).toBe('fail');
    expect(r.status('apiserver-auth-errors')).toBe('fail');
    expect(r.plan.writes.map((w) => w.target)).toEqual(['configmap']);
    const after = yamlOf(r.plan.writes[0]!.after);
    const changed = yaml.split('\n').filter((line, i) => after.split('\n')[i] !== line);
    expect(changed).toEqual(['    accessTokenMaxAge: 2h    # TODO(ops): back to 0 after debugging']);
    expect(after).toContain('accessTokenMaxAge: 0s    # TODO(ops): back to 0 after debugging');
    expect(r.plan.restart).toMatchObject({ name: 'ks-apiserver', reason: 'config-changed' });
  });

  it('4.1 member with a stale secret: secret-mismatch; the secret is copied host → member and ks-agent restarts', () => {
    const host = snapshot({
      context: 'host',
      yaml: fixture('v4.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
    });
    const member = snapshot({
      context: 'member',
      yaml: fixture('v4.1-member-stale-secret.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
      agent: true,
    });
    const r = run(host, member);
    expect(r.member.cause).toBe('secret-mismatch');
    // 4.x does not self-heal (issue 12 point 4): a warning, not a cause.
    expect(r.status('jwt-secret-durable')).toBe('warn');
    expect(r.plan.writes.map((w) => w.target)).toEqual(['configmap']);
    const after = yamlOf(r.plan.writes[0]!.after);
    expect(after).toContain('jwtSecret: "FAKEv41hostJwtSecret000000000000"');
    expect(r.plan.restart?.name).toBe('ks-agent');
  });

  it('re-marshaled 3.3 member with another secret, 2h and role none: both causes; CC and kubesphere-secret made durable', () => {
    const host = snapshot({
      context: 'host',
      yaml: fixture('v3.3-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.3.2',
      cc: { jwtSecret: 'FAKEv33hostJwtSecret000000000000', clusterRole: 'host' },
      installerSecret: 'FAKEv33hostJwtSecret000000000000',
    });
    const member = snapshot({
      context: 'member',
      yaml: fixture('v3.3-member-go-remarshaled-2h.yaml'),
      image: 'kubesphere/ks-apiserver:v3.3.2',
      cc: { jwtSecret: '', clusterRole: 'none' },
      installerSecret: 'FAKEv33otherJwtSecret00000000000',
    });
    const r = run(host, member);
    expect(r.member.cause).toBe('secret-mismatch-and-token-cache');
    expect(r.status('jwt-secret-durable')).toBe('fail');
    expect(r.plan.writes.map((w) => w.target)).toEqual(['secret', 'configmap', 'clusterconfiguration']);
    const cc = r.plan.writes[2]!.after as unknown as {
      spec: {
        authentication: { jwtSecret: string };
        multicluster: { clusterRole: string };
        persistence: unknown;
      };
    };
    expect(cc.spec.authentication.jwtSecret).toBe('FAKEv33hostJwtSecret000000000000');
    expect(cc.spec.multicluster.clusterRole).toBe('member');
    expect(cc.spec.persistence).toEqual({ storageClass: '' });
  });

  it('installer-revert: the ConfigMap is right but the ClusterConfiguration would render the old state', () => {
    const r = run(
      v34host(),
      v34member({
        cc: { jwtSecret: 'FAKEold000000000000000000000000', clusterRole: 'none' },
        installerSecret: 'FAKEold000000000000000000000000',
      }),
    );
    expect(r.member.cause).toBe('installer-revert');
    expect(r.plan.writes.map((w) => w.target)).toEqual(['secret', 'clusterconfiguration']);
    expect(r.plan.restart).toBeUndefined();
  });

  // ks-installer v3.4.1 kubesphere-config.yaml.j2 renders the CC's oauthOptions, then the member's 0: the last wins.
  it("3.4: a ClusterConfiguration accessTokenMaxAge of 2h is rendered before the member's 0, which wins: left alone", () => {
    const r = run(
      v34host(),
      v34member({
        cc: { jwtSecret: 'FAKEv34hostJwtSecret000000000000', clusterRole: 'member', accessTokenMaxAge: '2h' },
      }),
    );
    expect(r.status('jwt-secret-durable')).toBe('pass');
    expect(r.member.cause).toBe('healthy');
    expect(r.plan.writes).toEqual([]);
  });

  it("a new jwtSecret in kubesphere-secret re-signs the installer's static token, claims unchanged", () => {
    const oldSecret = 'FAKEold000000000000000000000000';
    const claims = Buffer.from(
      '{"email":"admin@kubesphere.io","username":"admin","token_type":"static_token"}',
    ).toString('base64url');
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
    const sign = (secret: string) =>
      createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
    const r = run(
      v34host(),
      v34member({
        cc: { jwtSecret: '', clusterRole: 'member' },
        installerSecret: oldSecret,
        installerToken: `${header}.${claims}.${sign(oldSecret)}`,
      }),
    );
    const secret = r.plan.writes.find((w) => w.target === 'secret')!;
    const data = (secret.after as unknown as { data: Record<string, string> }).data;
    const token = Buffer.from(data.token!, 'base64').toString('utf8');
    expect(token).toBe(`${header}.${claims}.${sign('FAKEv34hostJwtSecret000000000000')}`);
    expect(secret.changes.map((c) => c.path)).toEqual(['data.secret', 'data.token (re-signed)']);
    expect(JSON.stringify(secret.changes)).not.toContain(token);
  });

  it('kubesphere-secret unreadable (RBAC): durability is a warning, not a pass', () => {
    const member = {
      ...v34member({ cc: { jwtSecret: '', clusterRole: 'member' } }),
      kubesphereSecret: { failure: { kind: 'forbidden' as const, message: 'forbidden' } },
    };
    const r = run(v34host(), member);
    const durable = r.member.checks.find((c) => c.id === 'jwt-secret-durable')!;
    expect(durable).toMatchObject({ status: 'warn', code: 'durable-secret-unreadable' });
    expect(r.member.status).toBe('healthy');
  });

  it('restart pending: the ConfigMap changed after the pods started (3.2 needs a restart)', () => {
    const host = v32host();
    const member = snapshot({
      context: 'member',
      yaml: fixture('v3.2-member.yaml'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'member' },
      installerSecret: 'FAKEv32hostJwtSecret000000000000',
      podsStartedAt: '2026-11-20T09:00:00Z',
      configWrittenAt: '2026-11-28T11:00:00Z',
    });
    const r = run(host, member, cacheMisses);
    expect(r.member.cause).toBe('restart-pending');
    expect(r.status('apiserver-restart-pending')).toBe('fail');
    expect(r.plan.writes).toEqual([]);
    expect(r.plan.restart).toMatchObject({ name: 'ks-apiserver', reason: 'restart-pending' });
  });

  it('role guard: a host given as --member is refused, and --force says it overrode', () => {
    const asMember = snapshot({
      context: 'other-host',
      yaml: fixture('v3.4-host.yaml').replace(
        'FAKEv34hostJwtSecret000000000000',
        'FAKEotherhost00000000000000000000',
      ),
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: '', clusterRole: 'host' },
      installerSecret: 'FAKEotherhost00000000000000000000',
    });
    const r = run(v34host(), asMember);
    expect(r.status('cluster-role')).toBe('fail');
    expect(r.plan.refusal?.code).toBe('wrong-role-host');
    expect(r.plan.writes).toEqual([]);
    const forced = run(v34host(), asMember, noErrors, true);
    expect(forced.plan.refusal).toBeUndefined();
    expect(forced.plan.forced).toBe(true);
  });

  it('an unreachable member is an error with every other check skipped, and repair plans nothing', () => {
    const member: ClusterSnapshot = {
      ...v34member(),
      reachability: {
        ok: false,
        failure: { kind: 'unreachable', message: 'connection refused', hint: 'check the URL' },
      },
    };
    const r = run(v34host(), member);
    expect(r.member.status).toBe('error');
    expect(r.member.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
    expect(r.plan.refusal?.code).toBe('not-readable');
  });

  it('host with 3 replicas and no Redis: host-cache fails, the member is unhealthy, repair refuses with the host fix', () => {
    const yaml = fixture('v3.4-host.yaml').replace(/\ncache:\n(?: .*\n)+/, '\n');
    const host = snapshot({ context: 'host', yaml, image: 'kubesphere/ks-apiserver:v3.4.1', replicas: 3 });
    const r = run(host, v34member());
    expect(r.report.host.checks.find((c) => c.id === 'host-cache')?.status).toBe('fail');
    expect(r.member).toMatchObject({ status: 'unhealthy', cause: 'host-cache' });
    expect(r.plan.writes).toEqual([]);
    expect(r.plan.refusal).toEqual({ code: 'not-repairable', args: { cause: 'host-cache' } });
  });

  it('no secret value appears anywhere in the JSON document', () => {
    const member = snapshot({
      context: 'member',
      yaml: fixture('v3.3-member-go-remarshaled-2h.yaml'),
      image: 'kubesphere/ks-apiserver:v3.3.2',
      cc: { jwtSecret: 'FAKEccSecret0000000000000000000', clusterRole: 'none' },
      installerSecret: 'FAKEinstaller000000000000000000',
    });
    const { report } = run(v34host(), member);
    const json = JSON.stringify(diagnoseDocument(report, { status: 'unhealthy', exitCode: 1 }));
    for (const secret of [
      'FAKEv34hostJwtSecret000000000000',
      'FAKEv33otherJwtSecret00000000000',
      'FAKEccSecret0000000000000000000',
      'FAKEinstaller000000000000000000',
    ]) {
      expect(json).not.toContain(secret);
      expect(json).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });
});
