/**
 * What ks-restore reads from a kubesphere.yaml and from image tags, stated exactly: each setting as ks-apiserver
 * ends up with it, durations at Go's limits, and the version rules (issue 13, the config area's mutants).
 */
import { describe, expect, it } from 'vitest';
import {
  detectLayout,
  parseKubesphereYaml,
  readAuthSettings,
  type AuthSettings,
} from '../../src/kubesphere/config/index.js';
import { formatDuration, formatGoDuration, parseGoDuration } from '../../src/kubesphere/config/duration.js';
import {
  FAMILY_RULES,
  cacheSectionForVersion,
  ccMaxAgeRule,
  compareKsVersions,
  emptySecretCrashes,
  ksVersionFromImage,
  layoutForVersion,
  parseKsVersion,
  readsEnvOverrides,
  versionFamily,
} from '../../src/kubesphere/config/version.js';

function settingsOf(text: string): AuthSettings {
  const parsed = parseKubesphereYaml(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return readAuthSettings(parsed, detectLayout(parsed));
}

describe('readAuthSettings: what ks-apiserver ends up with', () => {
  it.each<[string, string | undefined, string]>([
    ['true', 'true', 'not-a-string'],
    ['1.5', '1.5', 'not-a-string'],
    ['~', '', 'empty'],
    ['{a: 1}', undefined, 'not-a-string'],
  ])('jwtSecret: %s is %j (%s)', (value, secret, state) => {
    const s = settingsOf(`authentication:\n  jwtSecret: ${value}\n`);
    expect([s.jwtSecret, s.jwtSecretState]).toEqual([secret, state]);
  });

  it.each<[string, boolean | undefined, boolean, unknown, string | undefined, string | undefined]>([
    ['multicluster:\n  enable: false\n', false, false, undefined, undefined, undefined],
    ['multicluster:\n  enable: "true"\n', undefined, false, undefined, undefined, undefined],
    ['multicluster:\n  clusterRole: 5\n', undefined, false, 5, undefined, undefined],
    ['multicluster:\n  clusterName: 5\n  hostClusterName: h\n', undefined, false, undefined, undefined, 'h'],
    [
      'multicluster:\n  clusterName: m1\n  hostClusterName: 7\n',
      undefined,
      false,
      undefined,
      'm1',
      undefined,
    ],
  ])(
    '%j: enable %s, host hint %s, role as written %j, names %s / %s',
    (text, enable, hint, raw, name, host) => {
      const s = settingsOf(text);
      expect([
        s.multiclusterEnable,
        s.hostHint,
        s.clusterRole,
        s.clusterRoleRaw,
        s.clusterName,
        s.hostClusterName,
      ]).toEqual([enable, hint, undefined, raw, name, host]);
    },
  );

  it.each<[string, boolean]>([
    ['authentication:\n  oauthOptions:\n    clients: []\n', false],
    ['authentication:\n  oauthOptions:\n    clients:\n    - name: kubesphere\n', true],
    ['authentication:\n  oauthOptions:\n    clients: x\n', false],
    ['a: 1\n', false],
  ])('%j lists an OAuth client: %s', (text, clients) => {
    expect(settingsOf(text).oauthClients).toBe(clients);
  });

  it.each<[string, object]>([
    ['cache:\n  type:\n', { type: 'in-memory', source: 'cache' }],
    ['cache:\n  type: 5\n', { type: 'unsupported', source: 'cache', rawType: '5' }],
    ['cache:\n  type: memcached\n', { type: 'unsupported', source: 'cache', rawType: 'memcached' }],
    ['cache:\n  type: redis\n', { type: 'redis', source: 'cache' }],
    ['redis:\n  host: 5\n', { type: 'in-memory', source: 'redis' }],
    ['redis:\n  port: 6379\n', { type: 'in-memory', source: 'redis' }],
    ['cache: redis\nredis:\n  host: r\n', { type: 'redis', source: 'redis' }],
    ['cache: []\n', { type: 'none', source: 'absent' }],
  ])('cache from %j', (text, cache) => {
    expect(settingsOf(text).cache).toEqual(cache);
  });

  it('a 4.x file: every setting under issuer, defaults where absent, a 3.x skew key ignored', () => {
    const s = settingsOf('authentication:\n  issuer:\n    jwtSecret: x\n  maximumClockSkew: 5s\n');
    expect(s).toEqual({
      layout: 'v4',
      jwtSecret: 'x',
      jwtSecretPath: ['authentication', 'issuer', 'jwtSecret'],
      jwtSecretState: 'ok',
      accessTokenMaxAge: {
        path: ['authentication', 'issuer', 'accessTokenMaxAge'],
        present: false,
        raw: '',
        value: undefined,
        duration: { ok: true, nanos: 7_200_000_000_000n, zero: false, text: '2h', notes: ['default'] },
        valid: true,
        zero: false,
        effectiveText: '2h',
      },
      maximumClockSkew: {
        path: ['authentication', 'issuer', 'maximumClockSkew'],
        present: false,
        raw: '',
        value: undefined,
        duration: { ok: true, nanos: 10_000_000_000n, zero: false, text: '10s', notes: ['default'] },
        valid: true,
        zero: false,
        effectiveText: '10s',
      },
      clusterRole: undefined,
      clusterRoleRaw: undefined,
      multiclusterEnable: undefined,
      hostHint: false,
      hostClusterName: undefined,
      clusterName: undefined,
      cache: { type: 'none', source: 'absent' },
      ignoredKeys: [['authentication', 'maximumClockSkew']],
      oauthClients: false,
    });
  });

  it('a 3.x file: the skew as written, an invalid max age shown as written', () => {
    const s = settingsOf(
      'authentication:\n  jwtSecret: x\n  maximumClockSkew: 5s\n  oauthOptions:\n    accessTokenMaxAge: 2 hours\n',
    );
    expect(s.maximumClockSkew).toEqual({
      path: ['authentication', 'maximumClockSkew'],
      present: true,
      raw: '5s',
      value: '5s',
      duration: { ok: true, nanos: 5_000_000_000n, zero: false, text: '5s', notes: [] },
      valid: true,
      zero: false,
      effectiveText: '5s',
    });
    expect(s.accessTokenMaxAge).toMatchObject({
      raw: '2 hours',
      valid: false,
      zero: false,
      effectiveText: '2 hours',
    });
    expect(s.ignoredKeys).toEqual([]);
  });

  it('a 4.x file with every 3.x key lists all three as ignored, in order', () => {
    const s = settingsOf(
      'authentication:\n  jwtSecret: a\n  maximumClockSkew: 5s\n  oauthOptions:\n    accessTokenMaxAge: 0\n  issuer:\n    jwtSecret: b\n',
    );
    expect(s.ignoredKeys).toEqual([
      ['authentication', 'jwtSecret'],
      ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
      ['authentication', 'maximumClockSkew'],
    ]);
  });
});

describe('parseKubesphereYaml: refusals and notices in their words', () => {
  it.each<[string, object]>([
    ['', { ok: false, code: 'empty', reason: 'kubesphere.yaml is empty' }],
    [' \n', { ok: false, code: 'empty', reason: 'kubesphere.yaml is empty' }],
    [
      'a:\n\tb: 1\n',
      {
        ok: false,
        code: 'tab-indentation',
        reason: 'line 2: a tab is used for indentation (YAML allows only spaces)',
        line: 2,
      },
    ],
    [
      'a: 1\n---\nb: 1\n',
      {
        ok: false,
        code: 'multiple-documents',
        reason: 'line 2: a second YAML document starts here',
        line: 2,
      },
    ],
    ['a: b: c\n', { ok: false, code: 'not-yaml', reason: 'bad indentation of a mapping entry', line: 1 }],
    [
      'x: "a\n',
      {
        ok: false,
        code: 'not-yaml',
        reason: 'unexpected end of the stream within a double quoted scalar',
        line: 2,
      },
    ],
    ['- a\n', { ok: false, code: 'not-a-mapping', reason: 'kubesphere.yaml is not a mapping of settings' }],
    ['42\n', { ok: false, code: 'not-a-mapping', reason: 'kubesphere.yaml is not a mapping of settings' }],
    ['~\n', { ok: false, code: 'not-a-mapping', reason: 'kubesphere.yaml is not a mapping of settings' }],
  ])('%j', (text, result) => {
    expect(parseKubesphereYaml(text)).toEqual(result);
  });

  it.each<[string, object]>([
    [
      '\uFEFFa: 1\n',
      {
        ok: true,
        data: { a: 1 },
        duplicateKeys: [],
        notices: [
          { code: 'structure-not-scanned', lines: [1], message: 'the text starts with a byte order mark' },
        ],
      },
    ],
    [
      'a:\n  -\tx\n',
      {
        ok: true,
        data: { a: ['x'] },
        duplicateKeys: [],
        notices: [
          {
            code: 'tab-after-indicator',
            lines: [2],
            message: 'a tab follows ":" or "-"; Go YAML parsers (ks-apiserver) reject that',
          },
          { code: 'structure-not-scanned', lines: [2], message: 'expected "key: value"' },
        ],
      },
    ],
    ['# a:\tb\na: 1\n', { ok: true, data: { a: 1 }, duplicateKeys: [], notices: [] }],
    [
      'a:\t1\nb: 2\nc:\t3\n',
      {
        ok: true,
        data: { a: 1, b: 2, c: 3 },
        duplicateKeys: [],
        notices: [
          {
            code: 'tab-after-indicator',
            lines: [1, 3],
            message: 'a tab follows ":" or "-"; Go YAML parsers (ks-apiserver) reject that',
          },
        ],
      },
    ],
    [
      'a: 1\n? b\n: c\n',
      {
        ok: true,
        data: { a: 1, b: 'c' },
        duplicateKeys: [],
        notices: [{ code: 'structure-not-scanned', lines: [2], message: 'expected "key: value"' }],
      },
    ],
  ])('%j is read, with these notices', (text, result) => {
    expect(parseKubesphereYaml(text)).toEqual(result);
  });
});

describe('durations at the edges of Go time.ParseDuration', () => {
  it.each<[string, bigint]>([
    ['0.000000001s', 1n],
    ['1.0000000001s', 1_000_000_000n],
    ['1.99999999999999999999s', 2_000_000_000n],
    ['2562047h47m16.854775807s', 9223372036854775807n],
    ['9223372036854775807.9ns', 9223372036854775807n],
    ['0.1ns', 0n],
    ['-1h', -3_600_000_000_000n],
    ['00012s', 12_000_000_000n],
    ['1.5µs', 1500n],
  ])('%s is %s ns', (text, nanos) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, nanos, zero: nanos === 0n, text, notes: [] });
  });

  it.each<[string, string]>([
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['99999999999999999999ns', 'time: invalid duration "99999999999999999999ns"'],
    ['922337203685477580h', 'time: invalid duration "922337203685477580h"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
    ['1h.', 'time: invalid duration "1h."'],
    ['.', 'time: invalid duration "."'],
    ['+', 'time: invalid duration "+"'],
    ['h', 'time: invalid duration "h"'],
    ['1', 'time: missing unit in duration "1"'],
    ['5m4', 'time: missing unit in duration "5m4"'],
    ['1.1.1s', 'time: missing unit in duration "1.1.1s"'],
    ['1e3s', 'time: unknown unit "e" in duration "1e3s"'],
  ])('%j: %s', (text, reason) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, text, reason });
  });

  it.each<[number | bigint, object]>([
    [2 ** 63, { ok: false, text: '9223372036854776000', reason: 'out of range for a Go duration' }],
    [
      9223372036854775808n,
      { ok: false, text: '9223372036854775808', reason: 'out of range for a Go duration' },
    ],
    [
      -9223372036854775809n,
      { ok: false, text: '-9223372036854775809', reason: 'out of range for a Go duration' },
    ],
    [
      9223372036854775807n,
      {
        ok: true,
        nanos: 9223372036854775807n,
        zero: false,
        text: '9223372036854775807',
        notes: ['bare-integer'],
      },
    ],
    [
      -9223372036854775808n,
      {
        ok: true,
        nanos: -9223372036854775808n,
        zero: false,
        text: '-9223372036854775808',
        notes: ['bare-integer'],
      },
    ],
    [-5, { ok: true, nanos: -5n, zero: false, text: '-5', notes: ['bare-integer'] }],
    [NaN, { ok: false, text: 'NaN', reason: 'a fractional number has no unit; write e.g. "1.5h"' }],
    [1.5, { ok: false, text: '1.5', reason: 'a fractional number has no unit; write e.g. "1.5h"' }],
  ])('the YAML integer %s', (value, result) => {
    expect(parseGoDuration(value)).toEqual(result);
  });

  it('a zero default is zero; a non-string, non-number is named by its type', () => {
    expect(parseGoDuration(null, { text: '0s', nanos: 0n })).toEqual({
      ok: true,
      nanos: 0n,
      zero: true,
      text: '0s',
      notes: ['default'],
    });
    expect(parseGoDuration(true)).toEqual({ ok: false, text: 'true', reason: 'a boolean is not a duration' });
    expect(parseGoDuration({})).toEqual({
      ok: false,
      text: '[object Object]',
      reason: 'a object is not a duration',
    });
  });

  it.each<[bigint, string, string]>([
    [999n, '999ns', '999ns'],
    [1000n, '1µs', '1µs'],
    [1001n, '1.001µs', '1.001µs'],
    [999_999n, '999.999µs', '999.999µs'],
    [1_000_000n, '1ms', '1ms'],
    [999_999_999n, '999.999999ms', '999.999999ms'],
    [1_000_000_000n, '1s', '1s'],
    [1_000_000_001n, '1.000000001s', '1.000000001s'],
    [60_000_000_000n, '1m0s', '1m'],
    [61_000_000_000n, '1m1s', '1m1s'],
    [3_600_000_000_000n, '1h0m0s', '1h'],
    [3_601_000_000_000n, '1h0m1s', '1h1s'],
    [3_660_000_000_000n, '1h1m0s', '1h1m'],
    [-1500n, '-1.5µs', '-1.5µs'],
    [-1n, '-1ns', '-1ns'],
    [-61_000_000_000n, '-1m1s', '-1m1s'],
    [360_000_000_000_001n, '100h0m0.000000001s', '100h0.000000001s'],
  ])('%s ns is Go %s, for people %s', (nanos, go, human) => {
    expect(formatGoDuration(nanos)).toBe(go);
    expect(formatDuration(nanos)).toBe(human);
  });
});

