import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  detectLayout,
  parseKubesphereYaml,
  readAuthSettings,
  type AuthSettings,
  type ParsedConfig,
} from '../../src/kubesphere/config/index.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/kubesphere-yaml/${name}.yaml`, import.meta.url), 'utf8');

function settingsOf(text: string): AuthSettings {
  const parsed = parseKubesphereYaml(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return readAuthSettings(parsed, detectLayout(parsed));
}

interface Row {
  layout: 'v3' | 'v4';
  secret: string;
  maxAge: { present: boolean; raw: string; zero: boolean; effective: string };
  role: string | undefined;
  hostHint: boolean;
  cache: [string, string];
}

const none = { present: false, raw: '', zero: false, effective: '2h' };
const zeroInt = { present: true, raw: '0', zero: true, effective: '0s' };

// What ks-apiserver ends up with for each rendered file (see test/fixtures/kubesphere-yaml).
const FIXTURES: Record<string, Row> = {
  'v3.0-host': {
    layout: 'v3',
    secret: 'FAKEv30hostJwtSecret000000000000',
    maxAge: none,
    role: undefined,
    hostHint: true,
    cache: ['redis', 'redis'],
  },
  'v3.0-member': {
    layout: 'v3',
    secret: 'FAKEv30memberJwtSecret0000000000',
    maxAge: zeroInt,
    role: undefined,
    hostHint: false,
    cache: ['redis', 'redis'],
  },
  'v3.1-host': {
    layout: 'v3',
    secret: 'FAKEv31hostJwtSecret000000000000',
    maxAge: none,
    role: undefined,
    hostHint: true,
    cache: ['redis', 'redis'],
  },
  'v3.1-member': {
    layout: 'v3',
    secret: 'FAKEv31memberJwtSecret0000000000',
    maxAge: zeroInt,
    role: undefined,
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.2-host': {
    layout: 'v3',
    secret: 'FAKEv32hostJwtSecret000000000000',
    maxAge: none,
    role: undefined,
    hostHint: true,
    cache: ['none', 'absent'],
  },
  'v3.2-member': {
    layout: 'v3',
    secret: 'FAKEv32hostJwtSecret000000000000',
    maxAge: zeroInt,
    role: undefined,
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.2-member-hand-edited': {
    layout: 'v3',
    secret: 'FAKEv32hostJwtSecret000000000000',
    maxAge: { present: true, raw: '2h', zero: false, effective: '2h' },
    role: undefined,
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.3-host': {
    layout: 'v3',
    secret: 'FAKEv33hostJwtSecret000000000000',
    maxAge: none,
    role: 'host',
    hostHint: true,
    cache: ['redis', 'cache'],
  },
  'v3.3-member': {
    layout: 'v3',
    secret: 'FAKEv33memberJwtSecret0000000000',
    maxAge: zeroInt,
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.3-member-go-remarshaled': {
    layout: 'v3',
    secret: 'FAKEv33hostJwtSecret000000000000',
    maxAge: { present: true, raw: '0s', zero: true, effective: '0s' },
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.3-member-go-remarshaled-2h': {
    layout: 'v3',
    secret: 'FAKEv33otherJwtSecret00000000000',
    maxAge: { present: true, raw: '2h0m0s', zero: false, effective: '2h' },
    role: 'none',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.4-host': {
    layout: 'v3',
    secret: 'FAKEv34hostJwtSecret000000000000',
    maxAge: none,
    role: 'host',
    hostHint: true,
    cache: ['none', 'absent'],
  },
  'v3.4-member': {
    layout: 'v3',
    secret: 'FAKEv34hostJwtSecret000000000000',
    maxAge: zeroInt,
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.4-member-duplicate-keys': {
    layout: 'v3',
    secret: 'FAKEv34hostJwtSecret000000000000',
    maxAge: zeroInt,
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v3.4-none': {
    layout: 'v3',
    secret: 'FAKEv34soloJwtSecret000000000000',
    maxAge: none,
    role: 'none',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v4.1-host': {
    layout: 'v4',
    secret: 'FAKEv41hostJwtSecret000000000000',
    maxAge: { present: true, raw: '2h', zero: false, effective: '2h' },
    role: 'host',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v4.1-member': {
    layout: 'v4',
    secret: 'FAKEv41hostJwtSecret000000000000',
    maxAge: { present: true, raw: '0s', zero: true, effective: '0s' },
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
  'v4.1-member-stale-secret': {
    layout: 'v4',
    secret: 'FAKEv41staleMemberSecret00000000',
    maxAge: { present: true, raw: '0s', zero: true, effective: '0s' },
    role: 'member',
    hostHint: false,
    cache: ['none', 'absent'],
  },
};

describe('readAuthSettings on every fixture', () => {
  it.each(Object.entries(FIXTURES))('%s', (name, row) => {
    const s = settingsOf(fixture(name));
    expect(s.layout).toBe(row.layout);
    expect(s.jwtSecret).toBe(row.secret);
    expect(s.jwtSecretState).toBe('ok');
    expect(s.jwtSecretPath).toEqual(
      row.layout === 'v4' ? ['authentication', 'issuer', 'jwtSecret'] : ['authentication', 'jwtSecret'],
    );
    expect(s.accessTokenMaxAge).toMatchObject({
      present: row.maxAge.present,
      raw: row.maxAge.raw,
      zero: row.maxAge.zero,
      valid: true,
      effectiveText: row.maxAge.effective,
      path:
        row.layout === 'v4'
          ? ['authentication', 'issuer', 'accessTokenMaxAge']
          : ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
    });
    expect(s.maximumClockSkew).toMatchObject({ present: true, raw: '10s', effectiveText: '10s' });
    expect(s.clusterRole).toBe(row.role);
    expect(s.hostHint).toBe(row.hostHint);
    expect([s.cache.type, s.cache.source]).toEqual(row.cache);
    expect(s.ignoredKeys).toEqual([]);
  });

  it('every fixture is covered by the table', () => {
    expect(Object.keys(FIXTURES)).toHaveLength(18);
  });

  it.each([
    ['v3.3-member-go-remarshaled', 'member-1', undefined],
    ['v3.3-member-go-remarshaled-2h', 'member-2', undefined],
    ['v4.1-host', undefined, 'host'],
    ['v4.1-member', undefined, 'host'],
    ['v3.3-member', undefined, undefined],
  ])('%s: clusterName %s, hostClusterName %s', (name, clusterName, hostClusterName) => {
    const s = settingsOf(fixture(name));
    expect(s.clusterName).toBe(clusterName);
    expect(s.hostClusterName).toBe(hostClusterName);
  });
});

describe('parseKubesphereYaml', () => {
  it('reports the duplicated accessTokenMaxAge of the 3.4 template, and the last one wins', () => {
    const parsed = parseKubesphereYaml(fixture('v3.4-member-duplicate-keys')) as ParsedConfig;
    expect(parsed.ok).toBe(true);
    expect(parsed.duplicateKeys).toEqual([
      { path: ['authentication', 'oauthOptions', 'accessTokenMaxAge'], lines: [11, 12] },
    ]);
    expect(
      (parsed.data.authentication as { oauthOptions: Record<string, unknown> }).oauthOptions
        .accessTokenMaxAge,
    ).toBe(0);
  });

  it.each(Object.keys(FIXTURES).filter((n) => n !== 'v3.4-member-duplicate-keys'))(
    '%s has no duplicate keys',
    (name) => {
      const parsed = parseKubesphereYaml(fixture(name)) as ParsedConfig;
      expect(parsed.duplicateKeys).toEqual([]);
      expect(parsed.notices).toEqual([]);
    },
  );

  it('a later non-zero duplicate wins over an earlier zero', () => {
    const s = settingsOf(
      'authentication:\n  jwtSecret: x\n  oauthOptions:\n    accessTokenMaxAge: 0\n    accessTokenMaxAge: 2h\n',
    );
    expect(s.accessTokenMaxAge).toMatchObject({ raw: '2h', zero: false });
  });

  it('a duplicated parent block replaces the first one whole, as ks-apiserver reads it', () => {
    const text =
      'authentication:\n  jwtSecret: first\n  oauthOptions:\n    accessTokenMaxAge: 0\nauthentication:\n  jwtSecret: second\n';
    const parsed = parseKubesphereYaml(text) as ParsedConfig;
    expect(parsed.duplicateKeys).toEqual([{ path: ['authentication'], lines: [1, 5] }]);
    const s = readAuthSettings(parsed, 'v3');
    expect(s.jwtSecret).toBe('second');
    expect(s.accessTokenMaxAge).toMatchObject({ present: false, zero: false, effectiveText: '2h' });
  });

  it('tolerates True, blank runs, comments and CRLF line ends', () => {
    const text =
      '# hand edit\r\nauthentication:\r\n\r\n\r\n  multipleLogin: True   # capital\r\n  jwtSecret: "abc"\r\n';
    const parsed = parseKubesphereYaml(text) as ParsedConfig;
    expect(parsed.ok).toBe(true);
    expect(parsed.data).toEqual({ authentication: { multipleLogin: true, jwtSecret: 'abc' } });
  });

  it('reads a file with a byte order mark, but says it will not edit it', () => {
    const parsed = parseKubesphereYaml('\uFEFFauthentication:\n  jwtSecret: x\n') as ParsedConfig;
    expect(parsed.ok).toBe(true);
    expect(parsed.data).toEqual({ authentication: { jwtSecret: 'x' } });
    expect(parsed.notices.map((n) => n.code)).toEqual(['structure-not-scanned']);
  });

  it('flags a tab after a colon: js-yaml reads it, Go does not', () => {
    const parsed = parseKubesphereYaml('authentication:\n  jwtSecret:\tabc\n') as ParsedConfig;
    expect(parsed.ok).toBe(true);
    expect(parsed.notices).toEqual([expect.objectContaining({ code: 'tab-after-indicator', lines: [2] })]);
  });

  it.each<[string, string, number | undefined]>([
    ['', 'empty', undefined],
    ['   \n# only a comment\n', 'not-a-mapping', undefined],
    ['authentication:\n\tjwtSecret: x\n', 'tab-indentation', 2],
    ['- a\n- b\n', 'not-a-mapping', undefined],
    ['just text', 'not-a-mapping', undefined],
    ['authentication:\n  jwtSecret: "unclosed\n', 'not-yaml', undefined],
    ['a: 1\n---\nb: 2\n', 'multiple-documents', 2],
    ['a: b: c\n', 'not-yaml', 1],
  ])('%j fails as %s', (text, code, line) => {
    const parsed = parseKubesphereYaml(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe(code);
      expect(parsed.reason.length).toBeGreaterThan(0);
      if (line !== undefined) expect(parsed.line).toBe(line);
    }
  });
});

describe('detectLayout', () => {
  it.each<[string, 'v3' | 'v4']>([
    ['authentication:\n  issuer:\n    jwtSecret: x\n', 'v4'],
    ['authentication:\n  jwtSecret: x\n', 'v3'],
    ['authentication:\n  oauthOptions:\n    issuer: kubesphere\n', 'v3'],
    ['authentication:\n  issuer: null\n', 'v3'],
    ['monitoring: {}\n', 'v3'],
  ])('%j → %s', (text, layout) => {
    const parsed = parseKubesphereYaml(text) as ParsedConfig;
    expect(detectLayout(parsed)).toBe(layout);
    expect(detectLayout(parsed.data)).toBe(layout);
  });
});

describe('readAuthSettings edge cases', () => {
  it.each<[string, string | undefined, string]>([
    ['authentication:\n  jwtSecret: ""\n', '', 'empty'],
    ['authentication:\n  jwtSecret:\n', '', 'empty'],
    ['authentication:\n  maximumClockSkew: 10s\n', undefined, 'absent'],
    ['authentication:\n  jwtSecret: 12345\n', '12345', 'not-a-string'],
    ['authentication:\n  jwtSecret: [a]\n', undefined, 'not-a-string'],
  ])('%j → secret %j (%s)', (text, secret, state) => {
    const s = settingsOf(text);
    expect(s.jwtSecret).toBe(secret);
    expect(s.jwtSecretState).toBe(state);
  });

  it.each<[string, { raw: string; zero: boolean; valid: boolean; effectiveText: string; present: boolean }]>([
    ['0', { raw: '0', zero: true, valid: true, effectiveText: '0s', present: true }],
    ['"0"', { raw: '0', zero: true, valid: true, effectiveText: '0s', present: true }],
    ['0m', { raw: '0m', zero: true, valid: true, effectiveText: '0s', present: true }],
    ['7200', { raw: '7200', zero: false, valid: true, effectiveText: '7.2µs', present: true }],
    ['"7200"', { raw: '7200', zero: false, valid: false, effectiveText: '7200', present: true }],
    ['24h', { raw: '24h', zero: false, valid: true, effectiveText: '24h', present: true }],
    ['', { raw: '', zero: false, valid: true, effectiveText: '2h', present: true }],
    ['2 hours', { raw: '2 hours', zero: false, valid: false, effectiveText: '2 hours', present: true }],
  ])('accessTokenMaxAge: %s', (value, expected) => {
    const s = settingsOf(
      `authentication:\n  jwtSecret: x\n  oauthOptions:\n    accessTokenMaxAge: ${value}\n`,
    );
    expect(s.accessTokenMaxAge).toMatchObject(expected);
  });

  it('reads 4.x settings under issuer and lists the 3.x keys it ignores', () => {
    const text =
      'authentication:\n  jwtSecret: leftover\n  oauthOptions:\n    accessTokenMaxAge: 0\n' +
      '  issuer:\n    jwtSecret: real\n    accessTokenMaxAge: 2h\n    maximumClockSkew: 20s\n';
    const s = settingsOf(text);
    expect(s.layout).toBe('v4');
    expect(s.jwtSecret).toBe('real');
    expect(s.accessTokenMaxAge).toMatchObject({ raw: '2h', zero: false });
    expect(s.maximumClockSkew).toMatchObject({ raw: '20s' });
    expect(s.ignoredKeys).toEqual([
      ['authentication', 'jwtSecret'],
      ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
    ]);
  });

  it.each<[string, string, string]>([
    ['cache:\n  type: redis\n  options:\n    host: redis\n', 'redis', 'cache'],
    ['cache:\n  type: InMemoryCache\n', 'in-memory', 'cache'],
    ['cache:\n  options: {}\n', 'in-memory', 'cache'],
    ['cache:\n  type: memcached\n', 'unsupported', 'cache'],
    ['redis:\n  host: redis.kubesphere-system.svc\n', 'redis', 'redis'],
    ['redis:\n  host: ""\n', 'in-memory', 'redis'],
    ['monitoring: {}\n', 'none', 'absent'],
  ])('cache from %j → %s via %s', (text, type, source) => {
    expect(settingsOf(text).cache).toMatchObject({ type, source });
  });

  it.each<[string, string | undefined, boolean]>([
    ['multicluster:\n  clusterRole: member\n', 'member', false],
    ['multicluster:\n  clusterRole: "host"\n', 'host', false],
    ['multicluster:\n  clusterRole: Member\n', undefined, false],
    ['multicluster:\n  enable: true\n', undefined, true],
    ['multicluster:\n  clusterRole: host\n  enable: true\n', 'host', true],
  ])('role from %j → %s (host hint %s)', (text, role, hint) => {
    const s = settingsOf(text);
    expect(s.clusterRole).toBe(role);
    expect(s.hostHint).toBe(hint);
  });

  it('keeps an unknown role as written for the report', () => {
    expect(settingsOf('multicluster:\n  clusterRole: Member\n').clusterRoleRaw).toBe('Member');
  });
});
