/* eslint-disable @typescript-eslint/no-explicit-any -- API and YAML documents, read field by field */
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadKsConfig } from '../../src/sandbox/kubesphere/config-load.js';
import { formatGoDuration, parseGoDuration } from '../../src/sandbox/kubesphere/duration.js';
import { goRemarshal, handEdit, renderKubesphereYaml } from '../../src/sandbox/kubesphere/templates.js';
import type { RenderOptions } from '../../src/sandbox/kubesphere/templates.js';
import { KS_VERSIONS } from '../../src/sandbox/kubesphere/versions.js';

const SECRET = 'x9Qk2LpT7vWc4RmZ8nHb3JdF6sGy1AeU';
const render = (o: Partial<RenderOptions> & Pick<RenderOptions, 'version' | 'role'>): string =>
  renderKubesphereYaml({ jwtSecret: SECRET, ...o });
const doc = (text: string): Record<string, any> => yaml.load(text, { json: true }) as Record<string, any>;

describe('renderKubesphereYaml: what ks-installer / the ks-core chart leave in kubesphere.yaml', () => {
  it.each(KS_VERSIONS)('%s: parses, and ks-apiserver reads the given secret', (v) => {
    for (const role of ['host', 'member', 'none'] as const) {
      const text = render({ version: v, role });
      expect(() => doc(text)).not.toThrow();
      expect(loadKsConfig(v, text).jwtSecret).toBe(SECRET);
    }
  });

  // accessTokenMaxAge as ks-apiserver reads it (ns): the template emits 0 only for clusterRole member.
  it.each([
    ['3.0', 'member', 0],
    ['3.0', 'none', 7.2e12],
    ['3.0', 'host', 7.2e12],
    ['3.1', 'member', 0],
    ['3.2', 'member', 0],
    ['3.2', 'host', 7.2e12],
    ['3.3', 'member', 0],
    ['3.4', 'none', 7.2e12],
    ['4.1', 'member', 0],
    ['4.1', 'host', 7.2e12],
  ] as const)('%s %s: effective accessTokenMaxAge %d ns', (v, role, ns) => {
    expect(loadKsConfig(v, render({ version: v, role })).accessTokenMaxAgeNs).toBe(ns);
  });

  it('3.x: the secret is double-quoted and booleans are Python True', () => {
    for (const v of ['3.0', '3.1', '3.2', '3.3', '3.4'] as const) {
      const text = render({ version: v, role: 'member' });
      expect(text).toContain(`  jwtSecret: "${SECRET}"\n`);
      expect(text).toContain('  multipleLogin: True\n');
    }
  });

  it('3.1/3.2 keep the blank-line runs of the template', () => {
    expect(render({ version: '3.1', role: 'host' })).toMatch(/jwtSecret: "[^"]+"\n\n\n\n\n\nnetwork:/);
    expect(render({ version: '3.2', role: 'host' })).toMatch(/19093\n\n\n\ngateway:/);
    expect(render({ version: '3.0', role: 'host' })).not.toMatch(/\n\n/);
  });

  it('role markers: enable: true on 3.0–3.2 hosts only; clusterRole on 3.3+', () => {
    expect(doc(render({ version: '3.1', role: 'host' })).multicluster).toMatchObject({ enable: true });
    expect(doc(render({ version: '3.1', role: 'member' })).multicluster).toBeUndefined();
    expect(doc(render({ version: '3.3', role: 'member' })).multicluster).toEqual({
      clusterRole: 'member',
      enable: false,
    });
    expect(doc(render({ version: '3.4', role: 'none' })).multicluster).toEqual({ clusterRole: 'none' });
    expect(doc(render({ version: '4.1', role: 'member' })).multicluster).toEqual({
      clusterRole: 'member',
      hostClusterName: 'host',
    });
  });

  it('cache sections: redis on 3.0 always, redis/cache when enabled after', () => {
    expect(loadKsConfig('3.0', render({ version: '3.0', role: 'host' })).cache).toBe('redis');
    expect(loadKsConfig('3.1', render({ version: '3.1', role: 'host' })).cache).toBe('in-memory');
    expect(doc(render({ version: '3.2', role: 'host', redis: true })).redis.host).toBe(
      'redis.kubesphere-system.svc',
    );
    expect(doc(render({ version: '3.4', role: 'host', redis: true })).cache.type).toBe('redis');
    expect(loadKsConfig('4.1', render({ version: '4.1', role: 'host', redis: true })).cache).toBe('redis');
  });

  it('3.2 member files have no OAuth clients; 3.3+ do', () => {
    expect(
      doc(render({ version: '3.2', role: 'member' })).authentication.oauthOptions.clients,
    ).toBeUndefined();
    expect(doc(render({ version: '3.3', role: 'member' })).authentication.oauthOptions.clients).toHaveLength(
      1,
    );
  });

  it('3.3/3.4: CC oauthOptions and clusterRole member give duplicate accessTokenMaxAge, the last wins', () => {
    const text = render({ version: '3.4', role: 'member', ccOAuthOptions: { accessTokenMaxAge: '2h' } });
    expect(text.match(/accessTokenMaxAge:/g)).toHaveLength(2);
    expect(() => yaml.load(text)).toThrow(/duplicated mapping key/);
    expect(loadKsConfig('3.4', text).accessTokenMaxAgeNs).toBe(0);
    // 3.1 takes the CC's options instead of the member 0 (elif in the template).
    expect(
      loadKsConfig(
        '3.1',
        render({ version: '3.1', role: 'member', ccOAuthOptions: { accessTokenMaxAge: '2h' } }),
      ).accessTokenMaxAgeNs,
    ).toBe(7.2e12);
  });

  it('an accessTokenMaxAge override replaces the winning value', () => {
    expect(
      loadKsConfig('3.4', render({ version: '3.4', role: 'member', accessTokenMaxAge: '1h' }))
        .accessTokenMaxAgeNs,
    ).toBe(3.6e12);
    expect(
      loadKsConfig('3.0', render({ version: '3.0', role: 'host', accessTokenMaxAge: '0' }))
        .accessTokenMaxAgeNs,
    ).toBe(0);
    expect(render({ version: '4.1', role: 'member', accessTokenMaxAge: '2h' })).toContain(
      '    accessTokenMaxAge: 2h\n',
    );
  });

  it('4.1: issuer block with quoted secret and 0s for members', () => {
    const text = render({ version: '4.1', role: 'member' });
    expect(text).toContain(
      `  issuer:\n    url: "http://ks-console.kubesphere-system.svc:30880"\n    jwtSecret: "${SECRET}"\n`,
    );
    expect(text).toContain('    accessTokenMaxAge: 0s\n');
    expect(text).toContain('  clusterRole: "member"\n');
  });
});

