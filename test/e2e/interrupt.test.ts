import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type FaultRule, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, runCli } from '../helpers/cli.js';
import { sandboxSecrets } from '../helpers/secrets.js';

/** Interruptions and retries as a user sees them: what was changed so far, how to undo it, the right code. */

let sb: Sandbox | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  sb = undefined;
  dir = undefined;
});

async function sandbox(faults: FaultRule[]): Promise<Sandbox> {
  sb = await startSandbox({
    ksVersion: '3.4',
    scenario: 'both',
    podStartMs: 40,
    podStopMs: 20,
    trafficIntervalMs: 100,
    installerDelayMs: 600_000,
    hotReloadMs: 300,
    apiserverBootMs: 20,
    backfill: false,
    faults,
  });
  return sb;
}

describe.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('%s during a repair', (signal, code) => {
  it(`prints what was changed so far and the rollback command, exit ${code}`, async () => {
    // The rollout poll never answers, so the repair is caught after its writes and restart.
    const s = await sandbox([
      { cluster: 'member', method: 'GET', path: '/deployments/ks-apiserver', nth: 4, kind: 'hang' },
    ]);
    dir = await mkdtemp(join(tmpdir(), 'ks-restore-int-'));
    const child = spawn(
      process.execPath,
      [
        BIN,
        'repair',
        '--host',
        'host',
        '--member',
        'member',
        '--yes',
        '--backup-dir',
        dir,
        '--request-timeout',
        '60s',
      ],
      {
        env: { PATH: process.env.PATH, HOME: process.env.HOME, KUBECONFIG: s.kubeconfigPath },
        stdio: 'pipe',
      },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    const deadline = Date.now() + 20_000;
    while (s.faults.fired === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(s.faults.fired).toBe(1);
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr).toContain(`Interrupted (${signal}).`);
    expect(stderr).toMatch(/Changes made so far:\n/);
    expect(stderr).toContain('member: secret/kubesphere-secret (kubesphere-system)');
    expect(stderr).toContain('member: configmap/kubesphere-config (kubesphere-system)');
    expect(stderr).toContain('member: clusterconfiguration/ks-installer (kubesphere-system)');
    expect(stderr).toContain('member: deployment/ks-apiserver (kubesphere-system) restarted');
    expect(stderr).toMatch(new RegExp(`Undo with: ks-restore rollback --backup ${dir}/\\S+`));
    const { jwtSecrets, tokens } = sandboxSecrets(s);
    for (const secret of [...jwtSecrets, ...tokens]) expect((stdout + stderr).includes(secret)).toBe(false);
  }, 40_000);
});

describe('retries', () => {
  it('diagnose -v shows each retry, and a 503 then a 429 with Retry-After change nothing in the verdict', async () => {
    const s = await sandbox([
      {
        cluster: 'member',
        method: 'GET',
        path: '/configmaps/kubesphere-config',
        kind: 'status',
        status: 503,
      },
      {
        cluster: 'host',
        method: 'GET',
        path: '/configmaps/kubesphere-config',
        kind: 'status',
        status: 429,
        retryAfter: 1,
      },
    ]);
    const res = await runCli(['diagnose', '--host', 'host', '--member', 'member', '-v'], {
      KUBECONFIG: s.kubeconfigPath,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /retrying get configmaps kubesphere-system\/kubesphere-config on member after 503 \(attempt 2, in \d\.\ds\)/,
    );
    expect(res.stderr).toContain(
      'retrying get configmaps kubesphere-system/kubesphere-config on host after 429 (attempt 2, in 1.0s)',
    );
    expect(res.stdout).toContain('Verdict: unhealthy');
    expect(res.stdout).toMatch(/✖ jwt-secret-match/);
    expect(s.faults.fired).toBe(2);
  }, 30_000);

  it('a repair survives a 429 on its ConfigMap write: nothing half-done', async () => {
    // The real write (the second PUT: the first is the dryRun=All validation) is refused once.
    const s = await sandbox([
      {
        cluster: 'member',
        method: 'PUT',
        path: '/configmaps/kubesphere-config',
        nth: 2,
        kind: 'status',
        status: 429,
        retryAfter: 1,
      },
    ]);
    dir = await mkdtemp(join(tmpdir(), 'ks-restore-int-'));
    const res = await runCli(
      ['repair', '--host', 'host', '--member', 'member', '--yes', '--backup-dir', dir, '-o', 'json'],
      { KUBECONFIG: s.kubeconfigPath },
    );
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).status).toBe('repaired');
    expect(s.faults.fired).toBe(1);
  }, 30_000);
});
