/**
 * The member checks and the verdict, case by case from hand-built snapshots: each case states the status, code
 * and args a user sees (and the cause that decides the exit code). Written to kill the mutants StrykerJS found
 * surviving in src/kubesphere/checks/ (issue 13).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeFinding } from '../../src/output/messages.js';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogKindSummary, AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { checkMemberMaxAge } from '../../src/kubesphere/checks/max-age.js';
import { checkSecretMatch } from '../../src/kubesphere/checks/secret.js';
import type { MemberTarget } from '../../src/kubesphere/cluster/discovery.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot, ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { fixture, snapshot, type SnapOptions } from '../helpers/snapshots.js';

const SECRET = 'FAKEv34hostJwtSecret000000000000';
const OTHER = 'FAKEotherJwtSecret00000000000000';
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
const fp = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex').slice(0, 8);

const host = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'host' },
    installerSecret: SECRET,
    ...over,
  });

/** v3.4-member.yaml with another jwtSecret / accessTokenMaxAge line. */
function memberYaml(o: { secret?: string; maxAge?: string | null } = {}): string {
  let yaml = fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${o.secret ?? SECRET}"`);
  if (o.maxAge === null) yaml = yaml.replace(/\n\s*accessTokenMaxAge: .*/, '');
  else if (o.maxAge !== undefined)
    yaml = yaml.replace(/accessTokenMaxAge: .*/, `accessTokenMaxAge: ${o.maxAge}`);
  return yaml;
}

/** A sound 3.4 member (same secret, maxAge 0, role member, pods started after the config was written). */
const member = (over: Partial<SnapOptions> = {}): ClusterSnapshot =>
  snapshot({
    context: 'member',
    yaml: memberYaml(),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'member' },
    installerSecret: SECRET,
    ...over,
  });

