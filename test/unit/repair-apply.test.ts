/**
 * The repair executor against an in-memory cluster (test/helpers/fake-cluster.ts): what the report rows, the
 * change journal and the backup say after each way a write or a restart can go — done, a 409, a lost reply,
 * someone else's change, a refusal — and that no write ever overwrites someone else's change blindly.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESTARTED_AT, restartedAt } from '../../src/kube/client.js';
import type { KubeObject } from '../../src/kube/types.js';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import type { MemberPlan, PlannedWrite } from '../../src/kubesphere/repair/plan.js';
import { applyObjectEdits, type ObjectEdit } from '../../src/kubesphere/repair/object-edit.js';
import { applyPlan, dryRunPlan, plannedRecords, restartChecked, targetName } from '../../src/repair/apply.js';
import { Backup, readBackup } from '../../src/repair/backup.js';
import { ChangeJournal, journal } from '../../src/repair/journal.js';
import { deployment, FakeCluster, faults } from '../helpers/fake-cluster.js';

const NS = 'kubesphere-system';
const CM_KEY = `configmaps/${NS}/kubesphere-config`;
const SECRET_KEY = `secrets/${NS}/kubesphere-secret`;
const CONFIG = 'authentication:\n  jwtSecret: "FAKEmemberOld"\n  authenticateRateLimiterMaxTries: 10\n';
const NEW = 'FAKEhostSecret';

const configMap = (text = CONFIG): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: NS },
  data: { 'kubesphere.yaml': text },
});
const secret = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'kubesphere-secret', namespace: NS },
  data: { secret: Buffer.from('FAKEmemberOld').toString('base64') },
});

const CM_EDITS: ObjectEdit[] = [
  {
    kind: 'config-yaml',
    key: 'kubesphere.yaml',
    path: ['authentication', 'jwtSecret'],
    value: NEW,
    secret: true,
  },
];
const SECRET_EDITS: ObjectEdit[] = [{ kind: 'secret-data', key: 'secret', value: NEW }];

function write(target: 'configmap' | 'secret', before: KubeObject, edits: ObjectEdit[]): PlannedWrite {
  const r = applyObjectEdits(before, edits);
  if (!r.ok) throw new Error(r.reason);
  return {
    target,
    namespace: NS,
    name: before.metadata.name,
    before,
    after: r.after,
    edits,
    changes: [{ action: 'sync-jwt-secret', path: 'jwtSecret', secret: true, from: 'fp:old', to: 'fp:new' }],
  };
}

/** A member with the secret and the ConfigMap to write and ks-apiserver to restart; the plan, rows, backup. */
async function setup(opts: { writes?: Array<'secret' | 'configmap'>; restart?: boolean } = {}) {
  const c = new FakeCluster();
  const stored = { secret: c.put('secrets', secret()), configmap: c.put('configmaps', configMap()) };
  c.put('deployments', deployment(NS, 'ks-apiserver', 2));
  const writes = (opts.writes ?? ['secret', 'configmap']).map((t) =>
    write(t, stored[t], t === 'secret' ? SECRET_EDITS : CM_EDITS),
  );
  const plan: MemberPlan = {
    context: 'member',
    server: c.server,
    writes,
    restart: { namespace: NS, name: 'ks-apiserver', reason: 'config-changed' },
    refusal: undefined,
    forced: false,
  };
  const rows = plannedRecords(plan, { restart: opts.restart ?? true, timeoutMs: 5000 });
  const backup = await Backup.create(await mkdtemp(path.join(os.tmpdir(), 'ksr-apply-')), new Date());
  for (const w of writes) await backup.save({ context: 'member', server: c.server }, w.target, w.before);
  const steps: string[] = [];
  const run = (over: { timeoutMs?: number } = {}) =>
    applyPlan(c, plan, rows, {
      backup,
      restart: opts.restart ?? true,
      timeoutMs: over.timeoutMs ?? 5000,
      pollMs: 5,
      onStep: (s) => steps.push(s),
      now: () => new Date('2026-12-01T10:00:00.400Z'),
    });
  return { c, plan, rows, backup, steps, run };
}

const jwtSecretOf = (c: FakeCluster): string | undefined =>
  /jwtSecret: "([^"]*)"/.exec(
    String(
      (c.read('configmaps', NS, 'kubesphere-config')?.data as Record<string, string>)['kubesphere.yaml'],
    ),
  )?.[1];