describe('versions', () => {
  it.each<[string, object | undefined]>([
    [' 3.3 ', { major: 3, minor: 3, patch: 0, text: '3.3' }],
    ['v3.3.0+build', { major: 3, minor: 3, patch: 0, text: 'v3.3.0+build' }],
    ['v10.20.30', { major: 10, minor: 20, patch: 30, text: 'v10.20.30' }],
    ['3', undefined],
    ['v3.4.1.2', undefined],
    ['V3.4', undefined],
    ['xv3.4', undefined],
  ])('parseKsVersion(%j)', (text, version) => {
    expect(parseKsVersion(text)).toEqual(version);
  });

  it.each<[string, string | undefined]>([
    ['registry:5000/ks-apiserver', undefined],
    ['ks-apiserver@sha256:abc', undefined],
    [' ks:v4.1.0 ', 'v4.1.0'],
    ['a/b:c:v3.1.0', undefined],
    ['registry:5000/kubesphereio/ks-apiserver:v3.3.2@sha256:abc', 'v3.3.2'],
  ])('the version in image %j is %s', (image, text) => {
    expect(ksVersionFromImage(image)?.text).toBe(text);
  });

  it.each<[string, string | undefined, string | undefined, string, string, boolean, boolean]>([
    ['3.0.0', '3.0-3.2', 'v3', 'redis', 'ignored', false, false],
    ['3.1.1', '3.0-3.2', 'v3', 'redis', 'decides', false, true],
    ['3.2.9', '3.0-3.2', 'v3', 'redis', 'ignored', true, true],
    ['3.3.1', '3.3-3.4', 'v3', 'redis', 'overridden', true, true],
    ['3.3.2', '3.3-3.4', 'v3', 'cache', 'overridden', true, true],
    ['3.4.1', '3.3-3.4', 'v3', 'cache', 'overridden', true, true],
    ['3.5.0', undefined, undefined, 'cache', 'unknown', true, true],
    ['4.1.3', '4.x', 'v4', 'cache', 'unknown', true, true],
    ['2.9.0', undefined, undefined, 'redis', 'unknown', true, true],
    ['5.0.0', undefined, undefined, 'cache', 'unknown', true, true],
  ])(
    '%s: family %s, layout %s, %s section, CC max age %s, env overrides %s, empty secret crashes %s',
    (text, family, layout, cache, rule, env, crashes) => {
      const v = parseKsVersion(text);
      if (!v) throw new Error('unparsed');
      expect([
        versionFamily(v),
        layoutForVersion(v),
        cacheSectionForVersion(v),
        ccMaxAgeRule(v),
        readsEnvOverrides(v),
        emptySecretCrashes(v),
      ]).toEqual([family, layout, cache, rule, env, crashes]);
    },
  );

  it('an unknown version: the CC rule is unknown, env overrides are read, an empty secret crashes', () => {
    expect([ccMaxAgeRule(undefined), readsEnvOverrides(undefined), emptySecretCrashes(undefined)]).toEqual([
      'unknown',
      true,
      true,
    ]);
  });

  it('versions compare by major, then minor, then patch', () => {
    const v = (major: number, minor: number, patch: number) => ({ major, minor, patch, text: '' });
    expect(compareKsVersions(v(3, 4, 1), v(3, 4, 0))).toBe(1);
    expect(compareKsVersions(v(3, 3, 9), v(3, 4, 0))).toBe(-1);
    expect(compareKsVersions(v(4, 0, 0), v(3, 9, 9))).toBe(1);
    expect(compareKsVersions(v(3, 4, 1), v(3, 4, 1))).toBe(0);
  });

  it('the rules of each family, whole', () => {
    expect(FAMILY_RULES).toEqual({
      '3.0-3.2': {
        layout: 'v3',
        roleKeyInConfig: false,
        installerOwnsConfig: true,
        hotReloadsConfig: false,
        memberRunsKsAgent: false,
      },
      '3.3-3.4': {
        layout: 'v3',
        roleKeyInConfig: true,
        installerOwnsConfig: true,
        hotReloadsConfig: true,
        memberRunsKsAgent: false,
      },
      '4.x': {
        layout: 'v4',
        roleKeyInConfig: true,
        installerOwnsConfig: false,
        hotReloadsConfig: false,
        memberRunsKsAgent: true,
      },
    });
  });
});
