/**
 * Rollback's decisions and writes against an in-memory cluster (test/helpers/fake-cluster.ts): it restores an
 * object only while it is as the repair left it (or with --force), and never overwrites someone else's change.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import type { BackupMember, BackupObject } from '../../src/repair/backup.js';
import { readTarget, writeTarget } from '../../src/repair/objects.js';
import {
  OutcomeUnknownError,
  planRestores,
  RestoreRefusedError,
  sameContent,
  writeRestore,
  type RestoreItem,
} from '../../src/repair/restore.js';
import { FakeCluster, faults } from '../helpers/fake-cluster.js';

const NS = 'kubesphere-system';
const KEY = `configmaps/${NS}/kubesphere-config`;

const cm = (text: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: NS, resourceVersion: '1' },
  data: { 'kubesphere.yaml': text },
  ...extra,
});
const ORIGINAL = cm('jwtSecret: "FAKEmemberOld"\n');
const REPAIRED = 'jwtSecret: "FAKEhostSecret"\n';

function object(resourceVersionAfter: string | null): BackupObject {
  return {
    target: 'configmap',
    namespace: NS,
    name: 'kubesphere-config',
    file: 'member-configmap-kubesphere-config.json',
    resourceVersionBefore: '1',
    resourceVersionAfter,
  };
}

/** The cluster as the repair left it; the backup's entry records the resourceVersion the repair wrote. */
function repaired() {
  const c = new FakeCluster();
  const stored = c.put('configmaps', cm(REPAIRED));
  return { c, o: object(stored.metadata.resourceVersion!) };
}

const plan = (c: FakeCluster, objects: BackupObject[], force = false) => {
  const member: BackupMember = { context: 'member', server: c.server, restart: null, objects };
  return planRestores(member, c, new Map(objects.map((o) => [o.file, ORIGINAL])), force);
};

describe('planRestores decides before writing anything', () => {
  it('as the repair left it: restore', async () => {
    const { c, o } = repaired();
    expect(await plan(c, [o])).toEqual([
      {
        object: o,
        original: ORIGINAL,
        current: c.read('configmaps', NS, 'kubesphere-config'),
        decision: 'restore',
      },
    ]);
  });

  it('never written by the repair: skipped, without reading it', async () => {
    const { c } = repaired();
    const o = object(null);
    expect(await plan(c, [o])).toEqual([
      { object: o, original: ORIGINAL, decision: 'skipped', reason: 'never-written' },
    ]);
    expect(c.calls).toEqual([]);
  });

  it('deleted since: refused', async () => {
    const { c, o } = repaired();
    c.objects.delete(KEY);
    expect(await plan(c, [o])).toEqual([
      { object: o, original: ORIGINAL, decision: 'refused', reason: 'deleted' },
    ]);
  });

  it('already equal to the backup (data and spec), whatever its metadata: unchanged', async () => {
    const { c, o } = repaired();
    c.edit('configmaps', NS, 'kubesphere-config', (x) => {
      x.data = ORIGINAL.data;
      x.metadata.labels = { touched: 'yes' };
    });
    expect((await plan(c, [o]))[0]).toMatchObject({ decision: 'unchanged' });
    expect((await plan(c, [o]))[0]).not.toHaveProperty('reason');
  });

  it('changed by someone since the repair: refused, or restored with --force', async () => {
    const { c, o } = repaired();
    c.edit('configmaps', NS, 'kubesphere-config', (x) => {
      x.data = { 'kubesphere.yaml': 'jwtSecret: "FAKEsomeoneElse"\n' };
    });
    expect((await plan(c, [o]))[0]).toMatchObject({ decision: 'refused', reason: 'changed-since-repair' });
    expect((await plan(c, [o], true))[0]).toMatchObject({ decision: 'restore', reason: 'forced' });
  });
});