function run(
  m: ClusterSnapshot,
  o: { host?: ClusterSnapshot; logs?: AuthLogSummary | undefined; target?: MemberTarget } = {},
) {
  const report = assess(
    { snapshot: o.host ?? host(), logs: noErrors },
    [
      {
        gathered: { snapshot: m, logs: 'logs' in o ? o.logs : noErrors },
        ...(o.target ? { target: o.target } : {}),
      },
    ],
    { since: '1h' },
  );
  const r = report.members[0]!;
  const check = (id: string) => {
    const c = r.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  const hostCheck = (id: string) => report.host.checks.find((x) => x.id === id);
  return { ...r, check, hostCheck, verdict: { status: r.status, cause: r.cause } };
}

const kind = (count: number, last: string | null = null): AuthLogKindSummary => ({
  count,
  first: null,
  last,
  samples: [],
});
const logsWith = (kinds: AuthLogSummary['kinds']): AuthLogSummary => ({
  linesScanned: 40,
  containersScanned: 1,
  kinds,
});

describe('jwt-secret-match', () => {
  it('same secret: pass secret-match, fingerprints and lengths of both, no env', () => {
    const c = run(member()).check('jwt-secret-match');
    expect(c.status).toBe('pass');
    expect(c.code).toBe('secret-match');
    expect(c.args).toEqual({
      hostFp: fp(SECRET),
      memberFp: fp(SECRET),
      hostLength: 32,
      memberLength: 32,
      env: '',
      emptyCrashes: true,
    });
    expect(c.evidence).toEqual({
      host: { present: true, fingerprint: fp(SECRET), length: 32 },
      member: { present: true, fingerprint: fp(SECRET), length: 32 },
    });
  });

  it('another secret on the member: fail secret-mismatch with both fingerprints, cause secret-mismatch', () => {
    const r = run(member({ yaml: memberYaml({ secret: OTHER }) }));
    const c = r.check('jwt-secret-match');
    expect([c.status, c.code]).toEqual(['fail', 'secret-mismatch']);
    expect(c.args).toEqual({
      hostFp: fp(SECRET),
      memberFp: fp(OTHER),
      hostLength: 32,
      memberLength: 32,
      env: '',
      emptyCrashes: true,
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'secret-mismatch' });
  });

  it('an empty secret on the member: fail member-secret-empty (no fingerprint, length 0)', () => {
    const r = run(member({ yaml: memberYaml({ secret: '' }) }));
    const c = r.check('jwt-secret-match');
    expect([c.status, c.code]).toEqual(['fail', 'member-secret-empty']);
    expect(c.args.memberFp).toBe(null);
    expect(c.args.memberLength).toBe(0);
    expect(c.evidence?.member).toEqual({ present: false, fingerprint: null, length: 0 });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'secret-mismatch' });
  });

  // 3.0.0 cmd/ks-apiserver/app/options/validation.go never validates the authentication options; 3.1.1
  // authenticate_options.go refuses an empty one ("JWT secret MUST not be empty").
  it.each([
    ['3.0.0', false],
    ['3.1.1', true],
    ['3.4.1', true],
  ])('an empty secret on a %s member: does ks-apiserver refuse to start? %s', (version, crashes) => {
    const r = run(member({ yaml: memberYaml({ secret: '' }), image: `kubesphere/ks-apiserver:v${version}` }));
    const c = r.check('jwt-secret-match');
    expect([c.code, c.args.emptyCrashes]).toEqual(['member-secret-empty', crashes]);
    expect(describeFinding(c).summary).toMatch(crashes ? /refuses to start/ : /starts all the same/);
  });

  // viper AutomaticEnv is called from 3.2 on (pkg/apiserver/config/config.go); 3.0.0/3.1.1 ignore the variables.
  it.each([
    ['3.1.1', 'pass', []],
    ['3.2.1', 'warn', ['KUBESPHERE_AUTHENTICATION_JWTSECRET']],
  ])('an overriding variable on a %s member: %s', (version, status, listed) => {
    const m = member({
      env: ['KUBESPHERE_AUTHENTICATION_JWTSECRET'],
      image: `kubesphere/ks-apiserver:v${version}`,
    });
    const c = run(m).check('jwt-secret-match');
    expect(c.status).toBe(status);
    expect(c.evidence?.memberEnvOverrides ?? []).toEqual(listed);
  });

  it("the host's secret unknown (empty): skip host-secret-unknown, nothing compared", () => {
    const h = host({ yaml: fixture('v3.4-host.yaml').replace(/jwtSecret: .*/, 'jwtSecret: ""') });
    const r = run(member(), { host: h });
    const c = r.check('jwt-secret-match');
    expect([c.status, c.code]).toEqual(['skip', 'host-secret-unknown']);
    expect(c.args.hostFp).toBe(null);
    expect(c.args.hostLength).toBe(0);
    expect(c.args.memberFp).toBe(fp(SECRET));
  });

  it('same secret but an env variable overrides it: warn secret-env-override naming the variable', () => {
    const r = run(member({ env: ['KUBESPHERE_AUTHENTICATION_JWTSECRET', 'OTHER_VAR'] }));
    const c = r.check('jwt-secret-match');
    expect([c.status, c.code]).toEqual(['warn', 'secret-env-override']);
    expect(c.args.env).toBe('KUBESPHERE_AUTHENTICATION_JWTSECRET');
    expect(c.evidence?.memberEnvOverrides).toEqual(['KUBESPHERE_AUTHENTICATION_JWTSECRET']);
    expect(r.verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('two overriding variables are listed comma-separated; a mismatch is still a fail', () => {
    const env = ['KUBESPHERE_AUTHENTICATION_JWTSECRET', 'KUBESPHERE_AUTHENTICATION_OAUTHOPTIONS'];
    const c = run(member({ yaml: memberYaml({ secret: OTHER }), env })).check('jwt-secret-match');
    expect([c.status, c.code]).toEqual(['fail', 'secret-mismatch']);
    expect(c.args.env).toBe('KUBESPHERE_AUTHENTICATION_JWTSECRET, KUBESPHERE_AUTHENTICATION_OAUTHOPTIONS');
  });
});

describe('jwt-secret-durable', () => {
  const durable = (over: Partial<SnapOptions>, h?: ClusterSnapshot) =>
    run(member(over), h ? { host: h } : {});

  it('CC and kubesphere-secret carry the host secret: pass durable-ok with their fingerprints', () => {
    const c = durable({}).check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['pass', 'durable-ok']);
    expect(c.args).toEqual({});
    expect(c.evidence).toEqual({
      clusterConfiguration: {
        jwtSecret: { present: true, fingerprint: fp(SECRET), length: 32 },
        clusterRole: 'member',
        accessTokenMaxAge: null,
      },
      kubesphereSecret: { present: true, fingerprint: fp(SECRET), length: 32 },
    });
  });

  it("the CC's own jwtSecret is another: fail durable-drift cc-secret, cause installer-revert", () => {
    const r = durable({ cc: { jwtSecret: OTHER, clusterRole: 'member' }, installerSecret: OTHER });
    const c = r.check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['fail', 'durable-drift']);
    expect(c.args).toEqual({ problems: 'cc-secret', ccRole: 'member', ccMaxAge: null });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'installer-revert' });
  });

  it('no CC jwtSecret and kubesphere-secret is another: fail durable-drift kubesphere-secret', () => {
    const r = durable({ cc: { clusterRole: 'member' }, installerSecret: OTHER });
    const c = r.check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['fail', 'durable-drift']);
    expect(c.args.problems).toBe('kubesphere-secret');
    expect(r.verdict.cause).toBe('installer-revert');
  });

  it('CC right but kubesphere-secret stale: only a warning (the installer rewrites it), still healthy', () => {
    const r = durable({ installerSecret: OTHER });
    const c = r.check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['warn', 'durable-drift']);
    expect(c.args).toEqual({ problems: 'kubesphere-secret-stale', ccRole: 'member', ccMaxAge: null });
    expect(r.verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('stale kubesphere-secret and a CC role of none: fail, both problems listed', () => {
    const r = durable({ cc: { jwtSecret: SECRET, clusterRole: 'none' }, installerSecret: OTHER });
    const c = r.check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['fail', 'durable-drift']);
    expect(c.args).toEqual({ problems: 'kubesphere-secret-stale,cc-role', ccRole: 'none', ccMaxAge: null });
  });

  it('CC secret right, no kubesphere-secret at all: pass (nothing stale)', () => {
    const c = durable({ installerSecret: undefined }).check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['pass', 'durable-ok']);
    expect(c.evidence?.kubesphereSecret).toEqual({ present: false, fingerprint: null, length: 0 });
  });

  it('CC role none: fail durable-drift cc-role, cause installer-revert', () => {
    const r = durable({ cc: { jwtSecret: SECRET, clusterRole: 'none' } });
    const c = r.check('jwt-secret-durable');
    expect(c.args).toEqual({ problems: 'cc-role', ccRole: 'none', ccMaxAge: null });
    expect(c.status).toBe('fail');
    expect(r.verdict.cause).toBe('installer-revert');
  });

  // ks-installer roles/ks-core/config/templates/kubesphere-config.yaml.j2: 3.1 renders the CC's oauthOptions
  // when it has any and then no 0 for a member; 3.0 ignores them; 3.2 renders a member's 0 alone; 3.3/3.4
  // render the CC's value, then the member's 0, and the last key wins.
  const at = (version: string, cc: SnapOptions['cc']) =>
    durable({ cc, image: `kubesphere/ks-apiserver:v${version}` }).check('jwt-secret-durable');

  it('3.1, CC accessTokenMaxAge 2h: fail cc-max-age with the value; 0s is fine', () => {
    const c = at('3.1.1', { jwtSecret: SECRET, clusterRole: 'member', accessTokenMaxAge: '2h' });
    expect(c.args).toEqual({ problems: 'cc-max-age', ccRole: 'member', ccMaxAge: '2h' });
    expect(c.evidence?.clusterConfiguration).toMatchObject({ accessTokenMaxAge: '2h' });
    const zero = at('3.1.1', { jwtSecret: SECRET, clusterRole: 'member', accessTokenMaxAge: '0s' });
    expect([zero.status, zero.code]).toEqual(['pass', 'durable-ok']);
  });

  it('3.1, CC oauthOptions without accessTokenMaxAge: fail cc-max-age (the 2h default is rendered)', () => {
    const c = at('3.1.1', { jwtSecret: SECRET, clusterRole: 'member', oauthOptions: { clients: [] } });
    expect(c.args).toEqual({ problems: 'cc-max-age', ccRole: 'member', ccMaxAge: null });
  });

  it.each(['3.0.0', '3.2.1', '3.3.2', '3.4.1'])(
    '%s, CC accessTokenMaxAge 2h on a member: pass (the member role decides)',
    (version) => {
      const c = at(version, { jwtSecret: SECRET, clusterRole: 'member', accessTokenMaxAge: '2h' });
      expect([c.status, c.code]).toEqual(['pass', 'durable-ok']);
    },
  );

  it('version unknown (untagged image), CC accessTokenMaxAge 2h: fail cc-max-age, as on 3.1', () => {
    const c = at('latest', { jwtSecret: SECRET, clusterRole: 'member', accessTokenMaxAge: '2h' });
    expect(c.args.problems).toBe('cc-max-age');
  });

  it('no ClusterConfiguration on a 3.x member: warn durable-no-cc', () => {
    const c = durable({ cc: undefined }).check('jwt-secret-durable');
    expect([c.status, c.code, c.args]).toEqual(['warn', 'durable-no-cc', {}]);
  });

  it('a 4.x member: skip durable-not-applicable, even with a ClusterConfiguration', () => {
    const h = snapshot({
      context: 'host',
      yaml: fixture('v4.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
    });
    const m = snapshot({
      context: 'member',
      yaml: fixture('v4.1-member.yaml'),
      image: 'kubesphere/ks-apiserver:v4.1.3',
      agent: true,
      cc: { jwtSecret: OTHER, clusterRole: 'none' },
    });
    const c = run(m, { host: h }).check('jwt-secret-durable');
    expect([c.status, c.code, c.args]).toEqual(['skip', 'durable-not-applicable', {}]);
  });

  it('a 4.x layout on a 3.x image: skipped without a CC, checked with one', () => {
    const h = snapshot({
      context: 'host',
      yaml: fixture('v4.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.4.1',
    });
    const m = (cc?: SnapOptions['cc']) =>
      snapshot({
        context: 'member',
        yaml: fixture('v4.1-member.yaml'),
        image: 'kubesphere/ks-apiserver:v3.4.1',
        ...(cc ? { cc } : {}),
      });
    const without = run(m(), { host: h }).check('jwt-secret-durable');
    expect([without.status, without.code]).toEqual(['skip', 'durable-not-applicable']);
    const withCc = run(m({ jwtSecret: 'FAKEv41hostJwtSecret000000000000', clusterRole: 'none' }), {
      host: h,
    }).check('jwt-secret-durable');
    expect([withCc.status, withCc.code, withCc.args.problems]).toEqual(['fail', 'durable-drift', 'cc-role']);
  });

  it('kubesphere-secret unreadable and no CC jwtSecret: warn durable-secret-unreadable', () => {
    const failure = { kind: 'forbidden' as const, message: 'cannot get secrets (403)' };
    const m: ClusterSnapshot = {
      ...member({ cc: { clusterRole: 'member' } }),
      kubesphereSecret: { failure },
    };
    const c = run(m).check('jwt-secret-durable');
    expect([c.status, c.code, c.args]).toEqual(['warn', 'durable-secret-unreadable', {}]);
  });

  it('kubesphere-secret unreadable for RBAC: the warning carries the kubectl auth can-i to run', () => {
    const hint =
      'check with: kubectl --context member auth can-i get secrets/kubesphere-secret -n kubesphere-system';
    const m: ClusterSnapshot = {
      ...member({ cc: { clusterRole: 'member' } }),
      kubesphereSecret: { failure: { kind: 'forbidden', message: 'forbidden', hint } },
    };
    const c = run(m).check('jwt-secret-durable');
    expect([c.status, c.code, c.args]).toEqual(['warn', 'durable-secret-unreadable', { hint }]);
  });

  it('a ClusterConfiguration that cannot be read is not "no ClusterConfiguration": warn with the failure', () => {
    const failure = {
      kind: 'forbidden' as const,
      message: 'cannot get clusterconfigurations (403)',
      hint: 'can-i',
    };
    const m: ClusterSnapshot = { ...member(), clusterConfiguration: { failure } };
    const c = run(m).check('jwt-secret-durable');
    expect([c.status, c.code, c.args]).toEqual([
      'warn',
      'durable-cc-unreadable',
      { message: failure.message, hint: 'can-i' },
    ]);
    const absent = run({ ...member(), clusterConfiguration: null }).check('jwt-secret-durable');
    expect([absent.status, absent.code]).toEqual(['warn', 'durable-no-cc']);
  });

  it('kubesphere-secret unreadable but the CC carries the secret: pass (the CC wins)', () => {
    const failure = { kind: 'forbidden' as const, message: 'cannot get secrets (403)' };
    const m: ClusterSnapshot = { ...member(), kubesphereSecret: { failure } };
    const c = run(m).check('jwt-secret-durable');
    expect([c.status, c.code]).toEqual(['pass', 'durable-ok']);
  });

  it('kubesphere-secret unreadable with a CC role of none: the drift is a fail, not the unreadable warning', () => {
    const failure = { kind: 'forbidden' as const, message: 'cannot get secrets (403)' };
    const m: ClusterSnapshot = { ...member({ cc: { clusterRole: 'none' } }), kubesphereSecret: { failure } };
    const c = run(m).check('jwt-secret-durable');
    expect([c.status, c.code, c.args.problems]).toEqual(['fail', 'durable-drift', 'cc-role']);
  });
});

