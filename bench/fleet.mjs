// Wall time of the built binary: start-up against bare node, and diagnose of 1 member against 20 (fleet
// discovery), each against a sandbox that adds 50 ms to every API response. Run `npm run build` first.
//
//   node bench/fleet.mjs [--runs 5] [--latency 50] [--members 20]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BIN = fileURLToPath(new URL('../bin/ks-restore.js', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs a command to completion; resolves with its exit code and stderr. */
function run(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Median wall time in ms of `runs` runs after one warm-up; a run must exit with one of `codes`. */
async function measure(label, args, { env = {}, runs, codes = [0] }) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t0 = performance.now();
    const { code, stderr } = await run(args, env);
    const ms = performance.now() - t0;
    if (!codes.includes(code)) throw new Error(`${label}: exit ${code}\n${stderr}`);
    if (i > 0) times.push(ms);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { label, median: sorted[Math.floor(sorted.length / 2)], times };
}

/** `ks-restore sandbox` in a child process; resolves once it prints `sandbox ready`. */
async function startSandbox(members, latency, dir) {
  const kubeconfig = join(dir, `kubeconfig-${members}`);
  const child = spawn(
    process.execPath,
    [BIN, 'sandbox', '--members', String(members), '--latency', String(latency), '--kubeconfig', kubeconfig],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('sandbox ready')) resolve();
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`sandbox exited ${code} before it was ready:\n${stderr}`)));
  });
  child.removeAllListeners('exit');
  const stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { kubeconfig, stop };
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      latency: { type: 'string', default: '50' },
      members: { type: 'string', default: '20' },
    },
  });
  const runs = Number(values.runs);
  const latency = Number(values.latency);
  const fleet = Number(values.members);
  if (!existsSync(DIST)) throw new Error('dist/cli.js is missing: run `npm run build` first');

  const dir = mkdtempSync(join(tmpdir(), 'ks-restore-bench-'));
  const rows = [];
  try {
    rows.push(await measure('node -e 0', ['-e', '0'], { runs }));
    rows.push(await measure('ks-restore --version', [BIN, '--version'], { runs }));
    // diagnose exits 1 on the default scenario (token-cache): problems found, as expected.
    const cases = [
      [1, [['diagnose, 1 member', ['--member', 'member']]]],
      [
        fleet,
        [
          [`diagnose, ${fleet} members (discovery)`, []],
          // Not a goal: how much of the gap is the default --concurrency 8.
          [`  same, --concurrency ${fleet}`, ['--concurrency', String(fleet)]],
        ],
      ],
    ];
    for (const [members, variants] of cases) {
      const sb = await startSandbox(members, latency, dir);
      try {
        for (const [label, args] of variants) {
          rows.push(
            await measure(label, [BIN, 'diagnose', '--host', 'host', ...args], {
              env: { KUBECONFIG: sb.kubeconfig },
              runs,
              codes: [0, 1],
            }),
          );
        }
      } finally {
        await sb.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const [bare, version, one, many, wide] = rows;
  const ratio = (a, b) => a.median / b.median;
  const verdict = (r, goal) => `${r.toFixed(2)}× (goal ≤ ${goal}×: ${r <= goal ? 'met' : 'MISSED'})`;
  const notes = new Map([
    [version, `${verdict(ratio(version, bare), 1.5)} of bare node`],
    [many, `${verdict(ratio(many, one), 2)} of one member`],
    [wide, `${ratio(wide, one).toFixed(2)}× of one member`],
  ]);
  const width = Math.max(...rows.map((r) => r.label.length));
  process.stdout.write(
    `node ${process.version}, median of ${runs} runs after a warm-up; sandbox latency ${latency} ms\n\n`,
  );
  for (const r of rows) {
    const all = r.times.map((t) => Math.round(t)).join(' ');
    process.stdout.write(
      `${r.label.padEnd(width)}  ${String(Math.round(r.median)).padStart(5)} ms  [${all}]  ${notes.get(r) ?? ''}\n`,
    );
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
