/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON report, read field by field */
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import {
  allSecrets,
  COMMON,
  finishMatrix,
  kindsFor,
  memberState,
  pool,
  record,
  repaired,
  sandbox,
  stepName,
  stepsOf,
  tally,
  tempDir,
  invariants,
} from '../../helpers/fault-matrix.js';

/** The fault matrix (see test/helpers/fault-matrix.ts): repair. */

afterAll(() => finishMatrix('repair'));

it('repair: every step × every fault ends in a documented exit, and the report matches the member', async () => {
  const sb = await sandbox();
  const dir = await tempDir();
  const clean = await runCli(['repair', ...COMMON, '--yes', '--backup-dir', dir], {
    KUBECONFIG: sb.kubeconfigPath,
  });
  // Beyond the first of each read: the rollout poll and the verification's reads of the member.
  // The host's reads are the diagnose matrix's, with the same handling; one of them stands for the refusal they
  // all lead to in repair (exit 3, nothing changed).
  const steps = stepsOf(
    sb.faults.seen,
    (s) => s.cluster === 'member' && s.method === 'GET' && s.nth === 2,
  ).filter((s) => s.cluster !== 'host' || s.path.endsWith('/configmaps/kubesphere-config'));
  await sb.stop();
  expect(clean.code).toBe(0);
  const failuresBefore = tally.failures.length;
  const cases = steps.flatMap((step) => kindsFor(step).map((kind) => ({ step, kind })));
  await pool(cases, async ({ step, kind }) => {
    const s = await sandbox();
    try {
      const secrets = allSecrets(s);
      const before = memberState(s);
      const backupRoot = await tempDir();
      s.faults.set([
        { ...kind.rule, cluster: step.cluster, method: step.method, path: `${step.path}$`, nth: step.nth },
      ]);
      const started = Date.now();
      const res = await runCli(
        ['repair', ...COMMON, '--yes', '--backup-dir', backupRoot, '--timeout', '30s'],
        {
          KUBECONFIG: s.kubeconfigPath,
        },
      );
      const problems = invariants(res, secrets, Date.now() - started, backupRoot);
      const after = memberState(s);
      const changed = after !== before;
      const fixed = repaired(s);
      let report: any;
      try {
        report = res.stdout.trim() ? JSON.parse(res.stdout) : undefined;
      } catch {
        problems.push('stdout is not JSON');
      }
      switch (res.code) {
        case 0:
          if (!fixed) problems.push('exit 0 but the member is not repaired');
          if (report?.status !== 'repaired') problems.push(`exit 0 with status ${report?.status}`);
          break;
        case 2:
        case 3:
          if (changed) problems.push(`unreported partial change (exit ${res.code})`);
          break;
        case 4:
          if (report?.status !== 'partial') problems.push(`exit 4 with status ${report?.status}`);
          if (!/rollback --backup/.test(res.stderr + res.stdout))
            problems.push('exit 4 without the rollback command');
          if (!changed) problems.push('exit 4 but nothing changed');
          for (const a of report?.members?.[0]?.actions ?? []) {
            // A write the report calls done is on the cluster; one it calls failed or skipped is not.
            const target = String(a.target);
            const kindOf = target.startsWith('configmap/')
              ? 'cm'
              : target.startsWith('secret/')
                ? 'secret'
                : target.startsWith('clusterconfiguration/')
                  ? 'cc'
                  : undefined;
            if (!kindOf) continue;
            const was = JSON.parse(before)[kindOf];
            const now = JSON.parse(after)[kindOf];
            const differs = JSON.stringify(was) !== JSON.stringify(now);
            if (a.status === 'done' && !differs)
              problems.push(`report says ${target} done, the cluster disagrees`);
            if (a.status !== 'done' && differs)
              problems.push(`unreported partial change: ${target} ${a.status}`);
          }
          break;
      }
      const transient = kind.transient || (step.realWrite && kind.transientOnWrite === true);
      const survived = res.code === 0 && fixed;
      if (transient && !survived) problems.push('transient fault changed the outcome');
      if (s.faults.fired === 0) problems.push('the fault never fired');
      record(`repair ${stepName(step)} × ${kind.name}`, problems, survived, res);
    } finally {
      await s.stop();
    }
  });
  expect(tally.failures.slice(failuresBefore)).toEqual([]);
}, 1_800_000);
