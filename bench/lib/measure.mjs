// Running commands and comparing them: wall time from here, CPU and peak RSS from GNU time (when installed).
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const GNU_TIME = (() => {
  try {
    accessSync('/usr/bin/time', constants.X_OK);
    return '/usr/bin/time';
  } catch {
    return undefined;
  }
})();
const scratch = mkdtempSync(join(tmpdir(), 'ks-restore-bench-time-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs `argv` to completion. Resolves with its wall ms, CPU ms (user + system, children included) and peak RSS
 * in MB (null without GNU time). A run must exit with one of `codes`.
 */
export function run(argv, { env = {}, codes = [0], label = argv.join(' ') } = {}) {
  const out = join(scratch, 'time');
  const full = GNU_TIME ? [GNU_TIME, '-f', '%U %S %M', '-o', out, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(full[0], full.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      if (!codes.includes(code)) return reject(new Error(`${label}: exit ${code}\n${stderr.slice(-2000)}`));
      let cpuMs = null;
      let rssMb = null;
      if (GNU_TIME) {
        const [u, s, kb] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        cpuMs = (u + s) * 1000;
        rssMb = kb / 1024;
      }
      resolve({ wallMs, cpuMs, rssMb });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

/**
 * Interleaved A/B: a warm-up pair, then `runs` pairs in ABBA order (drift in machine load hits both alike).
 * `a` and `b` are functions returning run() promises (they may do setup of their own). Returns every sample
 * and the per-pair ratios a/b of wall time.
 */
export async function compare(a, b, runs) {
  await a();
  await b();
  const A = [];
  const B = [];
  for (let i = 0; i < runs; i++) {
    if (i % 2 === 0) {
      A.push(await a());
      B.push(await b());
    } else {
      B.push(await b());
      A.push(await a());
    }
  }
  return { a: A, b: B, ratios: A.map((x, i) => x.wallMs / B[i].wallMs) };
}

/** Median and interquartile range of a list, for the table: `0.66 (0.61–0.70)`. */
export function summary(xs) {
  return { median: median(xs), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75), n: xs.length };
}
