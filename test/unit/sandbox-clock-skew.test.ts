/**
 * The sandbox's clock skew: tokens issued by the host's clock and checked by the member's, as kubesphere does it
 * (`pkg/apiserver/authentication/token/issuer.go` Verify on 3.2+, `token/jwt.go` with jwt-go v3
 * `StandardClaims.Valid()` on 3.0/3.1), the lines each release logs for it, and the scenario that skews a member.
 */
import { describe, expect, it } from 'vitest';
import { classifyLogLine } from '../../src/kubesphere/logs/line.js';
import { accessTokenClaims, issuedInFuture } from '../../src/sandbox/kubesphere/jwt.js';
import { klogLine } from '../../src/sandbox/kubesphere/klog.js';
import { clockFailureEntries } from '../../src/sandbox/kubesphere/log-catalog.js';
import { planSandbox } from '../../src/sandbox/kubesphere/plan.js';
import { KS_VERSIONS } from '../../src/sandbox/kubesphere/versions.js';

const T = new Date('2026-12-01T12:00:00.000Z');
const sec = (s: number) => new Date(T.getTime() + s * 1000);

describe('issuedInFuture: the member checks the host token by its own clock', () => {
  it.each(['3.2', '3.3', '3.4', '4.1'])('%s allows maximumClockSkew (10 s) behind, not more', (v) => {
    const claims = accessTokenClaims(v, 'admin', T, 0);
    expect(issuedInFuture(v, claims, sec(0))).toBe(undefined);
    expect(issuedInFuture(v, claims, sec(-10))).toBe(undefined);
    expect(issuedInFuture(v, claims, sec(-11))).toMatch(/^jwt: token used before issued, iat:/);
    expect(issuedInFuture(v, claims, sec(-11), 30)).toBe(undefined);
  });

  it('3.2–3.4 print Unix seconds; 4.1 Go times, now with its monotonic reading', () => {
    const iat = T.getTime() / 1000;
    expect(issuedInFuture('3.4', accessTokenClaims('3.4', 'admin', T, 0), sec(-45))).toBe(
      `jwt: token used before issued, iat:${iat}, now:${iat - 45}`,
    );
    expect(issuedInFuture('4.1', accessTokenClaims('4.1', 'admin', T, 0), sec(-45.25), 10, 3600)).toBe(
      'jwt: token used before issued, iat:2026-12-01 12:00:00 +0000 UTC, now:2026-12-01 11:59:14.75 +0000 UTC m=+3600.000000000',
    );
  });

  it.each(['3.0', '3.1'])(
    '%s: the issuer backdates iat and nbf by its skew; the check allows none, nbf reported last',
    (v) => {
      const claims = accessTokenClaims(v, 'admin', T, 7.2e12, 10);
      expect(claims).toMatchObject({ iat: T.getTime() / 1000 - 10, nbf: T.getTime() / 1000 - 10 });
      expect(claims.exp).toBe(T.getTime() / 1000 - 10 + 7200);
      expect(issuedInFuture(v, claims, sec(-10))).toBe(undefined);
      expect(issuedInFuture(v, claims, sec(-11))).toBe('token is not valid yet');
      // jwt-go v3 overwrites the message check by check: without nbf, the iat one shows.
      const noNbf = { ...claims };
      delete noNbf.nbf;
      expect(issuedInFuture(v, noNbf, sec(-11))).toBe('Token used before issued');
    },
  );

  it('3.2+ issuers do not backdate', () => {
    expect(accessTokenClaims('3.4', 'admin', T, 0, 10).iat).toBe(T.getTime() / 1000);
  });
});

describe('what each release logs for it, and how diagnose reads it', () => {
  it.each(KS_VERSIONS)('%s: every line is classified as clock skew', (v) => {
    const msg = issuedInFuture(v, accessTokenClaims(v, 'admin', T, 0, 10), sec(-60))!;
    const entries = clockFailureEntries(v, msg);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(classifyLogLine(klogLine(e, T))).toMatchObject({ kind: 'clock-skew' });
  });

  it('the issuer warning carries the line of token/issuer.go `klog.Warning(err)` per release', () => {
    const at = (v: (typeof KS_VERSIONS)[number]) => clockFailureEntries(v, 'x')[0]!.at;
    expect([at('3.2'), at('3.3'), at('3.4'), at('4.1')]).toEqual([
      'issuer.go:203',
      'issuer.go:203',
      'issuer.go:198',
      'issuer.go:187',
    ]);
    expect(at('3.1')).toBe('jwt_token.go:52');
    expect(at('3.0')).toBe('jwt.go:51');
  });
});

describe('the clock-skew scenario', () => {
  it("puts members 45 s behind, the host on time; a member's own offset wins", () => {
    const plans = planSandbox({
      scenario: 'clock-skew',
      members: [{ name: 'a' }, { name: 'b', clockOffsetMs: 5_000 }, { name: 'c', scenario: 'healthy' }],
    });
    expect(plans.map((p) => [p.name, p.clockOffsetMs])).toEqual([
      ['host', 0],
      ['a', -45_000],
      ['b', 5_000],
      ['c', 0],
    ]);
  });

  it('refuses an offset that is not a number', () => {
    expect(() => planSandbox({ members: [{ clockOffsetMs: Number.NaN }] })).toThrow(/clock offset/);
  });
});
