import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import { repairDocument } from '../../src/output/repair-render.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/** The guards of repair planning: what repair refuses to write, and what the user is told instead. */
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const HOST_SECRET = 'FAKEv32hostJwtSecret000000000000';
const forbidden = { failure: { kind: 'forbidden' as const, message: 'forbidden' } };

function plan(host: ClusterSnapshot, member: ClusterSnapshot, force = false) {
  const report = assess(
    { snapshot: host, logs: noErrors },
    [{ gathered: { snapshot: member, logs: noErrors } }],
    {
      since: '1h',
    },
  );
  const m = report.members[0]!;
  const p = planMemberRepair({
    host: { facts: deriveFacts(host), server: host.server },
    member: { snapshot: member, facts: deriveFacts(member), report: m },
    force,
  });
  // What `repair -o json` prints for this member.
  const doc = repairDocument([{ plan: p, before: m, actions: [], verification: null, mask: (t) => t }], {
    status: 'failed',
    exitCode: 2,
    backup: null,
    dryRun: false,
  });
  return { plan: p, member: m, shown: doc.members[0]! };
}

const v32host = (yaml = fixture('v3.2-host.yaml')) =>
  snapshot({
    context: 'host',
    yaml,
    image: 'kubesphere/ks-apiserver:v3.2.1',
    cc: { jwtSecret: HOST_SECRET, clusterRole: 'host' },
    installerSecret: HOST_SECRET,
  });

/** A 3.2 member whose ClusterConfiguration cannot be read (RBAC): 3.2 files state no role, so it is unknown. */
const roleUnknownMember = (yaml: string): ClusterSnapshot => ({
  ...snapshot({
    context: 'maybe-host',
    yaml,
    image: 'kubesphere/ks-apiserver:v3.2.1',
    installerSecret: HOST_SECRET,
  }),
  clusterConfiguration: forbidden,
});

const memberYaml = (maxAge: string, secret = HOST_SECRET) =>
  fixture('v3.2-member.yaml')
    .replace('accessTokenMaxAge: 0', `accessTokenMaxAge: ${maxAge}`)
    .replace(HOST_SECRET, secret);

describe('role guard: accessTokenMaxAge is set to 0 only where the cluster is known to be a member', () => {
  it('ClusterConfiguration unreadable and no clusterRole in the file: a maxAge-only change is refused', () => {
    const member = roleUnknownMember(memberYaml('2h'));
    expect(deriveFacts(member).role).toEqual({ value: undefined, source: 'none' });
    const { plan: p, shown } = plan(v32host(), member);
    expect(p.refusal).toEqual({ code: 'role-guard', args: { role: null, source: 'none' } });
    expect(p.writes).toEqual([]);
    expect(p.restart).toBeUndefined();
    expect(p.forced).toBe(false);
    expect(shown.refusal?.code).toBe('role-guard');
    expect(shown.refusal?.message).toMatch(/^maybe-host's role cannot be established \(none\)/);
    expect(shown.refusal?.message).toContain('will not set accessTokenMaxAge to 0');
    expect(shown.refusal?.hint).toContain('--force');
  });

  it('with --force the same member gets accessTokenMaxAge 0s, and the output says the guard was overridden', () => {
    const { plan: p, shown } = plan(v32host(), roleUnknownMember(memberYaml('2h')), true);
    expect(p.refusal).toBeUndefined();
    expect(shown.forced).toBe(true);
    expect(p.writes.map((w) => [w.target, w.changes.map((c) => [c.path, c.from, c.to])])).toEqual([
      ['configmap', [['kubesphere.yaml: authentication.oauthOptions.accessTokenMaxAge', '2h', '0s']]],
    ]);
  });

  it('role unknown but accessTokenMaxAge already 0: copying the host secret is not guarded', () => {
    const other = 'FAKEv32otherJwtSecret00000000000';
    const { plan: p } = plan(v32host(), roleUnknownMember(memberYaml('0', other)));
    expect(p.refusal).toBeUndefined();
    expect(p.forced).toBe(false);
    expect(p.writes.map((w) => [w.target, w.changes.map((c) => c.path)])).toEqual([
      ['configmap', ['kubesphere.yaml: authentication.jwtSecret']],
    ]);
  });

  it('a member whose file says member (3.4) needs no --force for the same maxAge change', () => {
    const yaml = fixture('v3.4-member.yaml').replace('accessTokenMaxAge: 0', 'accessTokenMaxAge: 2h');
    const host = snapshot({
      context: 'host',
      yaml: fixture('v3.4-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.4.1',
    });
    const member: ClusterSnapshot = {
      ...snapshot({ context: 'member', yaml, image: 'kubesphere/ks-apiserver:v3.4.1' }),
      clusterConfiguration: forbidden,
    };
    const { plan: p } = plan(host, member);
    expect(p.refusal).toBeUndefined();
    expect(p.forced).toBe(false);
    expect(p.writes.map((w) => w.target)).toEqual(['configmap']);
  });

  it('the host itself under another context name (same server) is refused even if its file says member', () => {
    const host = v32host();
    const sameServer: ClusterSnapshot = {
      ...snapshot({
        context: 'host-alias',
        yaml: memberYaml('2h'),
        image: 'kubesphere/ks-apiserver:v3.2.1',
        cc: { jwtSecret: HOST_SECRET, clusterRole: 'member' },
        installerSecret: HOST_SECRET,
      }),
      server: host.server,
    };
    const { plan: p } = plan(host, sameServer);
    expect(p.refusal).toEqual({
      code: 'role-guard',
      args: { role: 'member', source: 'ClusterConfiguration' },
    });
    expect(p.writes).toEqual([]);
  });
});

describe('an empty or missing host jwtSecret is never copied to a member', () => {
  const member = () =>
    snapshot({
      context: 'member',
      yaml: memberYaml('0', 'FAKEv32memberJwtSecret0000000000'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: '', clusterRole: 'member' },
      installerSecret: 'FAKEv32memberJwtSecret0000000000',
    });

  it.each([
    ['empty', fixture('v3.2-host.yaml').replace(`"${HOST_SECRET}"`, '""')],
    ['missing', fixture('v3.2-host.yaml').replace(`  jwtSecret: "${HOST_SECRET}"\n`, '')],
  ])('%s on the host: refused with host-secret-empty, nothing planned', (_, hostYaml) => {
    expect(hostYaml).not.toContain(HOST_SECRET);
    const { plan: p, shown } = plan(v32host(hostYaml), member());
    expect(p.refusal).toEqual({ code: 'host-secret-empty', args: {} });
    expect(p.writes).toEqual([]);
    expect(p.restart).toBeUndefined();
    expect(shown.refusal?.code).toBe('host-secret-empty');
    expect(shown.refusal?.message).toContain("the host's jwtSecret is empty or unreadable");
  });
});
