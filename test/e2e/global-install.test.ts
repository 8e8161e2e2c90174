import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * What a user gets from `npm pack` + `npm install -g <tgz>`: one package (the bundle carries every dependency),
 * so the install works offline; `ks-restore` and the kubectl plugin `kubectl-ks_restore` on the PATH.
 */
const run = promisify(execFile);
const ROOT = resolve('.');
const KUBECTL = [
  '/usr/bin/kubectl',
  ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'kubectl')),
].find((f) => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

let dir: string;
let prefix: string;
let files: string[];
let installLog: string;
const env = (): NodeJS.ProcessEnv => ({
  PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  HOME: dir,
  KUBECONFIG: join(dir, 'no-kubeconfig'),
});

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs')))
    throw new Error('dist/ is missing: run `npm run build` first');
  dir = mkdtempSync(join(tmpdir(), 'ksr-install-'));
  prefix = join(dir, 'prefix');
  // --ignore-scripts: use the dist/ that `npm test` just built instead of rebuilding it under other tests.
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const info = JSON.parse(packed.stdout)[0] as { filename: string; files: { path: string }[] };
  files = info.files.map((f) => f.path);
  const installed = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--offline', join(dir, info.filename)],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_cache: join(dir, 'npm-cache') } },
  );
  installLog = installed.stdout;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm pack, then npm install -g --offline', () => {
  it('ships the bundle, both executables and the CHANGELOG, without source maps', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/ks-restore.cjs',
        'bin/kubectl-ks_restore.cjs',
        'bin/kubectl_complete-ks_restore.cjs',
        'dist/cli.cjs',
        'dist/boot.cjs',
        'CHANGELOG.md',
        'README.md',
        'deploy/rbac/diagnose.yaml',
        'deploy/rbac/repair.yaml',
        'deploy/cronjob.yaml',
      ]),
    );
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('adds exactly one package: no runtime dependencies', () => {
    expect(installLog).toMatch(/added 1 package\b/);
    expect(existsSync(join(prefix, 'lib', 'node_modules', 'ks-restore', 'node_modules'))).toBe(false);
  });

  it('runs as ks-restore and as kubectl-ks_restore', async () => {
    const version = await run(join(prefix, 'bin', 'ks-restore'), ['--version'], { env: env(), cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(join(prefix, 'bin', 'kubectl-ks_restore'), ['--help'], { env: env(), cwd: dir });
    expect(help.stdout).toMatch(/^Usage: kubectl ks-restore /);
  });

  it('runs the demo from the installed copy alone', async () => {
    const demo = await run('ks-restore', ['demo', '--no-color'], { env: env(), cwd: dir });
    expect(demo.stdout).toMatch(/Verdict: healthy/);
  }, 30_000);

  it.skipIf(!KUBECTL)('is found by kubectl as the plugin "ks-restore", with completion', async () => {
    const help = await run(KUBECTL!, ['ks-restore', 'diagnose', '--help'], { env: env(), cwd: dir });
    expect(help.stdout).toMatch(/^Usage: kubectl ks-restore diagnose /);
    // kubectl >= 1.26 completes a plugin's words through kubectl_complete-<plugin> (cobra's protocol).
    writeFileSync(
      join(dir, 'no-kubeconfig'),
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: ctx-a, context: {cluster: c, user: u}}]\n',
    );
    const complete = await run(KUBECTL!, ['__complete', 'ks-restore', 'diagnose', '--context', ''], {
      env: env(),
      cwd: dir,
    });
    expect(complete.stdout.split('\n')).toEqual(expect.arrayContaining(['ctx-a', ':4']));
  });
});
