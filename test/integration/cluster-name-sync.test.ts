/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureJson } from '../helpers/capture.js';

/**
 * kubesphere v3.3.2/v3.4.1 pkg/controller/cluster/cluster_controller.go, setClusterNameInConfigMap: on each sync
 * of a Cluster, the host included, the host's controller decodes that cluster's kubesphere.yaml into
 * apiserverconfig.Config and, when multicluster.clusterName differs, writes it back through yaml.v2. So a file
 * ks-installer has just rendered is re-encoded shortly after, and the host's own oauthOptions (only `clients`)
 * come out with `accessTokenMaxAge: 0s`, which diagnose attributes to upstream rather than to the user.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10, hotReloadMs: 50 };

const fileOf = (sb: Sandbox, name: string): string =>
  (
    sb.clusters
      .find((c) => c.name === name)!
      .api.get('configmaps', 'kubesphere-system', 'kubesphere-config') as any
  ).data['kubesphere.yaml'];

async function eventually(fn: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function diagnose(sb: Sandbox, dir: string): Promise<{ code: number; doc: any }> {
  const env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: dir, HOME: dir };
  return captureJson(() => diagnoseCommand({ host: 'host', member: ['member'], output: 'json' }, env));
}

describe("the 3.3/3.4 host's cluster controller re-encodes kubesphere.yaml", () => {
  let sb: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(['3.3', '3.4'] as const)(
    "%s: the host's own file carries clusterName and 0s; diagnose names upstream's doing, the member is healthy",
    async (ksVersion) => {
      sb = await startSandbox({ ksVersion, scenario: 'healthy', ...FAST });
      dir = mkdtempSync(join(tmpdir(), 'ks-restore-cns-'));
      const host = fileOf(sb, 'host');
      expect(host).toMatch(/^ {2}clusterName: host$/m);
      expect(host).toMatch(/^ {4}accessTokenMaxAge: 0s$/m);
      const d = await diagnose(sb, dir);
      expect({ code: d.code, cause: d.doc.members[0].cause }).toEqual({ code: 0, cause: 'healthy' });
      const hostMaxAge = d.doc.host.checks.find((c: any) => c.id === 'access-token-max-age');
      expect([hostMaxAge.status, hostMaxAge.code]).toEqual(['warn', 'host-max-age-zero-upstream']);
    },
  );

  it('3.4: after ks-installer re-renders a file (no clusterName), the controller re-encodes it, host and member alike', async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'healthy',
      installerDelayMs: 600_000,
      clusterResyncMs: 50,
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-cns-'));
    const hostSecretLine = /^ {2}jwtSecret: .*$/m.exec(fileOf(sb, 'host'))![0];
    for (const name of ['member', 'host']) {
      await sb.rerunInstaller(name);
      await eventually(() => fileOf(sb!, name).includes(`clusterName: ${name}`), `${name} re-encoded`);
      const text = fileOf(sb, name);
      // yaml.v2 output: no blank lines, no comments, Go durations, the secret as it was.
      expect(text).not.toMatch(/\n\n|#/);
      expect(text).toContain(hostSecretLine);
    }
    expect(fileOf(sb, 'member')).toMatch(/^ {4}accessTokenMaxAge: 0s$/m);
    await new Promise((r) => setTimeout(r, 200));
    const d = await diagnose(sb, dir);
    expect({ code: d.code, cause: d.doc.members[0].cause }).toEqual({ code: 0, cause: 'healthy' });
  });

  it('3.2: no such controller; a re-rendered file stays as ks-installer wrote it', async () => {
    sb = await startSandbox({
      ksVersion: '3.2',
      scenario: 'healthy',
      installerDelayMs: 600_000,
      clusterResyncMs: 50,
      ...FAST,
    });
    const rendered = fileOf(sb, 'member');
    await sb.rerunInstaller('member');
    await new Promise((r) => setTimeout(r, 300));
    expect(fileOf(sb, 'member')).toBe(rendered);
    expect(fileOf(sb, 'host')).not.toContain('clusterName');
  });
});
