import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../src/kubesphere/diagnosis.js';
import { deriveFacts } from '../../src/kubesphere/facts.js';
import { planMemberRepair } from '../../src/kubesphere/plan.js';
import { applyPlan, plannedRecords } from '../../src/repair/apply.js';
import { Backup } from '../../src/repair/backup.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

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
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const host = openCluster(kc, 'host', { requestTimeoutMs: 5000 });
    const member = openCluster(kc, 'member', { requestTimeoutMs: 5000 });
    const d = await runDiagnosis(host, [member], { sinceSeconds: 3600, since: '1h', describeFailure });
    const plan = planMemberRepair({
      host: { facts: deriveFacts(d.host), server: d.host.server },
      member: { snapshot: d.members[0]!, facts: deriveFacts(d.members[0]!), report: d.report.members[0]! },
      force: false,
    });
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