const status = (rows: ReturnType<typeof plannedRecords>) => rows.map((r) => `${r.id} ${r.status}`);
const writesTo = (c: FakeCluster, key: string) => c.calls.filter((x) => x === `replace ${key}`).length;

describe('plannedRecords and targetName: the rows before anything ran', () => {
  it('one row per action and object, then restart and wait; skipped without --restart', async () => {
    const { plan } = await setup();
    plan.writes[1]!.changes.push({
      action: 'set-access-token-max-age',
      path: 'kubesphere.yaml: authentication.accessTokenMaxAge',
      secret: false,
      from: '2h',
      to: '0s',
    });
    expect(plannedRecords(plan, { restart: true, timeoutMs: 7000 })).toEqual([
      {
        id: 'sync-jwt-secret',
        target: `secret/kubesphere-secret (${NS})`,
        status: 'planned',
        changes: plan.writes[0]!.changes,
      },
      {
        id: 'sync-jwt-secret',
        target: `configmap/kubesphere-config (${NS})`,
        status: 'planned',
        changes: [plan.writes[1]!.changes[0]],
      },
      {
        id: 'set-access-token-max-age',
        target: `configmap/kubesphere-config (${NS})`,
        status: 'planned',
        changes: [plan.writes[1]!.changes[1]],
      },
      {
        id: 'restart',
        target: `deployment/ks-apiserver (${NS})`,
        status: 'planned',
        info: { reason: 'config-changed' },
      },
      {
        id: 'wait-rollout',
        target: `deployment/ks-apiserver (${NS})`,
        status: 'planned',
        info: { timeoutMs: 7000 },
      },
    ]);
    expect(status(plannedRecords(plan, { restart: false, timeoutMs: 7000 })).slice(-2)).toEqual([
      'restart skipped',
      'wait-rollout skipped',
    ]);
    expect(plannedRecords({ ...plan, restart: undefined }, { restart: true, timeoutMs: 1 })).toHaveLength(3);
  });

  it('names each kind of object as kubectl does', () => {
    expect(targetName({ target: 'clusterconfiguration', namespace: NS, name: 'ks-installer' })).toBe(
      `clusterconfiguration/ks-installer (${NS})`,
    );
    expect(targetName({ target: 'secret', namespace: 'ns', name: 's' })).toBe('secret/s (ns)');
    expect(targetName({ target: 'configmap', namespace: 'ns', name: 'c' })).toBe('configmap/c (ns)');
  });
});