describe('goRemarshal: the 3.3+ host controller rewrite', () => {
  const template = render({ version: '3.4', role: 'none', ccOAuthOptions: { accessTokenMaxAge: '2h' } });
  const rewritten = goRemarshal(template, { clusterName: 'member-1' });

  it('reorders keys, formats durations the Go way, unquotes the secret, adds clusterName', () => {
    expect(Object.keys(doc(rewritten))).toEqual([
      'network',
      'monitoring',
      'authentication',
      'multicluster',
      'notification',
      'gateway',
      'gpu',
      'terminal',
    ]);
    expect(rewritten).toContain(`  jwtSecret: ${SECRET}\n`);
    expect(rewritten).toContain('    accessTokenMaxAge: 2h0m0s\n');
    expect(rewritten).toContain('  loginHistoryRetentionPeriod: 168h0m0s\n');
    expect(doc(rewritten).multicluster).toEqual({
      enable: false,
      clusterName: 'member-1',
      clusterRole: 'none',
    });
  });

  it('keeps what ks-apiserver reads, except an absent duration becomes 0s', () => {
    expect(loadKsConfig('3.4', rewritten)).toEqual(loadKsConfig('3.4', template));
    const noMaxAge = render({ version: '3.3', role: 'none' });
    expect(loadKsConfig('3.3', noMaxAge).accessTokenMaxAgeNs).toBe(7.2e12);
    expect(loadKsConfig('3.3', goRemarshal(noMaxAge, { clusterName: 'm' })).accessTokenMaxAgeNs).toBe(0);
  });

  it('collapses duplicate keys to the winning value', () => {
    const dup = render({ version: '3.4', role: 'member', ccOAuthOptions: { accessTokenMaxAge: '2h' } });
    const out = goRemarshal(dup, { clusterName: 'm' });
    expect(out.match(/ {4}accessTokenMaxAge:/g)).toHaveLength(1);
    expect(out).toContain('    accessTokenMaxAge: 0s\n');
  });
});

