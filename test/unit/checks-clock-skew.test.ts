/**
 * `clock-skew` from hand-built snapshots: the member's clock against the host's, both measured from Date headers,
 * judged the way the member's ks-apiserver judges the host's tokens (kubesphere
 * `pkg/apiserver/authentication/token/issuer.go` Verify on 3.2+: iat > now + maximumClockSkew is "token used
 * before issued", exp has no leeway; 3.0/3.1 `token/jwt.go` IssueTo backdates iat/nbf by the issuer's
 * maximumClockSkew and jwt-go v3 `StandardClaims.Valid()` checks with none; `authentication/options.go`
 * MaximumClockSkew 10s, under `authentication.issuer` on 4.x).
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import { checkClockSkew } from '../../src/kubesphere/checks/clock-skew.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { describeFinding } from '../../src/output/messages.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };
type V = '3.1' | '3.4' | '4.1';
const IMAGE: Record<V, string> = {
  '3.1': 'kubesphere/ks-apiserver:v3.1.1',
  '3.4': 'kubesphere/ks-apiserver:v3.4.1',
  '4.1': 'kubesphere/ks-apiserver:v4.1.3',
};
const HOST_SECRET: Record<V, string> = {
  '3.1': 'FAKEv31hostJwtSecret000000000000',
  '3.4': 'FAKEv34hostJwtSecret000000000000',
  '4.1': 'FAKEv41hostJwtSecret000000000000',
};

/** A cluster of release `v` whose API server is `offsetMs` off our clock, read to ± `u` ms. */
function cluster(
  role: 'host' | 'member',
  v: V,
  offsetMs: number | undefined,
  o: { u?: number; edit?: (yaml: string) => string } = {},
): ClusterSnapshot {
  let yaml = fixture(`v${v}-${role}.yaml`);
  // Members share the host's secret: only the clocks differ.
  yaml = yaml.replace(/jwtSecret: .*/, `jwtSecret: "${HOST_SECRET[v]}"`);
  const snap = snapshot({
    context: role,
    yaml: o.edit ? o.edit(yaml) : yaml,
    image: IMAGE[v],
    agent: v === '4.1' && role === 'member',
    ...(v === '4.1'
      ? {}
      : { cc: { jwtSecret: HOST_SECRET[v], clusterRole: role }, installerSecret: HOST_SECRET[v] }),
  });
  return offsetMs === undefined
    ? snap
    : { ...snap, clock: { offsetMs, uncertaintyMs: o.u ?? 300, samples: 9 } };
}

function check(host: ClusterSnapshot, member: ClusterSnapshot) {
  return checkClockSkew(host, deriveFacts(host), member, deriveFacts(member));
}

const S = 1000;

describe('a 3.4 member against a 3.4 host (maximumClockSkew 10s, tokens live 2h)', () => {
  const host = cluster('host', '3.4', 1_200);
  it.each([
    // [member offset from us, uncertainty, status, code]
    [1_200, 300, 'pass', 'clock-in-sync'],
    [1_200 - 9 * S, 300, 'pass', 'clock-in-sync'],
    [1_200 + 9 * S, 300, 'pass', 'clock-in-sync'],
    [1_200 - 45 * S, 300, 'fail', 'clock-behind'],
    // 10.5 s behind ± 0.6 s (both readings): past the allowance, but not provably
    [1_200 - 10_500, 300, 'warn', 'clock-skew-uncertain'],
    [1_200 - 11 * S, 300, 'fail', 'clock-behind'],
    [1_200 + 30 * S, 300, 'warn', 'clock-ahead'],
    [1_200 + 3 * 3600 * S, 300, 'fail', 'clock-ahead-expired'],
    [1_200 + 7190 * S, 300, 'warn', 'clock-ahead'],
  ])('member at %i ms (± %i): %s %s', (offset, u, status, code) => {
    expect(check(host, cluster('member', '3.4', offset, { u }))).toMatchObject({ status, code });
  });

  it('args: the measured skew and its uncertainty in seconds, what is allowed, the token lifetime', () => {
    const f = check(host, cluster('member', '3.4', 1_200 - 45_300, { u: 400 }))!;
    expect(f.args).toEqual({
      skewSeconds: -45.3,
      uncertaintySeconds: 0.7,
      allowedSeconds: 10,
      maximumClockSkew: '10s',
      tokenLifetimeSeconds: 7200,
    });
    expect(f.evidence).toMatchObject({ host: { offsetMs: 1_200 }, member: { offsetMs: 1_200 - 45_300 } });
    const w = describeFinding(f);
    expect(w.summary).toContain('45.3 s (± 0.7 s) behind');
    expect(w.remedy).toMatch(/NTP/);
  });

  it("the member's maximumClockSkew decides: 60s tolerates 45 s behind", () => {
    const member = cluster('member', '3.4', 1_200 - 45 * S, {
      edit: (y) => y.replace('maximumClockSkew: 10s', 'maximumClockSkew: 1m0s'),
    });
    expect(check(host, member)).toMatchObject({ status: 'pass', args: { allowedSeconds: 60 } });
  });

  it('a host whose tokens never expire (accessTokenMaxAge 0): far ahead only warns', () => {
    const h = cluster('host', '3.4', 0, {
      edit: (y) => y.replace('  oauthOptions:\n', '  oauthOptions:\n    accessTokenMaxAge: 0s\n'),
    });
    expect(deriveFacts(h).config).toMatchObject({ settings: { accessTokenMaxAge: { zero: true } } });
    const f = check(h, cluster('member', '3.4', 3 * 3600 * S));
    expect(f).toMatchObject({ status: 'warn', code: 'clock-ahead', args: { tokenLifetimeSeconds: null } });
  });

  it('no reading of either clock: no row', () => {
    expect(check(cluster('host', '3.4', undefined), cluster('member', '3.4', 0))).toBe(undefined);
    expect(check(host, cluster('member', '3.4', undefined))).toBe(undefined);
  });
});