describe('access-token-max-age', () => {
  // ks-installer v3.2.1 kubesphere-config.yaml.j2: a member's oauthOptions are `accessTokenMaxAge: 0` alone, no
  // `clients` (ks-installer#1932): the member's own login fails, the host's console does not.
  it.each([
    ['3.2.1', 'fixture as rendered', fixture('v3.2-member.yaml'), 'warn', 'max-age-zero-no-clients'],
    [
      '3.2.1',
      'clients added',
      fixture('v3.2-member.yaml').replace(
        '    accessTokenMaxAge: 0\n',
        '    accessTokenMaxAge: 0\n    clients:\n    - name: kubesphere\n',
      ),
      'pass',
      'max-age-zero',
    ],
    ['3.1.1', 'no clients (not needed before 3.2)', fixture('v3.2-member.yaml'), 'pass', 'max-age-zero'],
  ])('%s member, %s: %s %s', (version, _what, yaml, status, code) => {
    const c = run(member({ yaml, image: `kubesphere/ks-apiserver:v${version}` })).check(
      'access-token-max-age',
    );
    expect([c.status, c.code]).toEqual([status, code]);
  });

  it('0 on the member: pass max-age-zero with value, path and effective duration', () => {
    const c = run(member()).check('access-token-max-age');
    expect([c.status, c.code]).toEqual(['pass', 'max-age-zero']);
    expect(c.args).toEqual({
      value: '0',
      path: 'authentication.oauthOptions.accessTokenMaxAge',
      effective: '0s',
    });
  });

  it('2h: fail max-age-nonzero, cause token-cache', () => {
    const r = run(member({ yaml: memberYaml({ maxAge: '2h' }) }));
    const c = r.check('access-token-max-age');
    expect([c.status, c.code]).toEqual(['fail', 'max-age-nonzero']);
    expect(c.args).toEqual({
      value: '2h',
      path: 'authentication.oauthOptions.accessTokenMaxAge',
      effective: '2h',
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'token-cache' });
  });

  it('absent: fail max-age-default (value null), cause token-cache', () => {
    const r = run(member({ yaml: memberYaml({ maxAge: null }) }));
    const c = r.check('access-token-max-age');
    expect([c.status, c.code, c.args.value]).toEqual(['fail', 'max-age-default', null]);
    expect(r.verdict.cause).toBe('token-cache');
  });

  it('not a duration: fail max-age-invalid, the raw text shown', () => {
    const c = run(member({ yaml: memberYaml({ maxAge: 'forever' }) })).check('access-token-max-age');
    expect([c.status, c.code, c.args.value, c.args.effective]).toEqual([
      'fail',
      'max-age-invalid',
      'forever',
      'forever',
    ]);
  });

  it('2h and another secret: both causes', () => {
    const r = run(member({ yaml: memberYaml({ secret: OTHER, maxAge: '2h' }) }));
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'secret-mismatch-and-token-cache' });
  });

  it("the host's own 0: a host warning host-max-age-zero; a host with 2h has none", () => {
    const h = host({
      yaml: fixture('v3.4-host.yaml').replace('oauthOptions:\n', 'oauthOptions:\n    accessTokenMaxAge: 0\n'),
    });
    expect(run(member(), { host: h }).hostCheck('access-token-max-age')).toEqual({
      id: 'access-token-max-age',
      status: 'warn',
      code: 'host-max-age-zero',
      args: { value: '0', path: 'authentication.oauthOptions.accessTokenMaxAge' },
    });
    const h2 = host({
      yaml: fixture('v3.4-host.yaml').replace(
        'oauthOptions:\n',
        'oauthOptions:\n    accessTokenMaxAge: 2h\n',
      ),
    });
    expect(run(member(), { host: h2 }).hostCheck('access-token-max-age')).toBe(undefined);
  });
});

