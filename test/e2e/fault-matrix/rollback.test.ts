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
  sandbox,
  stepName,
  stepsOf,
  tally,
  tempDir,
  invariants,
} from '../../helpers/fault-matrix.js';

/** The fault matrix (see test/helpers/fault-matrix.ts): rollback. */

afterAll(() => finishMatrix('rollback'));

it('rollback: every step × every fault ends in a documented exit, and the member is either restored or untouched', async () => {
  const sb = await sandbox();
  const dir = await tempDir();
  const repairedRun = await runCli(['repair', ...COMMON, '--yes', '--no-restart', '--backup-dir', dir], {
    KUBECONFIG: sb.kubeconfigPath,
  });
  expect(repairedRun.code).toBe(0);
  sb.faults.set([]);
  sb.faults.seen.length = 0;
  const backup = JSON.parse(repairedRun.stdout).backup as string;
  const clean = await runCli(
    ['rollback', '--backup', backup, '--yes', '-o', 'json', '--request-timeout', '3s'],
    {
      KUBECONFIG: sb.kubeconfigPath,
    },
  );
  const steps = stepsOf(sb.faults.seen);
  await sb.stop();
  expect(clean.code).toBe(0);
  const failuresBefore = tally.failures.length;
  const cases = steps.flatMap((step) => kindsFor(step).map((kind) => ({ step, kind })));
  await pool(cases, async ({ step, kind }) => {
    const s = await sandbox();
    try {
      const secrets = allSecrets(s);
      const original = memberState(s);
      const backupRoot = await tempDir();
      // --no-restart: the rollback restores and restarts all the same, and the set-up skips a rollout.
      const r = await runCli(['repair', ...COMMON, '--yes', '--no-restart', '--backup-dir', backupRoot], {
        KUBECONFIG: s.kubeconfigPath,
      });
      if (r.code !== 0) throw new Error(`the repair before the rollback failed: exit ${r.code}`);
      const afterRepair = memberState(s);
      s.faults.set([
        { ...kind.rule, cluster: step.cluster, method: step.method, path: `${step.path}$`, nth: step.nth },
      ]);
      const started = Date.now();
      const res = await runCli(
        [
          'rollback',
          '--backup',
          JSON.parse(r.stdout).backup,
          '--yes',
          '-o',
          'json',
          '--request-timeout',
          '3s',
        ],
        { KUBECONFIG: s.kubeconfigPath },
      );
      const problems = invariants(res, secrets, Date.now() - started, backupRoot);
      const now = JSON.parse(memberState(s));
      const same = (a: string, keys: string[]): boolean =>
        keys.every((k) => JSON.stringify(JSON.parse(a)[k]) === JSON.stringify(now[k]));
      const DATA = ['cm', 'secret', 'cc'];
      if (res.code === 0 && !same(original, DATA)) problems.push('exit 0 but the member is not restored');
      if ((res.code === 2 || res.code === 3) && !same(afterRepair, DATA))
        problems.push(`unreported partial change (exit ${res.code})`);
      if (res.code === 4 && same(afterRepair, DATA) && same(afterRepair, ['restartedAt']))
        problems.push('exit 4 but nothing changed');
      if (res.code === 1) problems.push('rollback exit 1');
      // An edit before rollback reads an object is a change since the repair: refusing it (exit 2) is right.
      const editedBeforeRead =
        kind.rule.kind === 'concurrent-edit' &&
        step.method === 'GET' &&
        /\/(secrets|configmaps|clusterconfigurations)\//.test(step.path);
      const transient =
        (kind.transient && !editedBeforeRead) || (kind.transientOnWrite === true && step.realWrite);
      if (editedBeforeRead && res.code !== 2)
        problems.push(`an object edited since the repair: exit ${res.code}, not 2`);
      const survived = res.code === 0;
      if (transient && !survived) problems.push('transient fault changed the outcome');
      if (s.faults.fired === 0) problems.push('the fault never fired');
      record(`rollback ${stepName(step)} × ${kind.name}`, problems, survived, res);
    } finally {
      await s.stop();
    }
  });
  expect(tally.failures.slice(failuresBefore)).toEqual([]);
}, 1_800_000);
