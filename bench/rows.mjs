// The rows of issue 10's table. Each measures one figure against its anchor in the same run (interleaved A/B on
// sandboxes that add `latency` ms to every API response) and returns it with its goal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { compare, median, run, summary } from './lib/measure.mjs';
import { startSandbox } from './lib/sandbox.mjs';

const NODE = process.execPath;
const FLOOR = new URL('./floor.mjs', import.meta.url).pathname;
const KUBECTL = '/usr/bin/kubectl';
const NS = 'kubesphere-system';

/** The FAQ's diagnostic steps, command for command, as a person runs them one after another. */
const faqScript = () =>
  [
    `POD=$(${KUBECTL} --context member -n ${NS} get pods -l app=ks-apiserver -o jsonpath='{.items[0].metadata.name}')`,
    `${KUBECTL} --context member -n ${NS} logs "$POD" >/dev/null`,
    `${KUBECTL} --context host -n ${NS} get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep jwtSecret >/dev/null`,
    `${KUBECTL} --context member -n ${NS} get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep jwtSecret >/dev/null`,
    `${KUBECTL} --context member -n ${NS} get cm kubesphere-config -o yaml | grep -v "apiVersion" | grep accessTokenMaxAge >/dev/null`,
    'true',
  ].join('\n');

const ratioRow = (r) => {
  const s = summary(r.ratios);
  return {
    value: s.median,
    spread: [s.p25, s.p75],
    a: { wallMs: median(r.a.map((x) => x.wallMs)), cpuMs: median(r.a.map((x) => x.cpuMs ?? NaN)) },
    b: { wallMs: median(r.b.map((x) => x.wallMs)), cpuMs: median(r.b.map((x) => x.cpuMs ?? NaN)) },
  };
};

