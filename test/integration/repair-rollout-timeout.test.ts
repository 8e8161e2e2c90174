import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan, plannedRecords } from '../../src/repair/apply.js';
import { Backup } from '../../src/repair/backup.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { planSandboxMember } from '../helpers/plan.js';

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
    const { member, plan } = await planSandboxMember(sb);
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
