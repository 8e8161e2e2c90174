import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseSandboxFlags, sandboxCommand } from '../../src/commands/sandbox.js';
import type { SandboxCommandDeps } from '../../src/commands/sandbox.js';
import { UsageError } from '../../src/errors.js';
import { SCENARIOS } from '../../src/sandbox/kubesphere/scenarios.js';

function harness(onReady: (stderr: string) => Promise<void> | void = () => {}): {
  deps: SandboxCommandDeps;
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  let stop!: (signal: string) => void;
  const deps: SandboxCommandDeps = {
    stdout: (t) => void out.push(t),
    stderr: (t) => {
      err.push(t);
      if (t.includes('sandbox ready'))
        void Promise.resolve(onReady(err.join(''))).then(() => stop('SIGTERM'));
    },
    waitForStop: () => new Promise((r) => (stop = r)),
  };
  return { deps, out, err };
}

describe('ks-restore sandbox', () => {
  it('--list-scenarios prints every scenario, then the mixed preset, one per line, on stdout', async () => {
    const h = harness();
    expect(await sandboxCommand({ listScenarios: true }, h.deps)).toBe(0);
    const lines = h.out.join('').trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual([...SCENARIOS.map((s) => s.name), 'mixed']);
    expect(h.err).toEqual([]);
  });

  it.each([
    [{ members: '0' }, /--members "0"/],
    [{ members: 'two' }, /--members "two"/],
    [{ members: '101' }, /--members "101"/],
    [{ latency: '-5' }, /--latency "-5"/],
    [{ ksVersion: '3.5' }, /--ks-version "3.5"/],
    [{ scenario: 'typo' }, /--scenario "typo"/],
    [{ ksVersion: '4.1', scenario: 'installer-revert' }, /installer-revert.*4\.1/],
    [{ ksVersion: '3.0', scenario: 'host-replicas-no-redis' }, /3\.0/],
  ])('refuses %j with a usage error', (flags, message) => {
    expect(() => parseSandboxFlags(flags)).toThrow(UsageError);
    expect(() => parseSandboxFlags(flags)).toThrow(message);
  });

  it('--control-plane real without a build: exit 2, naming the directory and how to build it; the embedded default needs nothing', async () => {
    const saved = process.env.KS_RESTORE_CONTROL_PLANE;
    process.env.KS_RESTORE_CONTROL_PLANE = '/nonexistent/control-plane';
    try {
      const h = harness();
      const err = await sandboxCommand({ controlPlane: 'real' }, h.deps).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).exitCode).toBe(2);
      expect((err as UsageError).message).toContain('/nonexistent/control-plane');
      expect((err as UsageError).message).toContain('npm run build:control-plane');
      expect((err as UsageError).message).toContain('Go >= 1.26');
      expect((err as UsageError).hint).toContain('--control-plane embedded');
    } finally {
      if (saved === undefined) delete process.env.KS_RESTORE_CONTROL_PLANE;
      else process.env.KS_RESTORE_CONTROL_PLANE = saved;
    }
    expect(parseSandboxFlags({}).controlPlane).toBe('embedded');
    expect(() => parseSandboxFlags({ controlPlane: 'kind' })).toThrow(
      /--control-plane "kind" is not a control plane/,
    );
    expect(() => parseSandboxFlags({ controlPlane: 'real', fault: ['kind=500'] })).toThrow(
      /--fault needs the embedded control plane/,
    );
  });

  it('names the valid scenarios when one is unknown', () => {
    try {
      parseSandboxFlags({ scenario: 'typo' });
      expect.unreachable();
    } catch (e) {
      expect((e as UsageError).hint).toContain(SCENARIOS.map((s) => s.name).join(', '));
    }
  });

  it('serves until stopped, prints where to connect but no credential, cleans its temp kubeconfig', async () => {
    let kubeconfig = '';
    let tokens: string[] = [];
    const h = harness((stderr) => {
      kubeconfig = /^kubeconfig: (.+)$/m.exec(stderr)![1]!;
      const kc = yaml.load(readFileSync(kubeconfig, 'utf8')) as { users: { user: { token: string } }[] };
      tokens = kc.users.map((u) => u.user.token);
    });
    const code = await sandboxCommand(
      { ksVersion: '3.3', scenario: 'both', members: '2', latency: '0' },
      h.deps,
    );
    expect(code).toBe(0);
    const stderr = h.err.join('');
    expect(stderr).toMatch(/KubeSphere 3\.3 sandbox, scenario both/);
    expect(stderr).toMatch(/^ {2}member-2 +member +https:\/\/127\.0\.0\.1:\d+ +KubeSphere 3\.3$/m);
    expect(stderr).toContain(`export KUBECONFIG=${kubeconfig}`);
    expect(stderr.indexOf('sandbox ready')).toBeLessThan(stderr.indexOf('stopping'));
    expect(tokens).toHaveLength(6);
    for (const t of tokens) expect(stderr).not.toContain(t);
    // ks-installer's jwtSecrets are 32 alphanumerics: none is printed.
    expect(stderr).not.toMatch(/[A-Za-z0-9]{32}/);
    expect(h.out).toEqual([]);
    expect(existsSync(kubeconfig)).toBe(false);
  });

  it('--scenario mixed prints the scenario of each member and which ones cannot be reached', async () => {
    const h = harness();
    expect(await sandboxCommand({ scenario: 'mixed', members: '4', latency: '0' }, h.deps)).toBe(0);
    const stderr = h.err.join('');
    expect(stderr).toMatch(/^ {2}member-1 +member +\S+ +KubeSphere 3\.2 +healthy$/m);
    expect(stderr).toMatch(
      /^ {2}member-3 +member +\S+ +KubeSphere 3\.4 +token-cache, proxy connection, no context$/m,
    );
    expect(stderr).toMatch(/^ {2}member-4 +member +\S+ +KubeSphere 3\.2 +secret-mismatch, unreachable$/m);
    expect(stderr).toMatch(/^ {2}ks-restore diagnose --host host$/m);
  });

  it('--kubeconfig writes a private file that stays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-cmd-'));
    try {
      const path = join(dir, 'kc');
      const h = harness(() => {
        expect(statSync(path).mode & 0o777).toBe(0o600);
      });
      expect(await sandboxCommand({ kubeconfig: path, members: '1' }, h.deps)).toBe(0);
      expect(existsSync(path)).toBe(true);
      expect(h.err.join('')).toContain(`kubeconfig: ${path}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
