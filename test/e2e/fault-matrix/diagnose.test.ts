import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import {
  allSecrets,
  COMMON,
  finishMatrix,
  kindsFor,
  pool,
  record,
  sandbox,
  stepName,
  stepsOf,
  tally,
  invariants,
} from '../../helpers/fault-matrix.js';

/** The fault matrix (see test/helpers/fault-matrix.ts): diagnose. */

afterAll(() => finishMatrix('diagnose'));

it('diagnose: every read × every fault ends in 0/1/3 with the clean verdict when the fault is transient', async () => {
  const sb = await sandbox();
  const clean = await runCli(['diagnose', ...COMMON], { KUBECONFIG: sb.kubeconfigPath });
  const steps = stepsOf(sb.faults.seen);
  const cleanCause = JSON.parse(clean.stdout).members[0].cause as string;
  await sb.stop();
  expect(clean.code).toBe(1);
  expect(steps.length).toBeGreaterThan(10);
  const cases = steps.flatMap((step) => kindsFor(step).map((kind) => ({ step, kind })));
  await pool(cases, async ({ step, kind }) => {
    const s = await sandbox();
    try {
      const secrets = allSecrets(s);
      s.faults.set([
        { ...kind.rule, cluster: step.cluster, method: step.method, path: `${step.path}$`, nth: step.nth },
      ]);
      const started = Date.now();
      const res = await runCli(['diagnose', ...COMMON], { KUBECONFIG: s.kubeconfigPath });
      const problems = invariants(res, secrets, Date.now() - started, '/nonexistent');
      if (res.code === 2 || res.code === 4) problems.push(`diagnose exit ${res.code}`);
      let cause: string | undefined;
      try {
        cause = JSON.parse(res.stdout).members?.[0]?.cause;
      } catch {
        problems.push('stdout is not JSON');
      }
      const survived = res.code === 1 && cause === cleanCause;
      if (kind.transient && !survived) problems.push(`transient fault changed the outcome (cause ${cause})`);
      if (s.faults.fired === 0) problems.push('the fault never fired');
      record(`diagnose ${stepName(step)} × ${kind.name}`, problems, survived, res);
    } finally {
      await s.stop();
    }
  });
  expect(tally.failures).toEqual([]);
}, 900_000);
