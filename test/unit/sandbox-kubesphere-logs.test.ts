import { describe, expect, it } from 'vitest';
import { loadKsConfig } from '../../src/sandbox/kubesphere/config-load.js';
import { accessTokenClaims, signHS256, verifyHS256 } from '../../src/sandbox/kubesphere/jwt.js';
import { goLogLine, klogLine } from '../../src/sandbox/kubesphere/klog.js';
import {
  authFailureEntries,
  crashLines,
  hostUnauthorizedEntry,
  startupEntries,
} from '../../src/sandbox/kubesphere/log-catalog.js';
import type { AuthFailure } from '../../src/sandbox/kubesphere/log-catalog.js';
import { renderKubesphereYaml } from '../../src/sandbox/kubesphere/templates.js';
import type { KsVersion } from '../../src/sandbox/kubesphere/versions.js';

const T = new Date('2024-11-28T17:12:48.123Z');
const lines = (v: KsVersion, why: AuthFailure): string[] =>
  authFailureEntries(v, why).map((e) => klogLine(e, T, 456));

describe('klog lines ks-apiserver writes on a rejected token (kubesphere.md table)', () => {
  it('header: level, mmdd, microseconds, PID 1 right-aligned in 7 columns, file:line', () => {
    expect(klogLine({ sev: 'W', at: 'jwt.go:53', msg: 'token not found in cache' }, T, 456)).toBe(
      'W1128 17:12:48.123456       1 jwt.go:53] token not found in cache',
    );
  });

  it.each([
    [
      '3.0',
      'token not found in cache',
      [
        'E1128 17:12:48.123456       1 token.go:65] token not found in cache',
        'E1128 17:12:48.123456       1 jwt_token.go:45] token not found in cache',
        'E1128 17:12:48.123456       1 authentication.go:60] Unable to authenticate the request due to error: token not found in cache',
      ],
    ],
    [
      '3.0',
      'signature is invalid',
      [
        'E1128 17:12:48.123456       1 jwt.go:51] signature is invalid',
        'E1128 17:12:48.123456       1 token.go:57] signature is invalid',
        'E1128 17:12:48.123456       1 jwt_token.go:45] signature is invalid',
        'E1128 17:12:48.123456       1 authentication.go:60] Unable to authenticate the request due to error: signature is invalid',
      ],
    ],
    [
      '3.1',
      'token not found in cache',
      ['W1128 17:12:48.123456       1 jwt_token.go:52] token not found in cache'],
    ],
    ['3.1', 'signature is invalid', ['W1128 17:12:48.123456       1 jwt_token.go:52] signature is invalid']],
    [
      '3.2',
      'token not found in cache',
      ['W1128 17:12:48.123456       1 jwt.go:53] token not found in cache'],
    ],
    [
      '3.3',
      'signature is invalid',
      [
        'W1128 17:12:48.123456       1 issuer.go:187] jwt: failed to parse token: signature is invalid',
        'W1128 17:12:48.123456       1 jwt.go:53] signature is invalid',
      ],
    ],
    [
      '3.4',
      'signature is invalid',
      [
        'W1128 17:12:48.123456       1 issuer.go:182] jwt: failed to parse token: signature is invalid',
        'W1128 17:12:48.123456       1 jwt.go:53] signature is invalid',
      ],
    ],
    [
      '4.1',
      'token not found in cache',
      [
        'W1128 17:12:48.123456       1 jwt.go:47] token not found in cache',
        'E1128 17:12:48.123456       1 authentication.go:64] Request authentication failed: token not found in cache',
      ],
    ],
    [
      '4.1',
      'signature is invalid',
      [
        'W1128 17:12:48.123456       1 issuer.go:171] jwt: failed to parse token: signature is invalid',
        'W1128 17:12:48.123456       1 jwt.go:47] signature is invalid',
        'E1128 17:12:48.123456       1 authentication.go:64] Request authentication failed: signature is invalid',
      ],
    ],
  ] as const)('%s, %s', (v, why, expected) => {
    expect(lines(v, why)).toEqual(expected);
  });

  it('4.1 host: the proxy logs the member Status it turned into 511', () => {
    const e = hostUnauthorizedEntry('4.1', '10.0.0.5:6443', 'token not found in cache')!;
    expect(klogLine(e, T, 0)).toMatch(
      /^W1128 17:12:48\.123000 {7}1 multicluster\.go:188\] Request unauthorized, host: 10\.0\.0\.5:6443, reason: \{"kind":"Status",.*"message":"token not found in cache","reason":"Unauthorized","code":401\}$/,
    );
    expect(hostUnauthorizedEntry('3.4', 'x', 'token not found in cache')).toBeUndefined();
  });
});

