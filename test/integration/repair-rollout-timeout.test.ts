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

describe('a rollout that does not finish in time', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    // New pods take 5 s to become ready; the repair allows 300 ms.
    sb = await startSandbox({
      ksVersion: '3.2',
      scenario: 'token-cache',
      podStartMs: 5000,
      trafficIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it('stops with the written changes reported done, the wait failed, and the pods named', async () => {
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const host = openCluster(kc, 'host', { requestTimeoutMs: 5000 });
    const member = openCluster(kc, 'member', { requestTimeoutMs: 5000 });
    const d = await runDiagnosis(host, [member], { sinceSeconds: 3600, since: '1h', describeFailure });
    const plan = planMemberRepair({
      host: { facts: deriveFacts(d.host), server: d.host.server },
      member: { snapshot: d.members[0]!, facts: deriveFacts(d.members[0]!), report: d.report.members[0]! },
      force: false,
    });
    const rows = plannedRecords(plan, { restart: true, timeoutMs: 300 });
    const backup = await Backup.create(await mkdtemp(path.join(os.tmpdir(), 'ksr-timeout-')), new Date());
    const res = await applyPlan(member, plan, rows, { backup, restart: true, timeoutMs: 300, pollMs: 50 });
    expect(res).toMatchObject({ ok: false, changed: true });
    expect(rows.filter((r) => r.id !== 'wait-rollout').every((r) => r.status === 'done')).toBe(true);
    const wait = rows.find((r) => r.id === 'wait-rollout')!;
    expect(wait.status).toBe('failed');
    expect(wait.error?.message).toMatch(/did not finish in time/);
    expect(wait.error?.message).toMatch(/Pods: ks-apiserver-[a-z0-9-]+ \w+, not ready/);
  });
});
