import { execFileSync, spawn } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { BIN, type CliResult } from '../helpers/cli.js';

/** The built binary, killed if it has not finished in time (a hang must fail the test, not the run). */
function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.gid }),
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A tiny tmpfs to fill up (root only); undefined where mounting is not possible. */
function mountTmpfs(dir: string): boolean {
  if (!isRoot || process.platform !== 'linux') return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('repair --backup-dir that cannot be used: exit 2 before any change, no partial backup, no hang', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  let tmp: string;
  let tmpfs: string | undefined;

  /** Everything repair could change on the member, by resourceVersion and content. */
  const clusterState = () => {
    const store = sb.clusters.find((c) => c.name === 'member-1')!.store;
    return [
      store.get('configmaps', 'kubesphere-system', 'kubesphere-config'),
      store.get('secrets', 'kubesphere-system', 'kubesphere-secret'),
      store.get('clusterconfigurations.installer.kubesphere.io', 'kubesphere-system', 'ks-installer'),
      store.get('deployments.apps', 'kubesphere-system', 'ks-apiserver'),
    ].map((o) => JSON.stringify([o?.metadata.resourceVersion, o?.data, o?.spec]));
  };

  /** Runs repair --yes with this --backup-dir and checks the common promises. */
  const repairRefused = async (backupDir: string, opts: Parameters<typeof run>[2] = {}, runEnv = env) => {
    const before = clusterState();
    const res = await run(
      ['repair', '--member', 'member-1', '--yes', '--backup-dir', backupDir],
      runEnv,
      opts,
    );
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(backupDir);
    expect(res.stderr).toContain('--backup-dir');
    expect(res.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(clusterState()).toEqual(before);
    return res;
  };

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'both',
      members: [{ name: 'member-1' }],
      podStartMs: 40,
      podStopMs: 20,
      trafficIntervalMs: 0,
      installerDelayMs: 600_000,
      apiserverBootMs: 20,
    });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-dir-'));
    env = { KUBECONFIG: sb.kubeconfigPath, HOME: tmp };
    const dir = path.join(tmp, 'tmpfs');
    await mkdir(dir);
    if (mountTmpfs(dir)) tmpfs = dir;
  });
  afterAll(async () => {
    if (tmpfs) execFileSync('umount', [tmpfs]);
    await sb?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('a path through a regular file (ENOTDIR), or a regular file', async () => {
    const file = path.join(tmp, 'a-file');
    await writeFile(file, 'not a directory\n');
    await repairRefused(path.join(file, 'backups'));
    await repairRefused(file);
  });

  it.runIf(process.platform === 'linux')(
    'a path under /proc finishes quickly (Node 20 recursive mkdir spins forever there)',
    async () => {
      for (const dir of ['/proc/self/ks-restore-x', '/proc/1/x']) {
        const res = await repairRefused(dir);
        expect(res.ms).toBeLessThan(15_000);
      }
    },
  );

  // Root ignores permission bits, so as root the binary runs as `nobody` to meet a real EACCES.
  it('a directory without write permission (EACCES)', async () => {
    const shared = await mkdtemp(path.join(os.tmpdir(), 'ksr-eacces-'));
    try {
      await chmod(shared, 0o755);
      const locked = path.join(shared, 'locked');
      await mkdir(locked, { mode: 0o555 });
      await chmod(locked, 0o555);
      let runEnv = env;
      let opts: Parameters<typeof run>[2] = {};
      if (isRoot) {
        // nobody must read the kubeconfig (a copy) and have a home; the locked directory stays root's.
        const kubeconfig = path.join(shared, 'kubeconfig');
        await copyFile(sb.kubeconfigPath, kubeconfig);
        await chown(kubeconfig, NOBODY, NOBODY);
        const home = path.join(shared, 'home');
        await mkdir(home);
        await chown(home, NOBODY, NOBODY);
        runEnv = { KUBECONFIG: kubeconfig, HOME: home };
        opts = { uid: NOBODY, gid: NOBODY };
      }
      const res = await repairRefused(path.join(locked, 'backups'), opts, runEnv);
      expect(res.stderr).toMatch(/permission denied/i);
      expect(await readdir(locked)).toEqual([]);
    } finally {
      await rm(shared, { recursive: true, force: true });
    }
  });

  it('a full disk (ENOSPC) mid-backup: the backup files written so far are removed', async (ctx) => {
    if (!tmpfs) {
      ctx.skip(
        'needs root and `mount -t tmpfs` to make a small full file system; CI runs as root and runs this',
      );
      return;
    }
    // Leave two pages: the manifest and one object fit, the rest of the backup does not.
    const st = await statfs(tmpfs);
    await writeFile(
      path.join(tmpfs, 'filler'),
      Buffer.alloc(Number(st.bavail) * Number(st.bsize) - 2 * 4096),
    );
    const res = await repairRefused(path.join(tmpfs, 'backups'));
    expect(res.stderr).toMatch(/no space left/i);
    expect(await readdir(tmpfs)).toEqual(['filler']);
  });
});