describe('writeRestore', () => {
  async function item(c: FakeCluster, o: BackupObject, force = false): Promise<RestoreItem> {
    return (await plan(c, [o], force))[0]!;
  }

  it('writes the backup under the current resourceVersion, keeping the status, without managedFields', async () => {
    const { c, o } = repaired();
    c.edit('configmaps', NS, 'kubesphere-config', (x) => {
      x.status = { observed: 2 };
    });
    const it0 = await item(c, {
      ...o,
      resourceVersionAfter: c.read('configmaps', NS, 'kubesphere-config')!.metadata.resourceVersion!,
    });
    it0.original = cm('jwtSecret: "FAKEmemberOld"\n', { status: { observed: 1 } });
    it0.original.metadata.managedFields = [{ manager: 'kubectl' }];
    expect(await writeRestore(c, it0, { force: false, dryRun: false })).toEqual({ retries: 0 });
    const now = c.read('configmaps', NS, 'kubesphere-config')!;
    expect(now.data).toEqual(ORIGINAL.data);
    expect(now.status).toEqual({ observed: 2 });
    expect(now.metadata.managedFields).toBeUndefined();
  });

  it('a dry run stores nothing', async () => {
    const { c, o } = repaired();
    const before = c.read('configmaps', NS, 'kubesphere-config');
    expect(await writeRestore(c, await item(c, o), { force: false, dryRun: true })).toEqual({ retries: 0 });
    expect(c.read('configmaps', NS, 'kubesphere-config')).toEqual(before);
  });

  it('a 409 after only metadata moved (a controller): retried with the fresh resourceVersion', async () => {
    const { c, o } = repaired();
    const i = await item(c, o);
    c.faults.push({
      op: 'replace',
      error: faults.conflict(KEY),
      before: (k) =>
        k.edit('configmaps', NS, 'kubesphere-config', (x) => {
          x.metadata.annotations = { controller: 'touched' };
        }),
    });
    expect(await writeRestore(c, i, { force: false, dryRun: false })).toEqual({ retries: 1 });
    expect(c.read('configmaps', NS, 'kubesphere-config')!.data).toEqual(ORIGINAL.data);
  });

  it('a lost reply after the write applied: found restored, not written again', async () => {
    const { c, o } = repaired();
    const i = await item(c, o);
    c.faults.push({ op: 'replace', error: faults.timeout(), applied: true });
    expect(await writeRestore(c, i, { force: false, dryRun: false })).toEqual({ retries: 1, found: true });
    expect(c.calls.filter((x) => x.startsWith('replace'))).toHaveLength(1);
  });

  it("a 409 after someone else's change: refused, never overwritten; with --force retried over it", async () => {
    const { c, o } = repaired();
    const someone = (k: FakeCluster) =>
      k.edit('configmaps', NS, 'kubesphere-config', (x) => {
        x.data = { 'kubesphere.yaml': 'jwtSecret: "FAKEsomeoneElse"\n' };
      });
    c.faults.push({ op: 'replace', error: faults.conflict(KEY), before: someone });
    const refused = writeRestore(c, await item(c, o), { force: false, dryRun: false });
    await expect(refused).rejects.toBeInstanceOf(RestoreRefusedError);
    await expect(refused).rejects.toMatchObject({
      reason: 'changed-since-repair',
      message: expect.stringContaining('someone else changed it while rolling back'),
    });
    expect(c.read('configmaps', NS, 'kubesphere-config')!.data).toEqual({
      'kubesphere.yaml': 'jwtSecret: "FAKEsomeoneElse"\n',
    });

    const again = repaired();
    again.c.faults.push({ op: 'replace', error: faults.conflict(KEY), before: someone });
    expect(await writeRestore(again.c, await item(again.c, again.o), { force: true, dryRun: false })).toEqual(
      {
        retries: 1,
      },
    );
    expect(again.c.read('configmaps', NS, 'kubesphere-config')!.data).toEqual(ORIGINAL.data);
  });

  it('a 409 and the object is gone: refused as deleted', async () => {
    const { c, o } = repaired();
    c.faults.push({ op: 'replace', error: faults.conflict(KEY), before: (k) => k.objects.delete(KEY) });
    await expect(writeRestore(c, await item(c, o), { force: false, dryRun: false })).rejects.toMatchObject({
      reason: 'deleted',
      message: 'it was deleted while rolling back',
    });
  });

  it('no answer and the re-read fails: the outcome is unknown (a dry run reports the error itself)', async () => {
    const { c, o } = repaired();
    const i = await item(c, o);
    const timeout = faults.timeout();
    c.faults.push({ op: 'replace', error: timeout }, { op: 'get', error: faults.timeout() });
    const unknown = await writeRestore(c, i, { force: false, dryRun: false }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OutcomeUnknownError);
    expect(unknown).toMatchObject({ failure: timeout, message: timeout.message });
    c.faults.push({ op: 'replace', error: timeout }, { op: 'get', error: faults.timeout() });
    expect(await writeRestore(c, i, { force: false, dryRun: true }).catch((e: unknown) => e)).toBe(timeout);
    const conflict = faults.conflict(KEY);
    c.faults.push({ op: 'replace', error: conflict }, { op: 'get', error: faults.timeout() });
    expect(await writeRestore(c, i, { force: false, dryRun: false }).catch((e: unknown) => e)).toBe(conflict);
  });

  it('a refusal (403) is final; the fourth 409 in a row is given up', async () => {
    const { c, o } = repaired();
    const i = await item(c, o);
    const forbidden = faults.forbidden();
    c.faults.push({ op: 'replace', error: forbidden });
    expect(await writeRestore(c, i, { force: false, dryRun: false }).catch((e: unknown) => e)).toBe(
      forbidden,
    );
    for (let n = 0; n < 5; n++) c.faults.push({ op: 'replace', error: faults.conflict(KEY) });
    await expect(writeRestore(c, i, { force: false, dryRun: false })).rejects.toThrow(/409 Conflict/);
    expect(c.calls.filter((x) => x.startsWith('replace'))).toHaveLength(1 + 4);
  });

  it('OutcomeUnknownError words a thrown non-Error too', () => {
    expect(new OutcomeUnknownError('socket hang up').message).toBe('socket hang up');
  });
});

