/**
 * applyPlan's report rows are only the report (issue 13, the repair area): the executor writes, restarts, waits
 * and says whether it succeeded the same way when the caller keeps no rows for some actions.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import type { MemberPlan } from '../../src/kubesphere/repair/plan.js';
import { applyObjectEdits, type ObjectEdit } from '../../src/kubesphere/repair/object-edit.js';
import { MissingPermissionsError } from '../../src/kube/errors.js';
import { applyPlan, dryRunPlan, firstFailure } from '../../src/repair/apply.js';
import { Backup } from '../../src/repair/backup.js';
import { deployment, FakeCluster, faults } from '../helpers/fake-cluster.js';

const NS = 'kubesphere-system';
const EDITS: ObjectEdit[] = [{ kind: 'secret-data', key: 'secret', value: 'FAKEhostSecret' }];

async function setup() {
  const c = new FakeCluster();
  const before = c.put('secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'kubesphere-secret', namespace: NS },
    data: { secret: Buffer.from('FAKEmemberOld').toString('base64') },
  } as KubeObject);
  c.put('deployments', deployment(NS, 'ks-apiserver', 1));
  const r = applyObjectEdits(before, EDITS);
  if (!r.ok) throw new Error(r.reason);
  const plan: MemberPlan = {
    context: 'member',
    server: c.server,
    writes: [
      {
        target: 'secret',
        namespace: NS,
        name: 'kubesphere-secret',
        before,
        after: r.after,
        edits: EDITS,
        changes: [],
      },
    ],
    restart: { namespace: NS, name: 'ks-apiserver', reason: 'config-changed' },
    refusal: undefined,
    forced: false,
  };
  const backup = await Backup.create(await mkdtemp(path.join(os.tmpdir(), 'ksr-apply-rows-')), new Date());
  await backup.save({ context: 'member', server: c.server }, 'secret', before);
  return { c, plan, backup };
}

describe('applyPlan without report rows', () => {
  it('writes, restarts and waits: ok, changed', async () => {
    const { c, plan, backup } = await setup();
    const res = await applyPlan(c, plan, [], { backup, restart: true, timeoutMs: 5000, pollMs: 5 });
    expect([res.ok, res.changed, res.rollout?.done]).toEqual([true, true, true]);
    expect(c.calls.filter((x) => x.startsWith('restart'))).toHaveLength(1);
  });

  it('a write the API server refuses (403): not ok, nothing changed, the Deployment not restarted', async () => {
    const { c, plan, backup } = await setup();
    c.faults.push({ op: 'replace', error: faults.forbidden() });
    expect(await applyPlan(c, plan, [], { backup, restart: true, timeoutMs: 5000, pollMs: 5 })).toEqual({
      ok: false,
      changed: false,
    });
    expect(c.calls.filter((x) => x.startsWith('restart'))).toEqual([]);
  });
});

describe('dryRunPlan: refusals', () => {
  it('one refused validation is thrown as it is; two 403s are listed together', async () => {
    const one = await setup();
    one.c.faults.push({ op: 'restart', error: faults.forbidden() });
    const single = await dryRunPlan(one.c, one.plan, []).catch((e: unknown) => e);
    expect([
      single instanceof MissingPermissionsError,
      single instanceof Error && single.constructor.name,
    ]).toEqual([false, 'ForbiddenError']);
    const two = await setup();
    two.c.faults.push(
      { op: 'replace', error: faults.forbidden() },
      { op: 'restart', error: faults.forbidden() },
    );
    expect(await dryRunPlan(two.c, two.plan, []).catch((e: unknown) => e)).toBeInstanceOf(
      MissingPermissionsError,
    );
  });

  it('a 403 and another failure: the first in plan order, not a list', async () => {
    const { c, plan } = await setup();
    c.faults.push({ op: 'replace', error: faults.forbidden() }, { op: 'restart', error: faults.timeout() });
    const err = await dryRunPlan(c, plan, []).catch((e: unknown) => e);
    expect(err instanceof Error && err.constructor.name).toBe('ForbiddenError');
  });
});

describe('firstFailure', () => {
  it('waits for all and throws the first rejection in the given order', async () => {
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error('first in order')), 5));
    await expect(
      firstFailure([Promise.resolve(1), late, Promise.reject(new Error('first in time'))]),
    ).rejects.toThrow('first in order');
    await expect(firstFailure([Promise.resolve(1), Promise.resolve(2)])).resolves.toBe(undefined);
  });
});