describe('handEdit: a kubectl edit following the FAQ', () => {
  it.each(KS_VERSIONS)(
    '%s: sets the secret and accessTokenMaxAge that ks-apiserver reads, with a comment',
    (v) => {
      const before = render({
        version: v,
        role: 'none',
        jwtSecret: 'own-secret-own-secret-own-secret',
      } as RenderOptions);
      const after = handEdit(before, {
        version: v,
        jwtSecret: SECRET,
        accessTokenMaxAge: v === '4.1' ? '0s' : '0',
        comment: 'same as host',
      });
      const cfg = loadKsConfig(v, after);
      expect(cfg.jwtSecret).toBe(SECRET);
      expect(cfg.accessTokenMaxAgeNs).toBe(0);
      expect(after).toMatch(/# same as host\n/);
    },
  );

  it('edits the value that wins when the key is duplicated', () => {
    const dup = render({ version: '3.4', role: 'member', ccOAuthOptions: { accessTokenMaxAge: '2h' } });
    const after = handEdit(dup, { version: '3.4', accessTokenMaxAge: '1h' });
    expect(loadKsConfig('3.4', after).accessTokenMaxAgeNs).toBe(3.6e12);
    expect(after).toContain('    accessTokenMaxAge: 2h\n');
  });
});

describe('Go durations', () => {
  it.each([
    ['0', 0],
    [0, 0],
    ['0s', 0],
    ['2h', 7.2e12],
    ['2h0m0s', 7.2e12],
    ['10m0s', 6e11],
    ['168h', 6.048e14],
    ['1.5s', 1.5e9],
    [7, 7],
    ['2 h', undefined],
    ['abc', undefined],
  ] as const)('parse %j → %s', (input, ns) => {
    expect(parseGoDuration(input)).toBe(ns);
  });

  it.each([
    [0, '0s'],
    [7.2e12, '2h0m0s'],
    [6e11, '10m0s'],
    [1e10, '10s'],
    [1.5e9, '1.5s'],
    [5e8, '500ms'],
  ])('format %d → %s', (ns, text) => {
    expect(formatGoDuration(ns)).toBe(text);
  });
});

// 3.0.0/3.1.1 pkg/apiserver/config/config.go never call viper's AutomaticEnv; 3.2.1 and later do.
describe('KUBESPHERE_AUTHENTICATION_JWTSECRET overrides the file from 3.2 on', () => {
  const env = { KUBESPHERE_AUTHENTICATION_JWTSECRET: 'FAKEenvJwtSecret0000000000000000' };
  it.each([
    ['3.0', SECRET],
    ['3.1', SECRET],
    ['3.2', env.KUBESPHERE_AUTHENTICATION_JWTSECRET],
    ['3.4', env.KUBESPHERE_AUTHENTICATION_JWTSECRET],
  ] as const)('%s: the secret in use', (v, expected) => {
    const text = render({ version: v, role: 'member', jwtSecret: SECRET });
    expect(loadKsConfig(v, text, env).jwtSecret).toBe(expected);
  });
});
