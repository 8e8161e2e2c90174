/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureJson } from '../helpers/capture.js';

/**
 * kubesphere v4.1.3 pkg/apiserver/filters/multicluster.go logs every 401 a member gives the host as
 * `Request unauthorized, host: <member address>, reason: …`: diagnose counts those lines on the member they name.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 50, apiserverBootMs: 10 };

describe('4.1: the host log lines naming a member are evidence on it', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '4.1',
      scenario: 'healthy',
      members: [{ name: 'cached', scenario: 'token-cache' }, { name: 'fine' }],
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-hostlog-'));
  });
  afterAll(async () => {
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the rejecting member carries the count and its address; the healthy one none', async () => {
    const env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: dir, HOME: dir };
    const { doc } = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['cached', 'fine'], output: 'json' }, env),
    );
    const [cached, fine] = doc.members;
    const logs = (m: any) => m.checks.find((c: any) => c.id === 'apiserver-auth-errors');
    const address = new URL(sb.clusters.find((c) => c.name === 'cached')!.url).host;
    expect(logs(cached).code).toBe('log-cache-miss');
    expect(logs(cached).evidence.hostRejections.address).toBe(address);
    expect(logs(cached).evidence.hostRejections.requests).toBeGreaterThan(0);
    expect([logs(fine).code, logs(fine).evidence.hostRejections]).toEqual(['log-clean', undefined]);
  });
});
