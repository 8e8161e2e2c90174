import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { assertSchema } from '../helpers/schema.js';

const ESC = '\u001b[';

const hasJq = (() => {
  try {
    execFileSync('jq', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('the built binary, as a user and a script run it', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'both',
      members: [{ name: 'member-1' }, { name: 'member-2', scenario: 'healthy' }],
      podStartMs: 40,
      podStopMs: 20,
      trafficIntervalMs: 100,
      installerDelayMs: 600_000,
      apiserverBootMs: 20,
    });
    env = {
      KUBECONFIG: sb.kubeconfigPath,
      XDG_STATE_HOME: path.join(path.dirname(sb.kubeconfigPath), 'state'),
    };
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('--help and --version answer instantly with exit 0 and document the exit codes', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*3 {2}a cluster could not be read/);
    const version = await runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(version.stdout).toBe(`${pkg.version}\n`);
    // The launcher answers a lone --version itself; commander answers it among other arguments: the same text.
    expect(await runCli(['-V'])).toEqual(version);
    const viaCommander = await runCli(['--version', '--no-color']);
    expect(viaCommander).toEqual(version);
  });

  it('text output into a pipe has no escape codes, and FORCE_COLOR brings color back', async () => {
    const plain = await runCli(['diagnose', '--member', 'member-1'], env);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain('Verdict:');
    expect(plain.stdout + plain.stderr).not.toContain(ESC);
    const forced = await runCli(['diagnose', '--member', 'member-1'], { ...env, FORCE_COLOR: '1' });
    expect(forced.stdout).toContain(ESC);
    const noColor = await runCli(['diagnose', '--member', 'member-1', '--no-color'], {
      ...env,
      FORCE_COLOR: '1',
    });
    expect(noColor.stdout).not.toContain(ESC);
  });

  it.skipIf(!hasJq)('-o json is pure JSON on stdout: jq reads it', async () => {
    const res = await runCli(['diagnose', '--member', 'member-1', '--member', 'member-2', '-o', 'json'], env);
    assertSchema('diagnose', JSON.parse(res.stdout));
    const statuses = execFileSync('jq', ['-r', '.members[] | "\\(.context)=\\(.status)"'], {
      input: res.stdout,
    }).toString();
    expect(statuses.trim().split('\n')).toEqual(['member-1=unhealthy', 'member-2=healthy']);
  });

  it('-o yaml carries the same document', async () => {
    const res = await runCli(['diagnose', '--member', 'member-2', '-o', 'yaml'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^schemaVersion: 1\ncommand: diagnose\nstatus: healthy\n/);
  });

  it('an unknown context is exit 2 and lists the contexts that exist', async () => {
    const res = await runCli(['diagnose', '--member', 'nope'], env);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('"nope"');
    for (const ctx of ['host', 'member-1', 'member-2']) expect(res.stderr).toContain(ctx);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad flags are exit 2 with a one-paragraph error', async () => {
    for (const args of [
      ['diagnose', '--member', 'member-1', '--since', 'yesterday'],
      ['diagnose', '--member', 'member-1', '-o', 'xml'],
      ['diagnose', '--bogus'],
      ['diagnose', '--kubeconfig', '/nonexistent/kubeconfig', '--member', 'm'],
    ]) {
      const res = await runCli(args, env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toMatch(/error/);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('an unreachable member is exit 3; the host and the other members are still checked', async () => {
    const kubeconfig = await readFile(sb.kubeconfigPath, 'utf8');
    const member2 = sb.clusters.find((c) => c.name === 'member-2')!;
    const broken = path.join(path.dirname(sb.kubeconfigPath), 'broken.kubeconfig');
    // Point member-2's context at a closed port on loopback.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(broken, kubeconfig.split(member2.url).join('https://127.0.0.1:1'), { mode: 0o600 });
    const res = await runCli(
      ['diagnose', '--kubeconfig', broken, '--member', 'member-1', '--member', 'member-2', '-o', 'json'],
      {},
    );
    expect(res.code).toBe(3);
    const doc = JSON.parse(res.stdout);
    assertSchema('diagnose', doc);
    expect(doc.status).toBe('error');
    expect(doc.host.checks.every((c: { status: string }) => c.status !== 'skip')).toBe(true);
    const [m1, m2] = doc.members;
    expect(m1.cause).toBe('secret-mismatch-and-token-cache');
    expect(m2.status).toBe('error');
    expect(m2.checks[0]).toMatchObject({ id: 'reachable', status: 'error' });
    // Connection refused: the next step is to check the server URL and the route to it.
    expect(m2.checks[0].remedy).toMatch(/^check the server URL in the kubeconfig/);
  });

  it('repair without a terminal and without --yes changes nothing and exits 2', async () => {
    const before = sb.clusters
      .find((c) => c.name === 'member-1')!
      .store.get('configmaps', 'kubesphere-system', 'kubesphere-config');
    const res = await runCli(['repair', '--member', 'member-1'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--yes');
    const after = sb.clusters
      .find((c) => c.name === 'member-1')!
      .store.get('configmaps', 'kubesphere-system', 'kubesphere-config');
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it('repair with a read-only context: a clear 403, exit 3, nothing changed', async () => {
    const store = sb.clusters.find((c) => c.name === 'member-1')!.store;
    const rv = store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion;
    const res = await runCli(['repair', '--member', 'member-1-readonly', '--yes'], env);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/not allowed to update configmaps|forbidden/i);
    expect(res.stderr).toContain('Nothing was changed');
    expect(store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion).toBe(
      rv,
    );
  });

  it('repair --dry-run validates with the server, shows a masked diff, changes nothing, exits 1', async () => {
    const store = sb.clusters.find((c) => c.name === 'member-1')!.store;
    const rv = store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion;
    const res = await runCli(['repair', '--member', 'member-1', '--dry-run'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/jwtSecret: \*{8} \(fp [0-9a-f]{8} → [0-9a-f]{8}\)/);
    expect(res.stdout).toMatch(/^ {2}- {4}accessTokenMaxAge: 2h0m0s$/m);
    expect(res.stdout).toMatch(/^ {2}\+ {4}accessTokenMaxAge: 0s$/m);
    expect(store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion).toBe(
      rv,
    );
  });

  it('repair refuses a --host that is not a host: the secret only ever flows host → member', async () => {
    const store = sb.clusters.find((c) => c.name === 'member-2')!.store;
    const rv = store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion;
    const res = await runCli(['repair', '--host', 'member-1', '--member', 'member-2', '--yes'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('not a host cluster');
    expect(store.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion).toBe(
      rv,
    );
  });

  it('repair then rollback: the backup is private and rollback restores the objects byte for byte', async () => {
    const member = sb.clusters.find((c) => c.name === 'member-1')!;
    const read = () => ({
      cm: (
        member.store.get('configmaps', 'kubesphere-system', 'kubesphere-config') as unknown as {
          data: unknown;
        }
      ).data,
      secret: (
        member.store.get('secrets', 'kubesphere-system', 'kubesphere-secret') as unknown as { data: unknown }
      ).data,
      cc: (
        member.store.get(
          'clusterconfigurations.installer.kubesphere.io',
          'kubesphere-system',
          'ks-installer',
        ) as unknown as { spec: unknown }
      ).spec,
    });
    const original = read();
    const repair = await runCli(
      ['repair', '--member', 'member-1', '--yes', '-o', 'json', '--timeout', '30s'],
      env,
    );
    const doc = JSON.parse(repair.stdout);
    expect(repair.code).toBe(0);
    expect(doc.status).toBe('repaired');
    expect(read()).not.toEqual(original);
    const backup: string = doc.backup;
    expect((await stat(backup)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(backup))
      expect((await stat(path.join(backup, f))).mode & 0o777).toBe(0o600);

    const rollback = await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env);
    expect(rollback.code).toBe(0);
    expect(JSON.parse(rollback.stdout).status).toBe('rolled-back');
    expect(read()).toEqual(original);
    // Restored objects are the originals again: a second rollback finds nothing to change.
    const again = await runCli(['rollback', '--backup', backup, '--yes', '-o', 'json'], env);
    expect(JSON.parse(again.stdout).objects.every((o: { status: string }) => o.status === 'unchanged')).toBe(
      true,
    );
  });
});

describe('a clone that was never built', () => {
  it('says to run npm run build (exit 2), not a module error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ksr-unbuilt-'));
    try {
      cpSync(path.resolve('bin'), path.join(dir, 'bin'), { recursive: true });
      cpSync(path.resolve('package.json'), path.join(dir, 'package.json'));
      const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'ks-restore.cjs'), '--version'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'error: ks-restore is not built: dist/cli.cjs is missing.\nRun `npm run build` in the repository first (npm test and npm run demo do it for you).\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