describe('applyPlan', () => {
  it('writes each object, restarts and waits: every row done, the backup knows each new resourceVersion', async () => {
    const { c, rows, backup, steps, run } = await setup();
    expect(await run()).toEqual({
      ok: true,
      changed: true,
      rollout: expect.objectContaining({ done: true, updated: 2, desired: 2, available: 2 }),
    });
    expect(status(rows)).toEqual([
      'sync-jwt-secret done',
      'sync-jwt-secret done',
      'restart done',
      'wait-rollout done',
    ]);
    expect(rows[0]).not.toHaveProperty('info');
    expect(rows[3]!.info).toEqual({ updated: 2, desired: 2, available: 2 });
    expect(jwtSecretOf(c)).toBe(NEW);
    const dep = c.read('deployments', NS, 'ks-apiserver')!;
    expect((dep.spec as { template: KubeObject }).template.metadata.annotations?.[RESTARTED_AT]).toBe(
      '2026-12-01T10:00:00Z',
    );
    const objects = (await readBackup(backup.dir)).manifest.members[0]!.objects;
    expect(objects.map((o) => [o.target, o.resourceVersionAfter])).toEqual([
      ['secret', c.read('secrets', NS, 'kubesphere-secret')!.metadata.resourceVersion],
      ['configmap', c.read('configmaps', NS, 'kubesphere-config')!.metadata.resourceVersion],
    ]);
    expect(steps).toEqual([
      `member: writing secret/kubesphere-secret (${NS})`,
      `member: writing configmap/kubesphere-config (${NS})`,
      'member: restarting deployment/ks-apiserver',
      'member: ks-apiserver 2/2 pods updated, 2 available',
    ]);
    expect(journal.entries.slice(-3)).toEqual([
      { context: 'member', target: `secret/kubesphere-secret (${NS})`, state: 'done' },
      { context: 'member', target: `configmap/kubesphere-config (${NS})`, state: 'done' },
      { context: 'member', target: `deployment/ks-apiserver (${NS}) restarted`, state: 'done' },
    ]);
  });

  it('without --restart it writes and stops: restart and wait stay skipped, nothing is restarted', async () => {
    const { c, rows, run } = await setup({ restart: false });
    expect(await run()).toEqual({ ok: true, changed: true });
    expect(status(rows).slice(-2)).toEqual(['restart skipped', 'wait-rollout skipped']);
    expect(c.calls.some((x) => x.startsWith('restart'))).toBe(false);
    expect(c.calls.filter((x) => x.startsWith('get deployments/'))).toEqual([]);
  });

  it("the restart's read of the Deployment goes out with the first write, not after the last", async () => {
    const { c, run } = await setup();
    await run();
    const firstGet = c.calls.indexOf(`get deployments/${NS}/ks-apiserver`);
    expect(firstGet).toBeGreaterThanOrEqual(0);
    expect(firstGet).toBeLessThan(c.calls.findIndex((x) => x.startsWith('replace ')));
  });

  it("a 409 re-reads and replays the edit on the fresh object, keeping the other client's change", async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      key: CM_KEY,
      error: faults.conflict(CM_KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = { ...(o.data as object), other: 'theirs' };
        }),
    });
    expect((await run()).ok).toBe(true);
    const cm = c.read('configmaps', NS, 'kubesphere-config')!;
    expect(cm.data).toMatchObject({ other: 'theirs' });
    expect(jwtSecretOf(c)).toBe(NEW);
    expect(rows[0]).toMatchObject({
      status: 'done',
      info: { retriedAfterConflict: 1, alreadyApplied: false },
    });
  });

  it('a reply lost after the write applied: the re-read finds the edit, no second write, reported as changed', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'], restart: false });
    c.faults.push({ op: 'replace', error: faults.timeout(), applied: true });
    expect(await run()).toEqual({ ok: true, changed: true });
    expect(writesTo(c, CM_KEY)).toBe(1);
    expect(rows[0]).toMatchObject({
      status: 'done',
      info: { retriedAfterConflict: 1, alreadyApplied: false },
    });
  });

  it('a 5xx before the write applied: re-read, the edit is missing, written again', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'], restart: false });
    c.faults.push({ op: 'replace', error: faults.unavailable() });
    expect(await run()).toEqual({ ok: true, changed: true });
    expect(writesTo(c, CM_KEY)).toBe(2);
    expect(jwtSecretOf(c)).toBe(NEW);
    expect(rows[0]).toMatchObject({
      status: 'done',
      info: { retriedAfterConflict: 1, alreadyApplied: false },
    });
  });

  it('someone made the same change meanwhile (409, edit already there): done, but nothing changed by us', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'], restart: false });
    c.faults.push({
      op: 'replace',
      error: faults.conflict(CM_KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = applyObjectEdits(o, CM_EDITS).ok
            ? (applyObjectEdits(o, CM_EDITS) as { after: KubeObject }).after.data
            : {};
        }),
    });
    expect(await run()).toEqual({ ok: true, changed: false });
    expect(rows[0]).toMatchObject({
      status: 'done',
      info: { retriedAfterConflict: 1, alreadyApplied: true },
    });
  });

  it('gives up after the fourth 409 in a row: that row failed with the conflict, the rest skipped, nothing changed', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap', 'secret'] });
    for (let i = 0; i < 5; i++) {
      c.faults.push({
        op: 'replace',
        error: faults.conflict(CM_KEY),
        before: (k) =>
          k.edit('configmaps', NS, 'kubesphere-config', (o) => {
            o.data = { ...(o.data as object), [`other${i}`]: 'x' };
          }),
      });
    }
    expect(await run()).toEqual({ ok: false, changed: false });
    expect(writesTo(c, CM_KEY)).toBe(4);
    expect(status(rows)).toEqual([
      'sync-jwt-secret failed',
      'sync-jwt-secret skipped',
      'restart skipped',
      'wait-rollout skipped',
    ]);
    expect(rows[0]!.error).toEqual({
      message: expect.stringContaining('it was changed by someone else since it was read (409 Conflict)'),
      hint: expect.stringContaining('run ks-restore again'),
    });
    expect(rows.filter((r) => r.error)).toHaveLength(1);
    expect(journal.entries.at(-1)).toMatchObject({
      target: `configmap/kubesphere-config (${NS})`,
      state: 'failed',
    });
    expect(jwtSecretOf(c)).toBe('FAKEmemberOld');
  });

  it('a refused write (403) changed nothing; the journal says it failed', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({ op: 'replace', error: faults.forbidden() });
    expect(await run()).toEqual({ ok: false, changed: false });
    expect(writesTo(c, CM_KEY)).toBe(1);
    expect(rows[0]).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('"update"') },
    });
    expect(journal.entries.at(-1)).toMatchObject({ state: 'failed' });
  });

  it('no answer, and the re-read fails too: it may have been applied, so changed, and the journal keeps it sent', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({ op: 'replace', error: faults.timeout() }, { op: 'get', error: faults.timeout() });
    expect(await run()).toEqual({ ok: false, changed: true });
    expect(rows[0]).toMatchObject({
      status: 'failed',
      error: { message: expect.stringContaining('did not answer') },
    });
    expect(journal.entries.at(-1)).toMatchObject({
      target: `configmap/kubesphere-config (${NS})`,
      state: 'sent',
    });
  });

  it('no answer, and the object is gone on re-read: fails with the original error', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      error: faults.timeout(),
      before: (k) => k.objects.delete(CM_KEY),
    });
    expect((await run()).ok).toBe(false);
    expect(rows[0]!.error?.message).toContain('did not answer within 1s');
  });

  it('an edit that no longer applies after a concurrent change fails with the reason, never overwriting', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      error: faults.conflict(CM_KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = { renamed: CONFIG };
        }),
    });
    // The 409 proves nothing was written: nothing changed, and the journal says the write failed.
    expect(await run()).toEqual({ ok: false, changed: false });
    expect(journal.entries.at(-1)).toMatchObject({
      target: `configmap/kubesphere-config (${NS})`,
      state: 'failed',
    });
    expect(rows[0]!.error).toEqual({
      message:
        'after a concurrent change, the edit no longer applies: the ConfigMap has no kubesphere.yaml key',
    });
    expect(c.read('configmaps', NS, 'kubesphere-config')!.data).toEqual({ renamed: CONFIG });
  });

  it('no answer, then the edit no longer applies: it may have been applied before the other change', async () => {
    const { c, rows, run } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      error: faults.timeout(),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = { renamed: CONFIG };
        }),
    });
    expect(await run()).toEqual({ ok: false, changed: true });
    expect(rows[0]!.error?.message).toContain('the edit no longer applies');
    expect(journal.entries.at(-1)).toMatchObject({
      target: `configmap/kubesphere-config (${NS})`,
      state: 'sent',
    });
  });

  it('a later write that fails leaves the earlier one done and skips the rest; hooks are optional', async () => {
    const { c, plan, rows, backup } = await setup();
    const err = 'socket closed';
    c.faults.push({ op: 'replace', key: CM_KEY, error: err });
    expect(await applyPlan(c, plan, rows, { backup, restart: true, timeoutMs: 1000 })).toEqual({
      ok: false,
      changed: true,
    });
    expect(status(rows)).toEqual([
      'sync-jwt-secret done',
      'sync-jwt-secret failed',
      'restart skipped',
      'wait-rollout skipped',
    ]);
    // Something that is not even an Error is shown as its text.
    expect(rows[1]!.error).toEqual({ message: 'socket closed' });
    expect(c.fieldManagers).toEqual(new Set(['ks-restore']));
  });

  it('restarts and waits without progress hooks', async () => {
    const { c, plan, rows, backup } = await setup({ writes: ['secret'] });
    expect((await applyPlan(c, plan, rows, { backup, restart: true, timeoutMs: 5000, pollMs: 5 })).ok).toBe(
      true,
    );
    expect(c.calls.some((x) => x.startsWith('restart'))).toBe(true);
  });

  it('a restart with no answer, whose re-read and resend fail too: failed, and the journal keeps it sent', async () => {
    const { c, rows, run } = await setup({ writes: ['secret'] });
    c.faults.push(
      { op: 'restart', error: faults.timeout() },
      { op: 'get', error: faults.timeout() },
      { op: 'restart', error: faults.timeout() },
    );
    expect(await run()).toEqual({ ok: false, changed: true });
    expect(status(rows).slice(-2)).toEqual(['restart failed', 'wait-rollout failed']);
    expect(journal.entries.at(-1)).toMatchObject({
      target: `deployment/ks-apiserver (${NS}) restarted`,
      state: 'sent',
    });
  });

  it('a refused restart: restart and wait failed, the reason on the restart, the writes stay done and changed', async () => {
    const { c, rows, run } = await setup();
    c.faults.push({ op: 'restart', error: faults.forbidden() });
    expect(await run()).toEqual({ ok: false, changed: true });
    expect(status(rows)).toEqual([
      'sync-jwt-secret done',
      'sync-jwt-secret done',
      'restart failed',
      'wait-rollout failed',
    ]);
    expect(rows[2]!.error?.hint).toContain('kubectl');
    expect(rows[3]).not.toHaveProperty('error');
    expect(journal.entries.at(-1)).toMatchObject({
      target: `deployment/ks-apiserver (${NS}) restarted`,
      state: 'failed',
    });
  });

  it('a rollout that does not finish: the wait failed with the pods to check, the restart done', async () => {
    const { c, rows, run } = await setup();
    c.stuckRollout = true;
    c.put('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ks-apiserver-new', namespace: NS, labels: { app: 'ks-apiserver' } },
      status: { phase: 'Pending' },
    });
    expect(await run({ timeoutMs: 30 })).toEqual({ ok: false, changed: true });
    expect(status(rows).slice(-2)).toEqual(['restart done', 'wait-rollout failed']);
    expect(c.calls).toContain(`list pods/${NS}?app=ks-apiserver`);
    expect(rows[3]!.error).toEqual({
      message: expect.stringMatching(
        /^the rollout did not finish in time: .* Pods: ks-apiserver-new Pending, not ready\.$/,
      ),
      hint: expect.stringContaining('--timeout'),
    });
  });
});

