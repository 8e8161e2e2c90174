import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/errors.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ks-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, text);
  return p;
}

function config(opts: {
  current?: string;
  clusters?: [string, string][];
  users?: [string, string][];
  contexts?: [string, string, string][];
}): string {
  const lines = ['apiVersion: v1', 'kind: Config'];
  if (opts.current) lines.push(`current-context: ${opts.current}`);
  lines.push('clusters:');
  for (const [name, server] of opts.clusters ?? [])
    lines.push(`- name: ${name}`, `  cluster:`, `    server: ${server}`);
  lines.push('users:');
  for (const [name, token] of opts.users ?? [])
    lines.push(`- name: ${name}`, `  user:`, `    token: ${token}`);
  lines.push('contexts:');
  for (const [name, cluster, user] of opts.contexts ?? []) {
    lines.push(`- name: ${name}`, `  context:`, `    cluster: ${cluster}`, `    user: ${user}`);
  }
  return lines.join('\n') + '\n';
}

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(ExitCode.usage);
  return err as UsageError;
}

describe('loadKubeconfig: $KUBECONFIG merge like kubectl', () => {
  it('first file wins for contexts, clusters, users and current-context', async () => {
    const a = await file(
      'a.yaml',
      config({
        current: 'host',
        clusters: [['c-host', 'https://host.example:6443']],
        users: [['u-host', 'host-token']],
        contexts: [['host', 'c-host', 'u-host']],
      }),
    );
    const b = await file(
      'b.yaml',
      config({
        current: 'member',
        clusters: [
          ['c-host', 'https://evil.example:6443'],
          ['c-member', 'https://member.example:6443'],
        ],
        users: [
          ['u-host', 'other-token'],
          ['u-member', 'member-token'],
        ],
        contexts: [
          ['host', 'c-member', 'u-member'],
          ['member', 'c-member', 'u-member'],
        ],
      }),
    );
    const kc = await loadKubeconfig({ env: { KUBECONFIG: [a, b].join(path.delimiter) } });
    expect(kc.files).toEqual([a, b]);
    expect(kc.currentContext).toBe('host');
    expect(kc.contexts).toEqual([
      { name: 'host', cluster: 'c-host', user: 'u-host', server: 'https://host.example:6443' },
      { name: 'member', cluster: 'c-member', user: 'u-member', server: 'https://member.example:6443' },
    ]);
    const host = kc.forContext('host');
    expect(host.getCurrentCluster()?.server).toBe('https://host.example:6443');
    expect(host.getCurrentUser()?.token).toBe('host-token');
    expect(kc.warnings).toHaveLength(3);
    expect(kc.warnings.join('\n')).not.toContain('token');
  });

  it('takes current-context from the first file that sets one', async () => {
    const a = await file('a.yaml', config({ clusters: [['c', 'https://a:1']] }));
    const b = await file('b.yaml', config({ current: 'from-b' }));
    const c = await file('c.yaml', config({ current: 'from-c' }));
    const kc = await loadKubeconfig({ env: { KUBECONFIG: [a, b, c].join(path.delimiter) } });
    expect(kc.currentContext).toBe('from-b');
  });

  it('keeps the first of duplicate names inside one file', async () => {
    const a = await file(
      'a.yaml',
      config({
        clusters: [
          ['c', 'https://first:1'],
          ['c', 'https://second:1'],
        ],
        users: [['u', 't']],
        contexts: [
          ['x', 'c', 'u'],
          ['x', 'c', 'nobody'],
        ],
      }),
    );
    const kc = await loadKubeconfig({ kubeconfigPath: a });
    expect(kc.contexts.map((c) => c.name)).toEqual(['x']);
    expect(kc.forContext('x').getCurrentCluster()?.server).toBe('https://first:1');
  });

  it('skips missing files and empty list entries', async () => {
    const a = await file(
      'a.yaml',
      config({ current: 'x', clusters: [['c', 'https://a:1']], contexts: [['x', 'c', 'u']] }),
    );
    const missing = path.join(dir, 'nope.yaml');
    const kc = await loadKubeconfig({ env: { KUBECONFIG: ['', missing, a, a].join(path.delimiter) } });
    expect(kc.files).toEqual([a]);
  });

  it('fails like kubectl when every file is missing', async () => {
    const err = await usageError(
      loadKubeconfig({
        env: { KUBECONFIG: [path.join(dir, 'x'), path.join(dir, 'y')].join(path.delimiter) },
      }),
    );
    expect(err.message).toContain(path.join(dir, 'x'));
    expect(err.message).toContain(path.join(dir, 'y'));
  });
});