describe('3.0/3.1: the issuer backdates, the member allows nothing', () => {
  it('3.1 host and member: 9 s behind passes (the host backdated iat and nbf by 10 s), 11 s fails', () => {
    const host = cluster('host', '3.1', 0);
    expect(check(host, cluster('member', '3.1', -9 * S))).toMatchObject({
      status: 'pass',
      args: { allowedSeconds: 10 },
    });
    expect(check(host, cluster('member', '3.1', -11 * S))).toMatchObject({ status: 'fail' });
  });

  it('a 3.4 host (no backdating) and a 3.1 member (no leeway): 2 s behind already fails', () => {
    const f = check(cluster('host', '3.4', 0), cluster('member', '3.1', -2 * S));
    expect(f).toMatchObject({ status: 'fail', code: 'clock-behind', args: { allowedSeconds: 0 } });
  });

  it('a 3.1 host and a 3.4 member: backdating and leeway add up (20 s)', () => {
    const f = check(cluster('host', '3.1', 0), cluster('member', '3.4', -15 * S));
    expect(f).toMatchObject({ status: 'pass', args: { allowedSeconds: 20 } });
  });
});

describe('4.x: maximumClockSkew under authentication.issuer', () => {
  it('reads it there', () => {
    const host = cluster('host', '4.1', 0);
    const member = cluster('member', '4.1', -25 * S, {
      edit: (y) => y.replace('maximumClockSkew: 10s', 'maximumClockSkew: 30s'),
    });
    expect(check(host, member)).toMatchObject({ status: 'pass', args: { maximumClockSkew: '30s' } });
    expect(check(host, cluster('member', '4.1', -25 * S))).toMatchObject({ status: 'fail' });
  });
});

describe('in the report', () => {
  const run = (member: ClusterSnapshot, logs: AuthLogSummary = noErrors) =>
    assess(
      { snapshot: cluster('host', '3.4', 0), logs: noErrors },
      [{ gathered: { snapshot: member, logs } }],
      {
        since: '1h',
      },
    ).members[0]!;

  it('the row follows apiserver-restart-pending; a member behind is unhealthy with cause clock-skew', () => {
    const m = run(cluster('member', '3.4', -45 * S));
    const ids = m.checks.map((c) => c.id);
    expect(ids.indexOf('clock-skew')).toBe(ids.indexOf('apiserver-restart-pending') + 1);
    expect(m).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
  });

  it('a clock ahead (warn) leaves the member healthy; in sync too', () => {
    expect(run(cluster('member', '3.4', 30 * S))).toMatchObject({ status: 'healthy', cause: 'healthy' });
    expect(run(cluster('member', '3.4', 0))).toMatchObject({ status: 'healthy', cause: 'healthy' });
  });

  it('a secret mismatch still comes first: the signature is checked before the times', () => {
    const m = run(
      cluster('member', '3.4', -45 * S, {
        edit: (y) => y.replace(/jwtSecret: .*/, 'jwtSecret: "FAKEotherJwtSecret00000000000000"'),
      }),
    );
    expect(m.cause).toBe('secret-mismatch');
  });

  it('an unreachable host: no clock row for the member', () => {
    const host = cluster('host', '3.4', 0);
    const down: ClusterSnapshot = {
      ...host,
      reachability: { ok: false, failure: { kind: 'unreachable', message: 'refused' } },
    };
    const m = assess(
      { snapshot: down, logs: noErrors },
      [{ gathered: { snapshot: cluster('member', '3.4', -45 * S), logs: noErrors } }],
      { since: '1h' },
    ).members[0]!;
    expect(m.checks.map((c) => c.id)).not.toContain('clock-skew');
  });
});
