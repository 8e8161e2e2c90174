import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from './cli.js';
import { expectNoneOf, sandboxSecrets } from './secrets.js';

const NS = 'kubesphere-system';
const CC = 'clusterconfigurations.installer.kubesphere.io';
/** A real kube-apiserver per cluster takes seconds to start on two loaded cores. */
const HOOK_TIMEOUT = { embedded: 30_000, real: 180_000 };

/** kubectl, asynchronously: the sandbox's servers (and the real tier's kubelet) run in this process. */
function kubectl(
  args: string[],
  kubeconfig: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0, stdout, stderr }),
    );
  });
}

/**
 * What ks-restore relies on from the API server, asserted identically on the embedded server and on the real
 * kube-apiserver (test/e2e/control-plane-contract.test.ts, test/e2e/real/control-plane-contract.test.ts): the
 * read-only user's 403s, a repair that kubectl's own rollout status accepts, and a rollback that puts every
 * byte back.
 */
export function controlPlaneContract(controlPlane: 'embedded' | 'real'): void {
  describe(`${controlPlane} control plane: what ks-restore relies on`, () => {
    let sb: Sandbox;
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    const member = () => sb.clusters.find((c) => c.name === 'member')!.api;
    /** The objects repair and rollback touch, as the member's API server holds them now. */
    const content = () => ({
      cm: member().get('configmaps', NS, 'kubesphere-config')?.data,
      secret: member().get('secrets', NS, 'kubesphere-secret')?.data,
      cc: member().get(CC, NS, 'ks-installer')?.spec,
    });

    beforeAll(async () => {
      sb = await startSandbox({
        controlPlane,
        ksVersion: '3.4',
        scenario: 'both',
        podStartMs: 40,
        podStopMs: 20,
        trafficIntervalMs: 100,
        installerDelayMs: 600_000,
        hotReloadMs: 300,
        apiserverBootMs: 20,
        crashBackoffMs: 60_000,
      });
      tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-contract-'));
      env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: path.join(tmp, 'state') };
    }, HOOK_TIMEOUT[controlPlane]);
    afterAll(async () => {
      await sb?.stop();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }, HOOK_TIMEOUT[controlPlane]);

    it('the read-only user: kubectl is refused the Secret by RBAC, diagnose reads the rest, repair changes nothing (exit 3)', async () => {
      const get = await kubectl(
        ['--context', 'member-readonly', '-n', NS, 'get', 'secret', 'kubesphere-secret'],
        sb.kubeconfigPath,
      );
      expect(get.code).toBe(1);
      expect(get.stderr).toBe(
        'Error from server (Forbidden): secrets "kubesphere-secret" is forbidden: User "readonly" cannot get resource "secrets" in API group "" in the namespace "kubesphere-system"\n',
      );
      const logs = await kubectl(
        ['--context', 'member-readonly', '-n', NS, 'logs', 'deploy/ks-apiserver', '--tail', '1'],
        sb.kubeconfigPath,
      );
      expect(logs).toMatchObject({ code: 0, stderr: '' });

      const diag = await runCli(
        ['diagnose', '--host', 'host', '--member', 'member-readonly', '-o', 'json'],
        env,
      );
      const doc = JSON.parse(diag.stdout);
      expect(doc.members[0].cause).toBe('secret-mismatch-and-token-cache');

      const before = member().get('configmaps', NS, 'kubesphere-config')?.metadata.resourceVersion;
      const res = await runCli(['repair', '--host', 'host', '--member', 'member-readonly', '--yes'], env);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(
        /User "readonly" cannot update resource "configmaps"|not allowed to update configmaps/,
      );
      expect(res.stderr).toContain('Nothing was changed');
      expect(member().get('configmaps', NS, 'kubesphere-config')?.metadata.resourceVersion).toBe(before);
    }, 120_000);

    it('repair: kubectl rollout status agrees the restart completed; rollback restores every byte, and kubectl agrees again', async () => {
      const secrets = sandboxSecrets(sb);
      const original = content();
      const repair = await runCli(
        ['repair', '--host', 'host', '--member', 'member', '--yes', '-o', 'json', '--timeout', '60s'],
        env,
      );
      expectNoneOf(repair.stdout + repair.stderr, [...secrets.jwtSecrets, ...secrets.tokens]);
      expect(repair.code, repair.stderr).toBe(0);
      const doc = JSON.parse(repair.stdout);
      expect(doc.status).toBe('repaired');
      const status = await kubectl(
        ['--context', 'member', '-n', NS, 'rollout', 'status', 'deploy/ks-apiserver', '--timeout', '30s'],
        sb.kubeconfigPath,
      );
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('deployment "ks-apiserver" successfully rolled out');
      expect(content()).not.toEqual(original);

      const back = await runCli(['rollback', '--backup', doc.backup, '--yes', '--timeout', '60s'], env);
      expect(back.code, back.stderr).toBe(0);
      expectNoneOf(back.stdout + back.stderr, [...secrets.jwtSecrets, ...secrets.tokens]);
      expect(content()).toEqual(original);
      const again = await kubectl(
        ['--context', 'member', '-n', NS, 'rollout', 'status', 'deploy/ks-apiserver', '--timeout', '30s'],
        sb.kubeconfigPath,
      );
      expect(again.code).toBe(0);
      const diag = await runCli(['diagnose', '--host', 'host', '--member', 'member', '-o', 'json'], env);
      expect(JSON.parse(diag.stdout).members[0].cause).toBe('secret-mismatch-and-token-cache');
    }, 180_000);

    it('a crash-looping ks-apiserver: kubectl logs shows the exited run, and diagnose counts its crash line once', async () => {
      const cm = member().get('configmaps', NS, 'kubesphere-config')!;
      const text = (cm.data as Record<string, string>)['kubesphere.yaml']!;
      await member().update({
        ...cm,
        data: {
          ...(cm.data as Record<string, string>),
          'kubesphere.yaml': text.replace(/jwtSecret: \S+/, 'jwtSecret: ""'),
        },
      });
      const waiting = () =>
        member()
          .list('pods', NS)
          .find(
            (p) =>
              p.metadata.labels?.app === 'ks-apiserver' &&
              !p.metadata.deletionTimestamp &&
              (p.status as { containerStatuses?: { state?: { waiting?: { reason?: string } } }[] })
                ?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
          );
      for (let i = 0; i < 100 && !waiting(); i++) await new Promise((r) => setTimeout(r, 100));
      const pod = waiting()!;
      expect(pod).toBeDefined();
      // The kubelet serves a waiting container's last terminated run to a plain `kubectl logs`.
      const logs = await kubectl(
        ['--context', 'member', '-n', NS, 'logs', pod.metadata.name],
        sb.kubeconfigPath,
      );
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(/run\.go:74\] "command failed" err="JWT secret MUST not be empty"\n$/);

      const diag = await runCli(['diagnose', '--host', 'host', '--member', 'member', '-o', 'json'], env);
      const check = JSON.parse(diag.stdout).members[0].checks.find(
        (c: { id: string }) => c.id === 'apiserver-auth-errors',
      );
      // That run is read once, not again as `previous`: one crash, counted once.
      expect(check).toMatchObject({
        code: 'log-empty-secret',
        evidence: { containersScanned: 1, counts: { 'empty-jwt-secret': 1 } },
      });
    }, 60_000);
  });
}