describe('loadKubeconfig: which file', () => {
  it('--kubeconfig loads exactly that file and ignores $KUBECONFIG', async () => {
    const a = await file('a.yaml', config({ current: 'a' }));
    const b = await file('b.yaml', config({ current: 'b' }));
    const kc = await loadKubeconfig({ kubeconfigPath: a, env: { KUBECONFIG: b } });
    expect(kc.files).toEqual([a]);
    expect(kc.currentContext).toBe('a');
  });

  it('falls back to ~/.kube/config', async () => {
    const p = await file('.kube/config', config({ current: 'home' }));
    const kc = await loadKubeconfig({ env: {}, homedir: dir });
    expect(kc.files).toEqual([p]);
  });

  it.each([
    [
      'a missing --kubeconfig',
      () => loadKubeconfig({ kubeconfigPath: path.join(dir, 'missing.yaml') }),
      'missing.yaml',
    ],
    [
      'a missing ~/.kube/config',
      () => loadKubeconfig({ env: {}, homedir: dir }),
      path.join('.kube', 'config'),
    ],
    ['a directory', () => loadKubeconfig({ kubeconfigPath: dir }), 'ks-kubeconfig-'],
  ])('%s is a UsageError naming the file', async (_name, load, expected) => {
    const err = await usageError(load());
    expect(err.message).toContain(expected);
  });

  it('accepts an empty file', async () => {
    const a = await file('empty.yaml', '');
    const kc = await loadKubeconfig({ kubeconfigPath: a });
    expect(kc.contexts).toEqual([]);
  });
});

describe('loadKubeconfig: invalid files', () => {
  it.each([
    ['bad YAML', 'users:\n- name: u\n  user:\n    token: SECRET-TOKEN-123\n  x: [unclosed\n'],
    [
      'a duplicate key',
      'users:\n- name: u\n  user:\n    token: SECRET-TOKEN-123\n    token: SECRET-TOKEN-123\n',
    ],
    ['a scalar document', 'SECRET-TOKEN-123\n'],
    ['an entry without a name', 'users:\n- user:\n    token: SECRET-TOKEN-123\n'],
    ['a section that is not a list', 'users:\n  token: SECRET-TOKEN-123\n'],
  ])('%s → UsageError naming the file, without its content', async (_name, text) => {
    const a = await file('bad.yaml', text);
    const good = await file('good.yaml', config({ current: 'x' }));
    const err = await usageError(loadKubeconfig({ env: { KUBECONFIG: [good, a].join(path.delimiter) } }));
    expect(err.message).toContain(a);
    expect(`${err.message} ${err.hint ?? ''}`).not.toContain('SECRET-TOKEN-123');
  });
});

