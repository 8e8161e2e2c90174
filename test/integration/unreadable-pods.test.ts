/**
 * A pod list that the API server refuses (403) or fails (500) over real HTTPS: diagnose reports it as an error
 * that names the failure and the RBAC check to run, and a verification whose reads fail says it could not
 * verify — never "no running pods" or "has not reloaded". The member is the sandbox's, reached through a second
 * API server on the same store whose intercept seam answers pod lists with the fault.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import type { ClusterClient } from '../../src/kube/types.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import { createColors } from '../../src/output/color.js';
import { renderOutcomeText } from '../../src/output/repair-render.js';
import { applyPlan, plannedRecords } from '../../src/repair/apply.js';
import { Backup } from '../../src/repair/backup.js';
import { verifyMember } from '../../src/repair/verify.js';
import { startApiServer, type RunningApiServer } from '../../src/sandbox/apiserver/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { buildKubeconfig } from '../../src/sandbox/kubesphere/kubeconfig.js';

const PODS = '/api/v1/namespaces/kubesphere-system/pods';
const REASON: Record<number, string> = { 403: 'Forbidden', 500: 'InternalError' };

describe('pods that cannot be listed (real HTTPS)', () => {
  let sb: Sandbox;
  let door: RunningApiServer;
  let host: ClusterClient;
  let member: ClusterClient;
  /** The status pod lists get through the door; undefined lets them through. */
  let fault: number | undefined;

  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.2',
      scenario: 'token-cache',
      podStartMs: 30,
      podStopMs: 10,
      trafficIntervalMs: 0,
      apiserverBootMs: 10,
      installerDelayMs: 600_000,
    });
    const sim = sb.clusters.find((c) => c.name === 'member')!;
    door = await startApiServer({
      name: 'member',
      store: sim.store,
      logs: sim.logs,
      adminToken: 'door-admin-token',
      readonlyToken: 'door-readonly-token',
      intercept: async (req) => {
        const url = new URL(req.url ?? '/', 'https://door');
        if (fault === undefined || req.method !== 'GET' || url.pathname !== PODS) return 'continue';
        const message =
          fault === 403
            ? 'pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "kubesphere-system"'
            : 'etcdserver: request timed out';
        const body = {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message,
          reason: REASON[fault],
          code: fault,
        };
        return { status: fault, body };
      },
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ksr-door-'));
    const doorConfig = path.join(dir, 'kubeconfig');
    await writeFile(
      doorConfig,
      buildKubeconfig(
        [{ name: 'member', server: door.url, caCertPem: door.caCertPem, token: 'door-admin-token' }],
        'member',
      ),
      { mode: 0o600 },
    );
    host = openCluster(await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath }), 'host', {
      requestTimeoutMs: 5000,
    });
    member = openCluster(await loadKubeconfig({ kubeconfigPath: doorConfig }), 'member', {
      requestTimeoutMs: 5000,
    });
  });
  afterAll(async () => {
    await door?.close();
    await sb?.stop();
  });

  const diagnose = async () => {
    const d = await runDiagnosis(host, [member], { sinceSeconds: 3600, since: '1h', describeFailure });
    const m = d.report.members[0]!;
    return { d, m, check: (id: string) => m.checks.find((c) => c.id === id) };
  };

  it('403: an error naming the RBAC check to run, beside what could be read; not "no running pods"', async () => {
    fault = 403;
    try {
      const { m, check } = await diagnose();
      expect(check('apiserver-restart-pending')).toMatchObject({ status: 'error', code: 'pods-unreadable' });
      expect(String(check('apiserver-restart-pending')?.args.hint)).toContain(
        'auth can-i list pods -n kubesphere-system',
      );
      expect(check('apiserver-auth-errors')).toMatchObject({ status: 'error', code: 'logs-unreadable' });
      // The configuration was read: its finding stands beside the error.
      expect(m).toMatchObject({ status: 'unhealthy', cause: 'token-cache' });
    } finally {
      fault = undefined;
    }
  });

  it('500 during verification after a repair: "could not verify", not "has not reloaded it"', async () => {
    const { d, m } = await diagnose();
    expect(m.cause).toBe('token-cache');
    const plan = planMemberRepair({
      host: { facts: deriveFacts(d.host), server: d.host.server },
      member: { snapshot: d.members[0]!, facts: deriveFacts(d.members[0]!), report: m },
      force: false,
    });
    const rows = plannedRecords(plan, { restart: true, timeoutMs: 10_000 });
    const backup = await Backup.create(await mkdtemp(path.join(os.tmpdir(), 'ksr-unread-')), new Date());
    const since = new Date();
    const res = await applyPlan(member, plan, rows, { backup, restart: true, timeoutMs: 10_000, pollMs: 50 });
    expect(res.ok).toBe(true);

    fault = 500;
    try {
      const v = await verifyMember(host, member, {
        since,
        timeoutMs: 5000,
        restart: plan.restart,
        describeFailure,
        retryDelayMs: 50,
      });
      expect(v).toMatchObject({
        status: 'error',
        cause: 'unreadable',
        reason: { id: 'apiserver-restart-pending', code: 'pods-unreadable' },
      });
      const text = renderOutcomeText(
        { plan, before: m, actions: rows, verification: v, mask: (s: string) => s },
        createColors({ color: false, stream: {}, env: {} }),
      );
      expect(text).toMatch(/could not verify: cannot list the pods of ks-apiserver/);
      expect(text).not.toMatch(/has not reloaded/);
    } finally {
      fault = undefined;
    }
    // With the list answering again, the same repair verifies.
    const again = await verifyMember(host, member, {
      since,
      timeoutMs: 5000,
      restart: plan.restart,
      describeFailure,
    });
    expect(again.status).toBe('healthy');
  });

  // Runs after the repair above: the member's configuration is right now.
  it('403 on a member whose configuration is right: the verdict is unreadable (exit 3), not healthy or broken', async () => {
    fault = 403;
    try {
      const { m, check } = await diagnose();
      expect(m.checks.filter((c) => c.status === 'fail')).toEqual([]);
      expect(check('apiserver-restart-pending')).toMatchObject({ status: 'error', code: 'pods-unreadable' });
      expect(m).toMatchObject({ status: 'error', cause: 'unreadable' });
    } finally {
      fault = undefined;
    }
  });
});
