// Issue 10's table: each figure against its anchor, measured in one run (interleaved A/B, a warm-up pair,
// median and interquartile range), on sandboxes that add --latency ms to every API response. Needs dist/
// (`npm run bench` builds it) and /usr/bin/kubectl for the kubectl anchors.
//
//   node bench/run.mjs [--runs 9] [--latency 50] [--members 50] [--log-lines 1000000] [--log-runs 3]
//                      [--repair-runs 3] [--only faq,local,fleet,logs,version,repair] [--json FILE]
//                      [--compare FILE] [--build DIR]
//
// --build DIR measures the ks-restore in DIR (its bin/ and dist/, e.g. a worktree of an older commit, built)
// instead of a copy of this tree's build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rows } from './rows.mjs';
import { bundleSandbox, snapshotBuild } from './lib/sandbox.mjs';

const ORDER = ['faq', 'local', 'fleet', 'logs', 'version', 'repair'];

function machine(root) {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', cwd: root }).trim();
  } catch {
    // not a git checkout
  }
  let kubectl = 'missing';
  try {
    kubectl = JSON.parse(
      execFileSync('/usr/bin/kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' }),
    ).clientVersion.gitVersion;
  } catch {
    // the kubectl rows will fail and say so
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    kubectl,
    platform: `${os.platform()} ${os.release()}`,
    commit,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

const fmt = (row) => {
  const n = (x) => (row.unit === 'ms' ? `${Math.round(x)} ms` : x.toFixed(2));
  return `${n(row.value)} (${n(row.spread[0])}–${n(row.spread[1])})`;
};

function detail(row) {
  const ms = (x) => `${Math.round(x)} ms`;
  const parts = [`${ms(row.a.wallMs)} vs ${ms(row.b.wallMs)}`];
  if (row.ratio !== undefined) parts.push(`${row.ratio.toFixed(2)}× node -e 0`);
  if (row.perMemberCpuMs !== undefined)
    parts.push(
      `client CPU/extra member ${row.perMemberCpuMs.toFixed(1)} ms (goal ≤ ${row.perMemberCpuGoalMs})`,
    );
  if (row.floor?.ratio !== undefined)
    parts.push(
      `the same requests by bare node:http2 (floor.mjs): ${ms(row.floor.wallMs)}, ${row.floor.ratio.toFixed(2)}× node -e 0`,
    );
  if (row.floor?.perMemberCpuMs !== undefined)
    parts.push(
      `the same requests by bare node:http2 (floor.mjs): ${row.floor.value.toFixed(2)} (${row.floor.spread.map((x) => x.toFixed(2)).join('–')}), ` +
        `${ms(row.floor.a.wallMs)} vs ${ms(row.floor.b.wallMs)}, CPU/extra member ${row.floor.perMemberCpuMs.toFixed(1)} ms`,
    );
  if (row.sandboxCpuMs) parts.push(`sandbox CPU/run ${ms(row.sandboxCpuMs.a)} vs ${ms(row.sandboxCpuMs.b)}`);
  if (row.rssMb !== undefined) parts.push(`peak RSS ${Math.round(row.rssMb)} MB (goal ≤ ${row.rssGoalMb})`);
  if (row.scaling) {
    const [l0, l1] = row.scaling.lines;
    const [t0, t1] = row.scaling.wallMs;
    parts.push(`${(l1 / l0).toFixed(0)}× lines: ${(t1 / t0).toFixed(2)}× time`);
  }
  return parts.join('; ');
}

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '9' },
      latency: { type: 'string', default: '50' },
      members: { type: 'string', default: '50' },
      'log-lines': { type: 'string', default: '1000000' },
      'log-runs': { type: 'string', default: '3' },
      'repair-runs': { type: 'string', default: '3' },
      only: { type: 'string' },
      json: { type: 'string' },
      compare: { type: 'string' },
      build: { type: 'string' },
    },
  });
  const root = values.build ?? fileURLToPath(new URL('..', import.meta.url));
  // Builds before the code cache (3712832) had ES module executables: --build may name one to compare with.
  const bin = ['ks-restore.cjs', 'ks-restore.js'].map((f) => join(root, 'bin', f)).find((f) => existsSync(f));
  if (!bin || !['cli.cjs', 'cli.js'].some((f) => existsSync(join(root, 'dist', f))))
    throw new Error(`${join(root, 'dist')} is missing: run \`npm run build\` first`);
  const only = values.only ? values.only.split(',') : ORDER;
  for (const id of only)
    if (!ORDER.includes(id)) throw new Error(`--only: no row "${id}" (${ORDER.join(', ')})`);
  const previous = values.compare ? JSON.parse(readFileSync(values.compare, 'utf8')) : undefined;

  const dir = mkdtempSync(join(os.tmpdir(), 'ks-restore-bench-'));
  const ctx = {
    dir,
    kubectlCache: join(dir, 'kubectl-cache'),
    bundle: await bundleSandbox(),
    bin: values.build ? bin : snapshotBuild(),
    runs: Number(values.runs),
    latency: Number(values.latency),
    members: Number(values.members),
    logLines: Number(values['log-lines']),
    logRuns: Number(values['log-runs']),
    repairRuns: Number(values['repair-runs']),
  };
  const m = machine(root);
  const defs = rows(ctx);
  const results = [];
  try {
    for (const id of ORDER.filter((x) => only.includes(x))) {
      process.stderr.write(`bench: ${id}…\n`);
      const row = await defs[id]();
      results.push({ id, ...row, met: row.value <= row.goal });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  m.loadAverageAfter = os.loadavg().map((x) => Number(x.toFixed(2)));

  const out = process.stdout;
  out.write(
    `${m.cpu}, ${m.cores} cores, node ${m.node}, kubectl ${m.kubectl}, commit ${m.commit}\n` +
      `load average ${m.loadAverage.join(' ')} before, ${m.loadAverageAfter.join(' ')} after; ` +
      `sandbox latency ${ctx.latency} ms; median (interquartile range) of ${ctx.runs} interleaved pairs after a warm-up ` +
      `(logs ${ctx.logRuns}, repair ${ctx.repairRuns})\n\n`,
  );
  const table = [
    ['what', 'anchor', 'now', previous ? 'before' : undefined, 'goal', ''].filter((x) => x !== undefined),
  ];
  for (const r of results) {
    const before = previous?.rows.find((p) => p.id === r.id);
    table.push(
      [
        r.what,
        r.anchor,
        fmt(r),
        previous ? (before ? fmt(before) : '–') : undefined,
        `≤ ${r.unit === 'ms' ? `${r.goal} ms` : r.goal}`,
        r.met ? 'met' : 'MISSED',
      ].filter((x) => x !== undefined),
    );
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table)
    out.write(
      `${row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd()}\n`,
    );
  out.write('\n');
  for (const r of results) out.write(`${r.id}: ${detail(r)}\n`);
  if (values.json)
    writeFileSync(
      values.json,
      `${JSON.stringify({ machine: m, options: { ...ctx, dir: undefined, bundle: undefined, bin: undefined, kubectlCache: undefined }, rows: results }, null, 2)}\n`,
    );
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exitCode = 1;
});