describe('restartChecked: a restart is sent at most twice and never twice when it took', () => {
  const NOW = new Date('2026-12-01T10:00:00.400Z');
  const restarts = (c: FakeCluster) => c.calls.filter((x) => x.startsWith('restart')).length;
  const annotation = (dep: ObjectJson) =>
    (dep.spec as { template: KubeObject }).template.metadata.annotations?.[RESTARTED_AT];

  it.each([
    ['a lost reply after it applied', faults.timeout()],
    ['a 409 after it applied', faults.conflict()],
  ])('%s: the Deployment already carries this restart, so it is not sent again', async (_what, error) => {
    const c = new FakeCluster();
    c.put('deployments', deployment(NS, 'ks-apiserver'));
    c.faults.push({ op: 'restart', error, applied: true });
    const dep = await restartChecked(c, NS, 'ks-apiserver', NOW);
    expect(annotation(dep)).toBe(restartedAt(NOW));
    expect(restarts(c)).toBe(1);
  });

  it('a lost reply before it applied: sent once more', async () => {
    const c = new FakeCluster();
    c.put('deployments', deployment(NS, 'ks-apiserver'));
    c.faults.push({ op: 'restart', error: faults.unavailable() });
    expect(annotation(await restartChecked(c, NS, 'ks-apiserver', NOW))).toBe(restartedAt(NOW));
    expect(restarts(c)).toBe(2);
  });

  it('an older restart on the Deployment is not this one: sent once more', async () => {
    const c = new FakeCluster();
    c.put('deployments', deployment(NS, 'ks-apiserver'));
    await c.restartDeployment(NS, 'ks-apiserver', { now: new Date('2026-11-30T10:00:00Z') });
    c.faults.push({ op: 'restart', error: faults.timeout() }, { op: 'get', error: faults.timeout() });
    expect(annotation(await restartChecked(c, NS, 'ks-apiserver', NOW))).toBe(restartedAt(NOW));
    expect(restarts(c)).toBe(3);
  });

  it('a refusal is final', async () => {
    const c = new FakeCluster();
    c.put('deployments', deployment(NS, 'ks-apiserver'));
    c.faults.push({ op: 'restart', error: faults.forbidden() });
    await expect(restartChecked(c, NS, 'ks-apiserver', NOW)).rejects.toThrow(/forbidden|"update"/i);
    expect(restarts(c)).toBe(1);
  });
});

