import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/kube/failure.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { applyPlan, plannedRecords } from '../../src/repair/apply.js';
import { Backup } from '../../src/repair/backup.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { planSandboxMember } from '../helpers/plan.js';

describe('repair keeps a concurrent edit (optimistic concurrency over real HTTPS)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '4.1',
      scenario: 'both',
      podStartMs: 30,
      podStopMs: 10,
      trafficIntervalMs: 0,
      apiserverBootMs: 10,
    });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('a change made between read and write is re-read, the edits replayed on it, and both survive', async () => {
    const { host, member, plan } = await planSandboxMember(sb);
    expect(plan.writes.map((w) => w.target)).toEqual(['configmap']);

    // Someone else edits kubesphere.yaml after we read it: a comment line and an unrelated value.
    const store = sb.clusters.find((c) => c.name === 'member')!.store;
    const cm = store.get('configmaps', 'kubesphere-system', 'kubesphere-config') as {
      data: Record<string, string>;
    } & Parameters<typeof store.update>[0];
    cm.data['kubesphere.yaml'] = `# edited by the on-call engineer\n${cm.data['kubesphere.yaml']}`;
    cm.metadata.annotations = { ...cm.metadata.annotations, 'example.com/ticket': 'OPS-1234' };
    store.update(cm, { fieldManager: 'kubectl-edit' });

    const backup = await Backup.create(await mkdtemp(path.join(os.tmpdir(), 'ksr-conc-')), new Date());
    const rows = plannedRecords(plan, { restart: true, timeoutMs: 20_000 });
    const res = await applyPlan(member, plan, rows, { backup, restart: true, timeoutMs: 20_000, pollMs: 50 });
    expect(res.ok).toBe(true);
    expect(rows.find((r) => r.target.startsWith('configmap'))?.info?.retriedAfterConflict).toBe(1);

    const final = store.get('configmaps', 'kubesphere-system', 'kubesphere-config') as {
      data: Record<string, string>;
    } & typeof cm;
    expect(final.data['kubesphere.yaml']).toMatch(/^# edited by the on-call engineer\n/);
    expect(final.metadata.annotations?.['example.com/ticket']).toBe('OPS-1234');
    expect(final.data['kubesphere.yaml']).toMatch(/accessTokenMaxAge: 0s/);
    const after = await runDiagnosis(host, [member], { sinceSeconds: 5, since: '5s', describeFailure });
    expect(after.report.members[0]!.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});