describe('forContext', () => {
  it('resolves relative paths against the file that holds them, as kubectl does', async () => {
    const p = await file(
      'sub/config',
      [
        'clusters:',
        '- name: c',
        '  cluster:',
        '    server: https://a:1',
        '    certificate-authority: certs/ca.crt',
        'users:',
        '- name: u',
        '  user:',
        '    client-certificate: certs/client.crt',
        '    client-key: /abs/client.key',
        '    tokenFile: token',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        '      command: ./bin/plugin',
        '- name: path-plugin',
        '  user:',
        '    exec:',
        '      command: aws',
        'contexts:',
        '- name: x',
        '  context: {cluster: c, user: u}',
        '- name: y',
        '  context: {cluster: c, user: path-plugin}',
      ].join('\n'),
    );
    const base = path.dirname(p);
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    const x = kc.forContext('x');
    expect(x.getCurrentCluster()?.caFile).toBe(path.join(base, 'certs/ca.crt'));
    const user = x.getCurrentUser();
    expect(user?.certFile).toBe(path.join(base, 'certs/client.crt'));
    expect(user?.keyFile).toBe('/abs/client.key');
    expect(user?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: path.join(base, 'token') },
    });
    expect(user?.exec.command).toBe(path.join(base, 'bin/plugin'));
    expect(kc.forContext('y').getCurrentUser()?.exec.command).toBe('aws');
  });

  it('prefers -data fields over files, as client-go does', async () => {
    const p = await file(
      'config',
      [
        'clusters:',
        '- name: c',
        '  cluster: {server: "https://a:1/", certificate-authority: ca.crt, certificate-authority-data: Q0E=}',
        'users:',
        '- name: u',
        '  user: {client-certificate: c.crt, client-certificate-data: Q0VSVA==, client-key: k, client-key-data: S0VZ}',
        'contexts:',
        '- name: x',
        '  context: {cluster: c, user: u, namespace: ns}',
      ].join('\n'),
    );
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    const x = kc.forContext('x');
    expect(x.getCurrentCluster()).toMatchObject({ server: 'https://a:1', caData: 'Q0E=' });
    expect(x.getCurrentCluster()?.caFile).toBeUndefined();
    expect(x.getCurrentUser()?.certFile).toBeUndefined();
    expect(x.getCurrentUser()?.keyFile).toBeUndefined();
    expect(kc.contexts[0]?.namespace).toBe('ns');
  });

  it('returns a new instance per call, holding only that context, its cluster and its user', async () => {
    const p = await file(
      'config',
      config({
        clusters: [
          ['ca', 'https://a:1'],
          ['cb', 'https://b:1'],
        ],
        users: [
          ['ua', 'token-a'],
          ['ub', 'token-b'],
        ],
        contexts: [
          ['a', 'ca', 'ua'],
          ['b', 'cb', 'ub'],
        ],
      }),
    );
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    const a1 = kc.forContext('a');
    const a2 = kc.forContext('a');
    expect(a1).not.toBe(a2);
    expect(a1.getCurrentContext()).toBe('a');
    expect(a1.getUsers().map((u) => u.token)).toEqual(['token-a']);
    expect(a1.getClusters().map((c) => c.server)).toEqual(['https://a:1']);
    expect(
      kc
        .forContext('b')
        .getUsers()
        .map((u) => u.token),
    ).toEqual(['token-b']);
  });

  it('takes a proxy from HTTPS_PROXY / NO_PROXY as kubectl does; proxy-url in the file wins', async () => {
    const p = await file(
      'config',
      [
        'clusters:',
        '- name: a',
        '  cluster: {server: "https://a.example:6443"}',
        '- name: b',
        '  cluster: {server: "https://b.internal:6443"}',
        '- name: c',
        '  cluster: {server: "https://c.example:6443", proxy-url: "socks5://jump:1080"}',
        'contexts:',
        '- {name: a, context: {cluster: a}}',
        '- {name: b, context: {cluster: b}}',
        '- {name: c, context: {cluster: c}}',
      ].join('\n'),
    );
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.internal' };
    const kc = await loadKubeconfig({ kubeconfigPath: p, env });
    expect(kc.forContext('a').getCurrentCluster()?.proxyUrl).toBe('http://proxy:3128');
    expect(kc.forContext('b').getCurrentCluster()?.proxyUrl).toBeUndefined();
    expect(kc.forContext('c').getCurrentCluster()?.proxyUrl).toBe('socks5://jump:1080');
  });

  it('gives a context without a user an empty one, so client-node still applies its CA', async () => {
    const p = await file(
      'config',
      'clusters:\n- name: c\n  cluster: {server: "https://a:1"}\ncontexts:\n- name: anon\n  context: {cluster: c}\n',
    );
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    const anon = kc.forContext('anon');
    expect(anon.getCurrentUser()).toMatchObject({ name: '' });
    expect(anon.getCurrentUser()?.token).toBeUndefined();
  });

  it('an unknown context → UsageError listing the contexts that exist', async () => {
    const p = await file(
      'config',
      config({
        clusters: [['c', 'https://a:1']],
        contexts: [
          ['alpha', 'c', 'u'],
          ['beta', 'c', 'u'],
        ],
      }),
    );
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    let err: unknown;
    try {
      kc.forContext('gamma');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    const msg = (err as UsageError).message;
    expect(msg).toContain('"gamma"');
    expect(msg).toContain(p);
    expect(msg).toContain('alpha, beta');
  });

  it.each([
    ['a missing cluster', 'contexts:\n- name: x\n  context: {cluster: nope, user: u}\n', 'nope'],
    [
      'a missing user',
      'clusters:\n- name: c\n  cluster: {server: "https://a:1"}\ncontexts:\n- name: x\n  context: {cluster: c, user: ghost}\n',
      'ghost',
    ],
    [
      'a cluster without server',
      'clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\n',
      'server',
    ],
  ])('a context with %s → UsageError', async (_name, text, expected) => {
    const p = await file('config', text);
    const kc = await loadKubeconfig({ kubeconfigPath: p });
    expect(() => kc.forContext('x')).toThrow(UsageError);
    expect(() => kc.forContext('x')).toThrow(expected);
  });
});