/** Shared context: the sandbox bundle, a scratch dir, the kubectl discovery cache, the options. */
export function rows(ctx) {
  const BIN = ctx.bin;
  const env = (kubeconfig) => ({ KUBECONFIG: kubeconfig, KUBECACHEDIR: ctx.kubectlCache, NO_COLOR: '1' });
  const ks =
    (args, sb, codes = [0, 1]) =>
    () =>
      run([NODE, BIN, ...args], { env: env(sb.kubeconfig), codes, label: `ks-restore ${args.join(' ')}` });

  /** The requests one diagnose makes, read from its -v=6 lines (host first): the plan floor.mjs replays. */
  const capturePlan = (args, sb, name) => {
    const r = spawnSync(NODE, [BIN, ...args, '-v=6'], { env: { ...process.env, ...env(sb.kubeconfig) } });
    const plan = [];
    for (const line of r.stderr.toString('utf8').split('\n')) {
      const m = /^(\S+): GET (\S+) \d{3} in /.exec(line);
      if (m) plan.push({ context: m[1], path: m[2] });
    }
    const host = args[args.indexOf('--host') + 1];
    plan.sort((x, y) => Number(y.context === host) - Number(x.context === host));
    if (plan.length === 0) throw new Error(`bench: no requests in the -v=6 output of ${args.join(' ')}`);
    const file = join(ctx.dir, `plan-${name}.json`);
    writeFileSync(file, JSON.stringify(plan));
    return file;
  };
  const floor = (sb, plan) => () => run([NODE, FLOOR, sb.kubeconfig, plan], { label: 'floor.mjs' });

  return {
    async faq() {
      const sb = await startSandbox(ctx.bundle, { members: 1, latency: ctx.latency });
      try {
        const r = await compare(
          ks(['diagnose', '--host', 'host', '--member', 'member'], sb),
          () => run(['sh', '-c', faqScript()], { env: env(sb.kubeconfig), label: 'FAQ kubectl steps' }),
          ctx.runs,
        );
        return {
          what: 'diagnose --host host --member member',
          anchor: "the FAQ's 5 kubectl steps",
          unit: 'ratio',
          goal: 0.4,
          ...ratioRow(r),
        };
      } finally {
        await sb.stop();
      }
    },

    async local() {
      const sb = await startSandbox(ctx.bundle, { members: 1, latency: 0 });
      try {
        const args = ['diagnose', '--host', 'host', '--member', 'member'];
        const r = await compare(ks(args, sb), () => run([NODE, '-e', '0']), ctx.runs);
        const row = ratioRow(r);
        const plan = capturePlan(args, sb, 'local');
        const f = ratioRow(await compare(floor(sb, plan), () => run([NODE, '-e', '0']), ctx.runs));
        return {
          what: 'same at 0 ms latency (local cost)',
          anchor: 'node -e 0',
          unit: 'ms',
          goal: 200,
          ...row,
          value: row.a.wallMs,
          spread: [summary(r.a.map((x) => x.wallMs)).p25, summary(r.a.map((x) => x.wallMs)).p75],
          ratio: row.value,
          floor: { wallMs: f.a.wallMs, ratio: f.value },
        };
      } finally {
        await sb.stop();
      }
    },

    async fleet() {
      const n = ctx.members;
      const [many, one] = [
        await startSandbox(ctx.bundle, { members: n, latency: ctx.latency }),
        await startSandbox(ctx.bundle, { members: 1, latency: ctx.latency }),
      ];
      try {
        const sandboxCpu = { a: [], b: [] };
        const withCpu = (sb, list, fn) => async () => {
          const before = sb.cpu();
          const res = await fn();
          list.push((sb.cpu() - before) * 1000);
          return res;
        };
        const args = ['diagnose', '--host', 'host', '-o', 'json'];
        const r = await compare(
          withCpu(many, sandboxCpu.a, ks(args, many, [0, 1, 3])),
          withCpu(one, sandboxCpu.b, ks(args, one, [0, 1, 3])),
          ctx.runs,
        );
        const row = ratioRow(r);
        // The same requests with nothing but node:http2 (floor.mjs): what any Node client pays here.
        const f = ratioRow(
          await compare(
            floor(many, capturePlan(args, many, 'many')),
            floor(one, capturePlan(args, one, 'one')),
            ctx.runs,
          ),
        );
        return {
          what: `${n}-member fleet ÷ one member (discovery, -o json)`,
          anchor: 'one member',
          unit: 'ratio',
          goal: 2,
          ...row,
          perMemberCpuMs: (row.a.cpuMs - row.b.cpuMs) / (n - 1),
          perMemberCpuGoalMs: 5,
          sandboxCpuMs: { a: median(sandboxCpu.a.slice(1)), b: median(sandboxCpu.b.slice(1)) },
          floor: { ...f, perMemberCpuMs: (f.a.cpuMs - f.b.cpuMs) / (n - 1) },
        };
      } finally {
        await Promise.all([many.stop(), one.stop()]);
      }
    },

    async logs() {
      const lines = ctx.logLines;
      const quarter = Math.round(lines / 4);
      const full = await startSandbox(ctx.bundle, { members: 1, latency: ctx.latency, logLines: lines });
      const small = await startSandbox(ctx.bundle, { members: 1, latency: ctx.latency, logLines: quarter });
      try {
        const args = ['diagnose', '--host', 'host', '--member', 'member', '-o', 'json', '--since', '2h'];
        const grep = `${KUBECTL} --context member -n ${NS} logs ${full.logPod} | grep -c "token not found in cache"`;
        const r = await compare(
          ks(args, full),
          () => run(['sh', '-c', grep], { env: env(full.kubeconfig), label: 'kubectl logs | grep -c' }),
          ctx.logRuns,
        );
        const row = ratioRow(r);
        const smallRuns = [];
        for (let i = 0; i <= ctx.logRuns; i++) smallRuns.push(await ks(args, small)());
        const smallMs = median(smallRuns.slice(1).map((x) => x.wallMs));
        return {
          what: `${lines.toLocaleString('en')} log lines: diagnose ÷ kubectl logs | grep -c`,
          anchor: 'kubectl logs … | grep -c',
          unit: 'ratio',
          goal: 1,
          ...row,
          rssMb: Math.max(...r.a.map((x) => x.rssMb ?? 0)),
          rssGoalMb: 120,
          // Linear: 4× the lines should take about 4× the time (beyond a fixed start-up).
          scaling: { lines: [quarter, lines], wallMs: [smallMs, row.a.wallMs] },
        };
      } finally {
        await Promise.all([full.stop(), small.stop()]);
      }
    },

    async version() {
      const r = await compare(
        () => run([NODE, BIN, '--version']),
        () => run([NODE, '-e', '0']),
        ctx.runs,
      );
      return { what: '--version', anchor: 'node -e 0', unit: 'ratio', goal: 1.2, ...ratioRow(r) };
    },

    async repair() {
      const beyond = [];
      const walls = [];
      const rolled = [];
      for (let i = 0; i <= ctx.repairRuns; i++) {
        // Live traffic: verification reads the log written since the repair.
        const sb = await startSandbox(ctx.bundle, { members: 1, latency: ctx.latency, liveTraffic: true });
        try {
          const backups = mkdtempSync(join(ctx.dir, 'backup-'));
          const res = await ks(
            [
              'repair',
              '--host',
              'host',
              '--member',
              'member',
              '--yes',
              '-o',
              'json',
              '--backup-dir',
              backups,
            ],
            sb,
            [0],
          )();
          const rollMs = sb.rollouts().reduce((sum, x) => sum + (x.end - x.start), 0);
          if (i === 0) continue; // warm-up
          walls.push(res.wallMs);
          rolled.push(rollMs);
          beyond.push(res.wallMs - rollMs);
        } finally {
          await sb.stop();
        }
      }
      const s = summary(beyond);
      return {
        what: 'repair: wall time beyond the rollout itself',
        anchor: "the member's rollout (seen by the sandbox)",
        unit: 'ms',
        goal: 1000,
        value: s.median,
        spread: [s.p25, s.p75],
        a: { wallMs: median(walls) },
        b: { wallMs: median(rolled) },
      };
    },
  };
}