describe('sameContent compares what rollback restores: data and spec', () => {
  it.each<[string, Partial<KubeObject>, Partial<KubeObject>, boolean]>([
    ['equal data, other metadata', { data: { a: '1' } }, { data: { a: '1' }, metadata: { name: 'x' } }, true],
    ['other data', { data: { a: '1' } }, { data: { a: '2' } }, false],
    ['other spec', { spec: { r: 1 } }, { spec: { r: 2 } }, false],
    ['no data against empty data', {}, { data: {} }, false],
  ])('%s', (_what, a, b, same) => {
    const base: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(sameContent({ ...base, ...a }, { ...base, ...b })).toBe(same);
  });
});

describe('readTarget and writeTarget: the three kinds of object, read and written the same way', () => {
  const cc: KubeObject = {
    apiVersion: 'installer.kubesphere.io/v1alpha1',
    kind: 'ClusterConfiguration',
    metadata: { name: 'ks-installer', namespace: NS },
    spec: { authentication: { jwtSecret: 'FAKEx' } },
  };

  it('the ClusterConfiguration through its CRD; none when the CRD is not installed', async () => {
    const c = new FakeCluster();
    const stored = c.put('clusterconfigurations', cc);
    const ref = { target: 'clusterconfiguration' as const, namespace: NS, name: 'ks-installer' };
    expect(await readTarget(c, ref)).toEqual(stored);
    const written = await writeTarget(c, 'clusterconfiguration', { ...stored, spec: { x: 1 } }, false);
    expect(c.read('clusterconfigurations', NS, 'ks-installer')).toEqual(written);
    c.missingTypes.add('clusterconfigurations');
    expect(await readTarget(c, ref)).toBeUndefined();
  });

  it('ConfigMaps and Secrets by their resource; a dry run stores nothing', async () => {
    const c = new FakeCluster();
    const s = c.put('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: NS } });
    const m = c.put('configmaps', cm('a: 1\n'));
    expect(await readTarget(c, { target: 'secret', namespace: NS, name: 's' })).toEqual(s);
    expect(await readTarget(c, { target: 'configmap', namespace: NS, name: 'kubesphere-config' })).toEqual(m);
    await writeTarget(c, 'secret', { ...s, data: { k: 'dg==' } }, true);
    expect(c.read('secrets', NS, 's')).toEqual(s);
    await writeTarget(c, 'configmap', { ...m, data: { k: 'v' } }, false);
    expect(c.read('configmaps', NS, 'kubesphere-config')!.data).toEqual({ k: 'v' });
    expect(c.calls).toContain(`dry-run replace secrets/${NS}/s`);
  });
});