describe('apiserver-auth-errors', () => {
  const SIG_LAST = '2026-11-28T11:59:00Z';
  const CACHE_LAST = '2026-11-28T11:58:00Z';
  const SKEW_LAST = '2026-11-28T11:57:00Z';

  it('signature errors: fail log-signature-invalid with every count, the scope and the last one', () => {
    const logs = logsWith({
      'signature-invalid': kind(3, SIG_LAST),
      'cache-miss': kind(2, CACHE_LAST),
      'clock-skew': kind(1, SKEW_LAST),
      'token-expired': kind(4),
    });
    const r = run(member(), { logs });
    const c = r.check('apiserver-auth-errors');
    expect([c.status, c.code]).toEqual(['fail', 'log-signature-invalid']);
    expect(c.args).toEqual({
      signature: 3,
      cacheMiss: 2,
      clockSkew: 1,
      expired: 4,
      containers: 1,
      lines: 40,
      since: '1h',
      last: SIG_LAST,
    });
    expect(c.evidence).toMatchObject({
      since: '1h',
      containersScanned: 1,
      linesScanned: 40,
      counts: { 'signature-invalid': 3, 'cache-miss': 2, 'clock-skew': 1, 'token-expired': 4 },
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'stale-errors' });
  });

  it('an empty jwtSecret in the log outranks signature errors: fail log-empty-secret', () => {
    const logs = logsWith({ 'empty-jwt-secret': kind(1), 'signature-invalid': kind(3, SIG_LAST) });
    const c = run(member(), { logs }).check('apiserver-auth-errors');
    expect([c.status, c.code]).toEqual(['fail', 'log-empty-secret']);
  });

  it('cache misses only: fail log-cache-miss, last is the last miss', () => {
    const r = run(member(), { logs: logsWith({ 'cache-miss': kind(2, CACHE_LAST) }) });
    const c = r.check('apiserver-auth-errors');
    expect([c.status, c.code, c.args.cacheMiss, c.args.last]).toEqual([
      'fail',
      'log-cache-miss',
      2,
      CACHE_LAST,
    ]);
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'stale-errors' });
  });

  it('signature errors with no time fall back to the last cache miss', () => {
    const logs = logsWith({ 'signature-invalid': kind(1), 'cache-miss': kind(2, CACHE_LAST) });
    expect(run(member(), { logs }).check('apiserver-auth-errors').args.last).toBe(CACHE_LAST);
  });

  it('clock skew only: warn log-clock-skew, cause clock-skew', () => {
    const r = run(member(), { logs: logsWith({ 'clock-skew': kind(2, SKEW_LAST) }) });
    const c = r.check('apiserver-auth-errors');
    expect([c.status, c.code, c.args.clockSkew, c.args.last]).toEqual([
      'warn',
      'log-clock-skew',
      2,
      SKEW_LAST,
    ]);
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'clock-skew' });
  });

  it('expired tokens only, or kinds counted 0: pass log-clean (expiry is normal)', () => {
    const logs = logsWith({
      'token-expired': kind(5),
      'signature-invalid': kind(0),
      'cache-miss': kind(0),
      'clock-skew': kind(0),
      'empty-jwt-secret': kind(0),
    });
    const r = run(member(), { logs });
    const c = r.check('apiserver-auth-errors');
    expect([c.status, c.code, c.args.expired, c.args.last]).toEqual(['pass', 'log-clean', 5, null]);
    expect(r.verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('no log summary, or no pod scanned: skip no-pods', () => {
    const none = run(member(), { logs: undefined }).check('apiserver-auth-errors');
    expect([none.status, none.code, none.args]).toEqual(['skip', 'no-pods', {}]);
    const noScans: ClusterSnapshot = { ...member(), logs: { scans: [], tally: undefined } };
    const empty = run(noScans).check('apiserver-auth-errors');
    expect([empty.status, empty.code]).toEqual(['skip', 'no-pods']);
  });

  it("every pod's log unreadable: error logs-unreadable with the first failure, cause unreadable", () => {
    const failure = {
      kind: 'forbidden' as const,
      message: 'cannot get pods/log (403)',
      hint: 'ask for pods/log',
    };
    const snap = member();
    const m: ClusterSnapshot = {
      ...snap,
      logs: { scans: snap.logs!.scans.map((s) => ({ ...s, lines: 0, failure })), tally: undefined },
    };
    const r = run(m);
    const c = r.check('apiserver-auth-errors');
    expect([c.status, c.code]).toEqual(['error', 'logs-unreadable']);
    expect(c.args).toEqual({ message: failure.message, hint: failure.hint });
    expect(r.verdict).toEqual({ status: 'error', cause: 'unreadable' });
  });

  it('one pod of two unreadable does not hide a clock skew the other logged', () => {
    const snap = member({ replicas: 2 });
    const failure = { kind: 'server' as const, message: 'log stream failed (500)' };
    const [first, second] = snap.logs!.scans;
    const m: ClusterSnapshot = {
      ...snap,
      logs: { scans: [first!, { ...second!, failure }], tally: undefined },
    };
    const c = run(m, { logs: logsWith({ 'clock-skew': kind(1) }) }).check('apiserver-auth-errors');
    expect([c.status, c.code]).toEqual(['warn', 'log-clock-skew']);
  });

  it('a Deployment read that failed (pods listed) leaves the logs unread: error with its message and hint', () => {
    const failure = { kind: 'server' as const, message: 'get deployment failed (500)', hint: 'retry' };
    const m: ClusterSnapshot = { ...member(), apiserverDeployment: { failure } };
    const c = run(m).check('apiserver-auth-errors');
    expect([c.status, c.code, c.args]).toEqual([
      'error',
      'logs-unreadable',
      { message: failure.message, hint: 'retry' },
    ]);
  });
});

describe('apiserver-restart-pending', () => {
  const WRITTEN = '2026-11-26T10:00:00Z';
  const STARTED = '2026-11-25T10:00:00Z';

  it('3.2 pods started before the config was written: fail restart-pending with counts and times', () => {
    const m = snapshot({
      context: 'member',
      yaml: fixture('v3.2-member.yaml'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'member' },
      installerSecret: 'FAKEv32hostJwtSecret000000000000',
      configWrittenAt: WRITTEN,
      podsStartedAt: STARTED,
    });
    const h = snapshot({
      context: 'host',
      yaml: fixture('v3.2-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: 'FAKEv32hostJwtSecret000000000000', clusterRole: 'host' },
      installerSecret: 'FAKEv32hostJwtSecret000000000000',
    });
    const r = run(m, { host: h });
    const c = r.check('apiserver-restart-pending');
    expect([c.status, c.code]).toEqual(['fail', 'restart-pending']);
    expect(c.args).toEqual({
      deployment: 'ks-apiserver',
      configWrittenAt: '2026-11-26T10:00:00.000Z',
      stale: 1,
      pods: 1,
      oldestStart: '2026-11-25T10:00:00.000Z',
    });
    expect(c.evidence).toEqual({
      configWrittenAt: '2026-11-26T10:00:00.000Z',
      pods: [{ name: 'ks-apiserver-abc-0', startedAt: '2026-11-25T10:00:00.000Z', ready: true }],
    });
    expect(r.verdict).toEqual({ status: 'unhealthy', cause: 'restart-pending' });
  });

  it('3.4 (hot reload): warn restart-pending-hot-reload, and no cause on its own', () => {
    const r = run(member({ configWrittenAt: WRITTEN, podsStartedAt: STARTED, replicas: 2 }));
    const c = r.check('apiserver-restart-pending');
    expect([c.status, c.code, c.args.stale, c.args.pods]).toEqual([
      'warn',
      'restart-pending-hot-reload',
      2,
      2,
    ]);
    expect(r.verdict).toEqual({ status: 'healthy', cause: 'healthy' });
  });

  it('a pod started the very second the config was written is not stale: pass restart-not-needed', () => {
    const c = run(member({ configWrittenAt: WRITTEN, podsStartedAt: WRITTEN })).check(
      'apiserver-restart-pending',
    );
    expect([c.status, c.code]).toEqual(['pass', 'restart-not-needed']);
    expect(c.args).toEqual({
      deployment: 'ks-apiserver',
      configWrittenAt: '2026-11-26T10:00:00.000Z',
      stale: 0,
      pods: 1,
      oldestStart: null,
    });
  });

  it('only the pods started before the write count as stale; a pod without a start time is not one', () => {
    const snap = member({ configWrittenAt: WRITTEN, podsStartedAt: STARTED, replicas: 3 });
    const pods = (snap.pods as ObjectJson[]).map((p, i): ObjectJson => {
      if (i === 0) return p;
      const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
      if (i === 1) return { ...p, status: { ...status, startTime: '2026-11-27T10:00:00Z' } };
      return { ...p, status };
    });
    const c = run({ ...snap, pods }).check('apiserver-restart-pending');
    expect([c.status, c.args.stale, c.args.pods, c.args.oldestStart]).toEqual([
      'warn',
      1,
      3,
      '2026-11-25T10:00:00.000Z',
    ]);
    expect((c.evidence?.pods as Array<{ startedAt: string | null }>).map((p) => p.startedAt)).toEqual([
      '2026-11-25T10:00:00.000Z',
      '2026-11-27T10:00:00.000Z',
      null,
    ]);
  });

  it('no running pod: fail no-running-pods naming the Deployment', () => {
    const c = run(member({ replicas: 0 })).check('apiserver-restart-pending');
    expect([c.status, c.code, c.args]).toEqual(['fail', 'no-running-pods', { deployment: 'ks-apiserver' }]);
  });

  it('no ks-apiserver Deployment: error no-deployment, cause unreadable', () => {
    const r = run({ ...member(), apiserverDeployment: null, pods: [] });
    const c = r.check('apiserver-restart-pending');
    expect([c.status, c.code, c.args]).toEqual(['error', 'no-deployment', {}]);
    expect(r.verdict).toEqual({ status: 'error', cause: 'unreadable' });
  });

  it('a ConfigMap without any write time: skip (reason no-write-time)', () => {
    const snap = member();
    const cm = snap.configMap as { metadata: Record<string, unknown> };
    const metadata = { ...cm.metadata };
    delete metadata.managedFields;
    delete metadata.creationTimestamp;
    const c = run({
      ...snap,
      configMap: { ...snap.configMap, metadata } as ClusterSnapshot['configMap'],
    }).check('apiserver-restart-pending');
    expect([c.status, c.code, c.args]).toEqual(['skip', 'skipped', { reason: 'no-write-time' }]);
  });
});

describe('secret durability when the host file has no jwtSecret', () => {
  const noSecretHost = () => host({ yaml: fixture('v3.4-host.yaml').replace(/\n\s*jwtSecret: .*/, '') });

  it('nothing is compared: jwt-secret-match skips, and a CC secret with another kubesphere-secret is not drift', () => {
    const r = run(member({ installerSecret: OTHER }), { host: noSecretHost() });
    const match = r.check('jwt-secret-match');
    expect([match.status, match.code, match.args.hostFp]).toEqual(['skip', 'host-secret-unknown', null]);
    const durable = r.check('jwt-secret-durable');
    expect([durable.status, durable.code]).toEqual(['pass', 'durable-ok']);
  });
});

describe('secret durability with neither a CC secret nor kubesphere-secret', () => {
  it('nothing would be rendered over the file: pass durable-ok', () => {
    const c = run(member({ cc: { clusterRole: 'member' }, installerSecret: undefined })).check(
      'jwt-secret-durable',
    );
    expect([c.status, c.code]).toEqual(['pass', 'durable-ok']);
    expect(c.evidence).toEqual({
      clusterConfiguration: {
        jwtSecret: { present: false, fingerprint: null, length: 0 },
        clusterRole: 'member',
        accessTokenMaxAge: null,
      },
      kubesphereSecret: { present: false, fingerprint: null, length: 0 },
    });
  });
});

describe('a host whose kubesphere.yaml does not parse', () => {
  it('has no host max-age warning and no member secret comparison', () => {
    const r = run(member(), { host: host({ yaml: 'authentication: [unclosed\n  : : :' }) });
    expect(r.hostCheck('kubesphere-config')?.status).toBe('fail');
    expect(r.hostCheck('access-token-max-age')).toBe(undefined);
    expect(r.check('jwt-secret-match')).toEqual({
      id: 'jwt-secret-match',
      status: 'skip',
      code: 'skipped',
      args: { reason: 'host' },
    });
  });
});

describe('pods listed but no log scanned at all', () => {
  it('skip no-pods: nothing was verified, and nothing is reported clean', () => {
    const m: ClusterSnapshot = { ...member() };
    delete m.logs;
    const c = run(m).check('apiserver-auth-errors');
    expect([c.status, c.code, c.args]).toEqual(['skip', 'no-pods', {}]);
  });
});

describe('the checks called on a configuration that does not parse (guards below assess, which skips them)', () => {
  const broken = 'authentication: [unclosed\n  : : :';

  it('access-token-max-age on such a member: skip, reason config', () => {
    expect(checkMemberMaxAge(deriveFacts(member({ yaml: broken })))).toEqual({
      id: 'access-token-max-age',
      status: 'skip',
      code: 'skipped',
      args: { reason: 'config' },
    });
  });

  it("jwt-secret-match against such a host: skip host-secret-unknown, the member's secret still fingerprinted", () => {
    const c = checkSecretMatch(deriveFacts(host({ yaml: broken })), deriveFacts(member()));
    expect([c.status, c.code, c.args.hostFp, c.args.memberFp]).toEqual([
      'skip',
      'host-secret-unknown',
      null,
      fp(SECRET),
    ]);
  });
});
