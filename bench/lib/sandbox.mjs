// Sandboxes for the benchmark: src/sandbox bundled once with esbuild (the benchmark runs on plain node),
// each started in its own process (bench/sandbox-server.mjs) so the client's CPU and the sandbox's are apart.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = fileURLToPath(new URL('../sandbox-server.mjs', import.meta.url));

/** Bundles src/sandbox/index.ts under node_modules/.cache (so its bare imports resolve); returns the file. */
export async function bundleSandbox() {
  const dir = join(ROOT, 'node_modules', '.cache', 'ks-restore-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, 'sandbox.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/sandbox/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * A private copy of bin/ and dist/ to run: other work in the same tree (npm test) rebuilds dist/ mid-run. The
 * bundle is self-contained, so the copy runs anywhere. Returns the copied bin/ks-restore.cjs.
 */
export function snapshotBuild() {
  const dir = join(ROOT, 'node_modules', '.cache', 'ks-restore-bench', 'app');
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['bin', 'dist']) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
  return join(dir, 'bin', 'ks-restore.cjs');
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 where /proc is missing. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/**
 * Starts a sandbox; resolves once it serves. `rollouts()` returns the member ks-apiserver rollouts seen so
 * far ({start, end} in epoch ms); `cpu()` the sandbox's CPU seconds so far.
 */
export async function startSandbox(bundle, opts) {
  const child = spawn(process.execPath, [SERVER, bundle, JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const rollouts = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const ready = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const msg = JSON.parse(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (msg.ready) resolve(msg.ready);
        if (msg.rollout) rollouts.push(msg.rollout);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code} before it was ready:\n${stderr}`)));
  });
  child.removeAllListeners('exit');
  return {
    kubeconfig: ready.kubeconfig,
    logPod: ready.logPod,
    rollouts: () => [...rollouts],
    cpu: () => cpuSeconds(child.pid),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}