describe('start-up and crash output', () => {
  it('warns about the in-memory cache only without Redis, in each release’s words', () => {
    const noRedis = (v: KsVersion) =>
      startupEntries(v, loadKsConfig(v, renderKubesphereYaml({ version: v, role: 'host', jwtSecret: 's' })));
    expect(noRedis('3.1')[0]).toMatchObject({
      sev: 'W',
      at: 'options.go:180',
      msg: expect.stringContaining('ks-apiserver starts without redis provided'),
    });
    expect(noRedis('3.3')[0]).toMatchObject({
      at: 'options.go:193',
      msg: expect.stringContaining('starts without cache provided'),
    });
    expect(noRedis('3.4')[0]!.msg).toBe(
      'In-memory cache will be used, this may cause data inconsistencies when running with multiple replicas.',
    );
    expect(noRedis('4.1')[0]!.at).toBe('cache.go:48');
    const withRedis = startupEntries(
      '3.4',
      loadKsConfig(
        '3.4',
        renderKubesphereYaml({ version: '3.4', role: 'host', jwtSecret: 's', redis: true }),
      ),
    );
    expect(withRedis.map((e) => e.msg)).toEqual([
      'Start cache objects',
      'Finished caching objects',
      'Start listening on :9090',
    ]);
  });

  it.each([
    ['3.2', ['Error: JWT secret MUST not be empty', '2024/11/28 17:12:48 JWT secret MUST not be empty']],
    ['3.4', ['E1128 17:12:48.123456       1 run.go:74] "command failed" err="JWT secret MUST not be empty"']],
    ['4.1', ['E1128 17:12:48.123456       1 run.go:72] "command failed" err="JWT secret MUST not be empty"']],
  ] as const)('%s: an empty jwtSecret crashes the process', (v, expected) => {
    const cfg = loadKsConfig(v, renderKubesphereYaml({ version: v, role: 'member', jwtSecret: '' }));
    expect(cfg.crash).toEqual({ kind: 'empty-secret' });
    const out = crashLines(v, cfg.crash!, T).map((l) => l.replace(/\.123\d{3} /, '.123456 '));
    expect(out).toEqual(expected);
  });

  it('3.0 has no secret check but needs Redis', () => {
    expect(
      loadKsConfig('3.0', renderKubesphereYaml({ version: '3.0', role: 'member', jwtSecret: '' })).crash,
    ).toBeUndefined();
    expect(loadKsConfig('3.0', 'authentication:\n  jwtSecret: x\n').crash).toEqual({ kind: 'no-redis' });
  });

  it('4.1 (viper over yaml.v3) refuses a duplicate key; 3.x (yaml.v2) takes the last', () => {
    const text =
      'authentication:\n  issuer:\n    jwtSecret: "a"\n    accessTokenMaxAge: 2h\n    accessTokenMaxAge: 0s\n';
    const cfg = loadKsConfig('4.1', text);
    expect(cfg.crash).toMatchObject({ kind: 'unreadable-config' });
    expect(crashLines('4.1', cfg.crash!, T)[0]).toMatch(
      /^F1128 .* server\.go:33\] Failed to load configuration from disk: While parsing config: yaml: unmarshal errors:\n {2}line 5: mapping key "accessTokenMaxAge" already defined at line 4$/,
    );
    const v3 =
      'authentication:\n  jwtSecret: "a"\n  oauthOptions:\n    accessTokenMaxAge: 2h\n    accessTokenMaxAge: 0\n';
    expect(loadKsConfig('3.3', v3)).toMatchObject({ jwtSecret: 'a', accessTokenMaxAgeNs: 0 });
  });

  it('an environment variable overrides the file secret (viper AutomaticEnv)', () => {
    const text = renderKubesphereYaml({ version: '3.4', role: 'member', jwtSecret: 'file' });
    expect(loadKsConfig('3.4', text, { KUBESPHERE_AUTHENTICATION_JWTSECRET: 'env' }).jwtSecret).toBe('env');
  });

  it('Go log.Fatalln prefix', () => {
    expect(goLogLine(T, 'x')).toBe('2024/11/28 17:12:48 x');
  });
});

describe('HS256 access tokens', () => {
  const claims = accessTokenClaims('3.4', 'admin', T, 7.2e12);

  it('carry KubeSphere claims', () => {
    expect(claims).toEqual({
      iss: 'kubesphere',
      sub: 'admin',
      exp: Math.floor(T.getTime() / 1000) + 7200,
      iat: Math.floor(T.getTime() / 1000),
      token_type: 'access_token',
      username: 'admin',
    });
    expect(accessTokenClaims('4.1', 'admin', T, 0)).not.toHaveProperty('exp');
  });

  it('verify with the same secret, fail with another', () => {
    const token = signHS256(claims, 'host-secret');
    expect(verifyHS256(token, 'host-secret', T)).toMatchObject({ ok: true, claims: { username: 'admin' } });
    expect(verifyHS256(token, 'member-secret', T)).toEqual({ ok: false, error: 'signature is invalid' });
    expect(verifyHS256(token, 'host-secret', new Date(T.getTime() + 7215_000))).toEqual({
      ok: false,
      error: 'token is expired by 15s',
    });
  });
});
