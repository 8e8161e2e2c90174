import { createHmac } from 'node:crypto';
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

describe("kubesphere-secret's static admin token", () => {
  const OLD = 'FAKEv32memberJwtSecret0000000000';
  const claims = Buffer.from('{"username":"admin","token_type":"static_token"}').toString('base64url');
  const jwt = (alg: string, secret = OLD) => {
    const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
    const sig = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
    return `${header}.${claims}.${sig}`;
  };
  const withToken = (token: string) =>
    snapshot({
      context: 'member',
      yaml: memberYaml('0', OLD),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: '', clusterRole: 'member' },
      installerSecret: OLD,
      installerToken: token,
    });
  const secretWrite = (token: string) => {
    const w = plan(v32host(), withToken(token)).plan.writes.find((x) => x.target === 'secret')!;
    const data = (w.after as unknown as { data: Record<string, string> }).data;
    return {
      paths: w.changes.map((c) => c.path),
      token: Buffer.from(data.token!, 'base64').toString('utf8'),
    };
  };

  it('an HS256 token is re-signed with the host secret, header and claims byte for byte', () => {
    const token = jwt('HS256');
    const { paths, token: after } = secretWrite(`${token}\n`);
    const [h, c] = token.split('.');
    expect(paths).toEqual(['data.secret', 'data.token (re-signed)']);
    const changes = plan(v32host(), withToken(token)).plan.writes.find((x) => x.target === 'secret')!.changes;
    expect(changes.map((c) => [c.action, c.secret])).toEqual([
      ['sync-jwt-secret', true],
      ['sync-jwt-secret', true],
    ]);
    expect(after).toBe(
      `${h}.${c}.${createHmac('sha256', HOST_SECRET).update(`${h}.${c}`).digest('base64url')}`,
    );
  });

  it.each([
    ['not HS256', jwt('RS256')],
    ['five parts (a JWE)', `${jwt('HS256')}.extra.part`],
    ['not a JWT', 'static-token-without-dots'],
    ['an empty header', `.${claims}.sig`],
    ['an empty payload', `${jwt('HS256').split('.')[0]}..sig`],
    ['a header that is not JSON', `bm90IGpzb24.${claims}.sig`],
  ])('a token that is %s is left as it was; only the secret changes', (_, token) => {
    expect(secretWrite(token)).toEqual({ paths: ['data.secret'], token });
  });
});

describe('what repair restarts', () => {
  const member = (over: Partial<ClusterSnapshot>, yaml = memberYaml('2h')) => ({
    ...snapshot({
      context: 'member',
      yaml,
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST_SECRET, clusterRole: 'member' },
      installerSecret: HOST_SECRET,
    }),
    ...over,
  });

  it('the ConfigMap changed: the Deployment that serves ks-apiserver, because the config changed', () => {
    const { plan: p } = plan(v32host(), member({}));
    expect(p.writes.map((w) => w.target)).toEqual(['configmap']);
    expect(p.restart).toEqual({
      namespace: 'kubesphere-system',
      name: 'ks-apiserver',
      reason: 'config-changed',
    });
  });

  it('no Deployment found: the config is still fixed, nothing is restarted', () => {
    const { plan: p } = plan(v32host(), member({ apiserverDeployment: null }));
    expect(p.writes.map((w) => w.target)).toEqual(['configmap']);
    expect(p.restart).toBeUndefined();
  });

  it('only the ClusterConfiguration changes: no restart (ks-apiserver does not read it)', () => {
    const roleNone = snapshot({
      context: 'member',
      yaml: memberYaml('0'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST_SECRET, clusterRole: 'none' },
      installerSecret: HOST_SECRET,
    });
    const { plan: p } = plan(v32host(), roleNone);
    expect(p.writes.map((w) => [w.target, w.changes.map((c) => [c.path, c.from, c.to])])).toEqual([
      ['clusterconfiguration', [['spec.multicluster.clusterRole', 'none', 'member']]],
    ]);
    expect(p.restart).toBeUndefined();
  });
});

describe('members repair cannot plan for', () => {
  it('kubesphere.yaml that does not parse: config-not-editable, with the reason', () => {
    const broken = snapshot({
      context: 'member',
      yaml: 'authentication:\n  jwtSecret: [unclosed\n',
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST_SECRET, clusterRole: 'member' },
    });
    const { plan: p, shown } = plan(v32host(), broken);
    expect(p.refusal?.code).toBe('config-not-editable');
    expect(typeof p.refusal?.args.reason).toBe('string');
    expect(shown.refusal?.message).toContain(
      `kubesphere.yaml cannot be edited safely: ${p.refusal?.args.reason}`,
    );
    expect(p.writes).toEqual([]);
  });

  it('no kubesphere-config: not-readable, nothing planned', () => {
    const { plan: p, shown } = plan(v32host(), { ...roleUnknownMember(memberYaml('2h')), configMap: null });
    expect(p.refusal).toEqual({ code: 'not-readable', args: { cause: 'not-kubesphere' } });
    expect(shown.refusal?.message).toBe(
      'maybe-host has no readable kubesphere-config (kubesphere-system), and that ConfigMap is what repair edits: no repair was planned.',
    );
    expect(p.writes).toEqual([]);
    expect(p.restart).toBeUndefined();
  });
});

describe('a cause outside what repair changes: refused as not-repairable, never "nothing to do"', () => {
  const member = () =>
    snapshot({
      context: 'member',
      yaml: memberYaml('0'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST_SECRET, clusterRole: 'member' },
      installerSecret: HOST_SECRET,
    });
  const skewed: AuthLogSummary = {
    linesScanned: 10,
    containersScanned: 1,
    kinds: { 'clock-skew': { count: 3, first: null, last: null, samples: [] } },
  };

  it('clock skew in the member log, settings right: refused with the clock fix, no write, no restart', () => {
    const report = assess(
      { snapshot: v32host(), logs: noErrors },
      [{ gathered: { snapshot: member(), logs: skewed } }],
      { since: '1h' },
    );
    const m = report.members[0]!;
    expect(m).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
    const p = planMemberRepair({
      host: { facts: deriveFacts(v32host()), server: v32host().server },
      member: { snapshot: member(), facts: deriveFacts(member()), report: m },
      force: false,
    });
    expect(p).toMatchObject({ writes: [], restart: undefined });
    expect(p.refusal).toEqual({ code: 'not-repairable', args: { cause: 'clock-skew' } });
    const doc = repairDocument([{ plan: p, before: m, actions: [], verification: null, mask: (t) => t }], {
      status: 'failed',
      exitCode: 1,
      backup: null,
      dryRun: false,
    });
    expect(doc.members[0]!.refusal?.hint).toMatch(/NTP|chrony/);
  });

  it('a healthy member is not refused: its plan is simply empty', () => {
    const { plan: p, member: m } = plan(v32host(), member());
    expect(m.status).toBe('healthy');
    expect(p.refusal).toBeUndefined();
    expect(p.writes).toEqual([]);
  });
});