describe('dryRunPlan validates every write and the restart, storing nothing', () => {
  it('marks every row validated', async () => {
    const { c, plan, rows } = await setup();
    const before = c.read('configmaps', NS, 'kubesphere-config');
    await dryRunPlan(c, plan, rows);
    expect(rows.map((r) => r.info?.validated)).toEqual([true, true, true, true]);
    expect(rows[2]!.info).toEqual({ reason: 'config-changed', validated: true });
    expect(c.calls.filter((x) => x.startsWith('dry-run'))).toEqual([
      `dry-run replace ${SECRET_KEY}`,
      `dry-run replace ${CM_KEY}`,
      `dry-run restart deployments/${NS}/ks-apiserver`,
    ]);
    expect(c.read('configmaps', NS, 'kubesphere-config')).toEqual(before);
  });

  it("after a 409 the fresh object is what gets backed up and written, with the other client's change", async () => {
    const { c, plan, rows } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      error: faults.conflict(CM_KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = { ...(o.data as object), other: 'theirs' };
        }),
    });
    await dryRunPlan(c, { ...plan, restart: undefined }, rows);
    const w = plan.writes[0]!;
    expect(w.before).toEqual(c.read('configmaps', NS, 'kubesphere-config'));
    expect(w.after.data).toMatchObject({ other: 'theirs' });
    expect(String((w.after.data as Record<string, string>)['kubesphere.yaml'])).toContain(
      `jwtSecret: "${NEW}"`,
    );
  });

  it('after a 409 where the edit is already there, the fresh object is written unchanged', async () => {
    const { c, plan, rows } = await setup({ writes: ['configmap'] });
    c.faults.push({
      op: 'replace',
      error: faults.conflict(CM_KEY),
      before: (k) => k.put('configmaps', plan.writes[0]!.after),
    });
    await dryRunPlan(c, { ...plan, restart: undefined }, rows);
    expect(plan.writes[0]!.after).toEqual(c.read('configmaps', NS, 'kubesphere-config'));
  });

  it('gives up after the fourth 409, and on an edit that no longer applies', async () => {
    const { c, plan, rows } = await setup({ writes: ['configmap'] });
    for (let i = 0; i < 4; i++) c.faults.push({ op: 'replace', error: faults.conflict(CM_KEY) });
    await expect(dryRunPlan(c, plan, rows)).rejects.toThrow(/409 Conflict/);
    expect(c.calls.filter((x) => x.startsWith('dry-run replace'))).toHaveLength(4);
    c.faults.push({
      op: 'replace',
      error: faults.conflict(CM_KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (o) => {
          o.data = {};
        }),
    });
    await expect(dryRunPlan(c, plan, rows)).rejects.toThrow(
      'after a concurrent change, the edit no longer applies: the ConfigMap has no kubesphere.yaml key',
    );
  });

  it('a refused dry run and an object gone on re-read are errors', async () => {
    const { c, plan, rows } = await setup({ writes: ['configmap'] });
    c.faults.push({ op: 'replace', error: faults.forbidden() });
    await expect(dryRunPlan(c, plan, rows)).rejects.toThrow(/"update"/);
    c.faults.push({ op: 'replace', error: faults.conflict(CM_KEY), before: (k) => k.objects.delete(CM_KEY) });
    await expect(dryRunPlan(c, plan, rows)).rejects.toThrow(/409 Conflict/);
  });
});

