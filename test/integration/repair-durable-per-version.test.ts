/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { repairCommand } from '../../src/commands/repair.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureJson } from '../helpers/capture.js';

/**
 * ks-installer roles/ks-core/config/templates/kubesphere-config.yaml.j2: 3.1 copies the ClusterConfiguration's
 * `authentication.oauthOptions` when it has any and then renders no `accessTokenMaxAge: 0` for a member; 3.3
 * renders them and then the member's 0, and the last key wins. A repair makes exactly the CC edits the version
 * needs, and the fix survives the installer's next run.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10, hotReloadMs: 50 };
const CC = 'clusterconfigurations.installer.kubesphere.io';

const json = captureJson;

/** Gives the member's ClusterConfiguration an oauthOptions block, then lets ks-installer run. */
async function setCcOAuthOptions(sb: Sandbox, oauthOptions: Record<string, string>): Promise<void> {
  const member = sb.clusters.find((c) => c.name === 'member')!;
  const cc = structuredClone(member.api.get(CC, 'kubesphere-system', 'ks-installer')!) as any;
  cc.spec.authentication.oauthOptions = oauthOptions;
  await member.api.update(cc);
  await sb.rerunInstaller('member');
}

describe('the ClusterConfiguration edits of a durable fix, per version', () => {
  let sb: Sandbox | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const env = (s: Sandbox, d: string) => ({ KUBECONFIG: s.kubeconfigPath, XDG_STATE_HOME: d, HOME: d });
  const common = { host: 'host', member: ['member'], output: 'json' };

  it('3.1: CC oauthOptions without accessTokenMaxAge → token-cache; repair zeroes it in the CC too, and it lasts', async () => {
    sb = await startSandbox({ ksVersion: '3.1', scenario: 'healthy', installerDelayMs: 600_000, ...FAST });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-durable-'));
    await setCcOAuthOptions(sb, { accessTokenInactivityTimeout: '30m' });
    const before = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect(before.doc.members[0].cause).toBe('token-cache');

    const repair = await json(() =>
      repairCommand({ ...common, yes: true, timeout: '60s', backupDir: dir }, env(sb!, dir!)),
    );
    expect({ code: repair.code, status: repair.doc.status }).toEqual({ code: 0, status: 'repaired' });
    const ccChanges = repair.doc.members[0].actions.flatMap((a: any) =>
      (a.changes ?? []).filter((c: any) => c.path.startsWith('spec.')),
    );
    expect(ccChanges.map((c: any) => [c.path, c.to, c.why])).toEqual([
      ['spec.authentication.oauthOptions.accessTokenMaxAge', '0s', 'installer-3.1-renders-cc-oauth'],
    ]);

    await sb.rerunInstaller('member');
    const after = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect({ code: after.code, cause: after.doc.members[0].cause }).toEqual({ code: 0, cause: 'healthy' });
  });

  it("3.3: CC oauthOptions.accessTokenMaxAge 2h is rendered before the member's 0, which wins: healthy, no CC edit", async () => {
    sb = await startSandbox({ ksVersion: '3.3', scenario: 'healthy', installerDelayMs: 600_000, ...FAST });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-durable-'));
    await setCcOAuthOptions(sb, { accessTokenMaxAge: '2h' });
    const text = (
      sb.clusters
        .find((c) => c.name === 'member')!
        .api.get('configmaps', 'kubesphere-system', 'kubesphere-config') as any
    ).data['kubesphere.yaml'];
    expect(text.match(/accessTokenMaxAge: .*/g)).toEqual(['accessTokenMaxAge: 2h', 'accessTokenMaxAge: 0']);
    const d = await json(() => diagnoseCommand(common, env(sb!, dir!)));
    expect({ code: d.code, cause: d.doc.members[0].cause }).toEqual({ code: 0, cause: 'healthy' });
    const durable = d.doc.members[0].checks.find((c: any) => c.id === 'jwt-secret-durable');
    expect([durable.status, durable.code]).toEqual(['pass', 'durable-ok']);
  });
});