describe('ChangeJournal: what was changed so far, for an interrupted or failed run', () => {
  it('lists what was done or sent without an answer, skips what failed, and says how to undo it', () => {
    const j = new ChangeJournal();
    expect(j.changed).toBe(false);
    expect(j.describe()).toEqual(['Nothing was changed.']);
    j.settle(j.sending('m1', 'configmap/kubesphere-config (kubesphere-system)'), true);
    j.settle(j.sending('m1', 'secret/kubesphere-secret (kubesphere-system)'), false);
    expect(j.changed).toBe(true);
    j.sending('m2', 'deployment/ks-apiserver (kubesphere-system) restarted');
    expect(j.describe()).toEqual([
      'Changes made so far:',
      '  m1: configmap/kubesphere-config (kubesphere-system)',
      '  m2: deployment/ks-apiserver (kubesphere-system) restarted (sent; no answer, may have been applied)',
    ]);
    j.backupDir = '/b/20261201T100000Z';
    expect(j.describe().at(-1)).toBe('Undo with: ks-restore rollback --backup /b/20261201T100000Z');
    j.undo = (dir) => `ks-restore repair --from ${dir}`;
    expect(j.describe().at(-1)).toBe('Undo with: ks-restore repair --from /b/20261201T100000Z');
    j.undo = undefined;
    expect(j.describe()).toHaveLength(3);
  });

  it('only failed writes: nothing changed', () => {
    const j = new ChangeJournal();
    j.settle(j.sending('m1', 'configmap/c (ns)'), false);
    expect(j.changed).toBe(false);
    j.backupDir = '/b';
    expect(j.describe()).toEqual(['Nothing was changed.']);
  });
});
