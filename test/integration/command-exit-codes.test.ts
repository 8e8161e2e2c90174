/* eslint-disable @typescript-eslint/no-explicit-any -- kubeconfig and JSON documents, read field by field */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { repairCommand } from '../../src/commands/repair.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureStdout } from '../helpers/capture.js';
import { addHostAlias, sandboxKubeconfig, saveKubeconfig } from '../helpers/kubeconfig-edit.js';

/**
 * The commands' exit codes, in process (so that mutation testing sees them) against the sandbox over HTTPS:
 * the README's table is the contract with scripts.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10 };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * The sandbox's kubeconfig plus a `host-down` context (the host's credentials, but nothing listens there) and
 * `host-alias` (the host reached as localhost).
 */
async function withHostDown(sb: Sandbox, dir: string): Promise<string> {
  const kc = sandboxKubeconfig(sb);
  const host = kc.clusters.find((c: any) => c.name === 'host');
  kc.clusters.push({
    name: 'host-down',
    cluster: { ...host.cluster, server: `https://127.0.0.1:${await closedPort()}` },
  });
  kc.users.push({ ...kc.users.find((u: any) => u.name === 'host'), name: 'host-down' });
  kc.contexts.push({ name: 'host-down', context: { cluster: 'host-down', user: 'host-down' } });
  addHostAlias(kc);
  return saveKubeconfig(kc, dir);
}

const configOf = (sb: Sandbox, cluster: string) =>
  sb.clusters
    .find((c) => c.name === cluster)!
    .store.get('configmaps', 'kubesphere-system', 'kubesphere-config');

describe.each(['token-cache', 'healthy'])('diagnose: an unreadable host exits 3 (member %s)', (scenario) => {
  let sb: Sandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sb = await startSandbox({ ksVersion: '3.4', scenario, ...FAST });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-exit-'));
    env = { KUBECONFIG: await withHostDown(sb, dir), XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
  });
  afterAll(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the member alone exits as documented', async () => {
    const r = await captureStdout(() =>
      diagnoseCommand({ host: 'host', member: ['member'], output: 'json' }, env),
    );
    expect(r.code).toBe(scenario === 'healthy' ? 0 : 1);
    expect(JSON.parse(r.stdout).members[0].status).toBe(scenario === 'healthy' ? 'healthy' : 'unhealthy');
  });

  it('with the host unreachable: 3 and status error, whatever the member says', async () => {
    const r = await captureStdout(() =>
      diagnoseCommand({ host: 'host-down', member: ['member'], output: 'json', requestTimeout: '3s' }, env),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.host.checks.find((c: any) => c.id === 'reachable').status).toBe('error');
    // A member's own fault still shows; a healthy-looking one cannot be vouched for without the host.
    expect(doc.members.map((m: any) => [m.status, m.cause])).toEqual([
      scenario === 'healthy' ? ['error', 'unreadable'] : ['unhealthy', 'token-cache'],
    ]);
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode }).toEqual({
      code: 3,
      status: 'error',
      exitCode: 3,
    });
  });

  it('fleet mode with the host unreachable (no member can be discovered): 3', async () => {
    const r = captureStdout(() =>
      diagnoseCommand({ host: 'host-down', output: 'json', requestTimeout: '3s' }, env),
    );
    await expect(r).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('repair: refusals exit as documented', () => {
  let sb: Sandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sb = await startSandbox({ ksVersion: '3.4', scenario: 'token-cache', ...FAST });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-exit-'));
    env = { KUBECONFIG: await withHostDown(sb, dir), XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
  });
  afterAll(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the host given as --member under another URL (wrong-role-host): 2, nothing changed', async () => {
    const before = JSON.stringify(configOf(sb, 'host'));
    const r = await captureStdout(() =>
      repairCommand({ host: 'host', member: ['host-alias'], output: 'json', yes: true }, env),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members.map((m: any) => [m.context, m.refusal?.code, m.actions])).toEqual([
      ['host-alias', 'wrong-role-host', []],
    ]);
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode, backup: doc.backup }).toEqual({
      code: 2,
      status: 'failed',
      exitCode: 2,
      backup: null,
    });
    expect(JSON.stringify(configOf(sb, 'host'))).toBe(before);
  });

  it('wrong-role-host beside a member that cannot be read: the worse code, 3, wins', async () => {
    const r = await captureStdout(() =>
      repairCommand(
        {
          host: 'host',
          member: ['host-alias', 'host-down'],
          output: 'json',
          yes: true,
          requestTimeout: '3s',
        },
        env,
      ),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members.map((m: any) => m.refusal?.code)).toEqual(['wrong-role-host', 'not-readable']);
    expect({ code: r.code, exitCode: doc.exitCode }).toEqual({ code: 3, exitCode: 3 });
  });

  it('with the host unreachable: 3, nothing changed', async () => {
    const before = JSON.stringify(configOf(sb, 'member'));
    await expect(
      repairCommand(
        { host: 'host-down', member: ['member'], output: 'json', yes: true, requestTimeout: '3s' },
        env,
      ),
    ).rejects.toMatchObject({ exitCode: 3 });
    expect(JSON.stringify(configOf(sb, 'member'))).toBe(before);
  });
});

describe('exit codes with several members: the worst one decides', () => {
  let sb: Sandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const diagnose = async (members: string[]) => {
    const r = await captureStdout(() =>
      diagnoseCommand({ host: 'host', member: members, output: 'json', requestTimeout: '3s' }, env),
    );
    const doc = JSON.parse(r.stdout);
    return { code: r.code, exitCode: doc.exitCode, status: doc.status };
  };
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'healthy',
      members: [{ name: 'fine' }, { name: 'cached', scenario: 'token-cache' }],
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-exit-'));
    env = { KUBECONFIG: await withHostDown(sb, dir), XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
  });
  afterAll(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [['fine'], 0, 'healthy'],
    [['fine', 'cached'], 1, 'unhealthy'],
    [['cached', 'fine'], 1, 'unhealthy'],
    [['fine', 'host-down'], 3, 'error'],
    [['cached', 'host-down'], 3, 'error'],
  ])('diagnose --member %j: %i (%s)', async (members, code, status) => {
    expect(await diagnose(members)).toEqual({ code, exitCode: code, status });
  });

  it('repair --dry-run with nothing refused: 1, planned, nothing changed', async () => {
    const before = JSON.stringify(configOf(sb, 'cached'));
    const r = await captureStdout(() =>
      repairCommand({ host: 'host', member: ['fine', 'cached'], output: 'json', dryRun: true }, env),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members.map((m: any) => [m.context, m.refusal?.code ?? null])).toEqual([
      ['fine', null],
      ['cached', null],
    ]);
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode }).toEqual({
      code: 1,
      status: 'planned',
      exitCode: 1,
    });
    expect(JSON.stringify(configOf(sb, 'cached'))).toBe(before);
  });

  it('a member whose role cannot be established (role-guard): 2, and its accessTokenMaxAge is left alone', async () => {
    // No ClusterConfiguration to read and no clusterRole in kubesphere.yaml: it may be a host.
    const store = sb.clusters.find((c) => c.name === 'cached')!.store;
    store.delete('clusterconfigurations.installer.kubesphere.io', 'kubesphere-system', 'ks-installer');
    const cm = configOf(sb, 'cached') as any;
    const yamlText: string = cm.data['kubesphere.yaml'];
    cm.data['kubesphere.yaml'] = yamlText.replace(/^[ \t]*clusterRole:.*\n?/m, '');
    expect(cm.data['kubesphere.yaml']).not.toContain('clusterRole');
    store.update(cm, { fieldManager: 'kubectl-edit' });
    const before = JSON.stringify(configOf(sb, 'cached'));

    const r = await captureStdout(() =>
      repairCommand({ host: 'host', member: ['cached'], output: 'json', yes: true }, env),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members.map((m: any) => [m.context, m.refusal?.code, m.actions])).toEqual([
      ['cached', 'role-guard', []],
    ]);
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode }).toEqual({
      code: 2,
      status: 'failed',
      exitCode: 2,
    });
    expect(JSON.stringify(configOf(sb, 'cached'))).toBe(before);
  });
});

// kubesphere#4060: several host ks-apiserver replicas without Redis lose the host's own tokens. No member
// repair fixes that, so repair says so and exits 1 rather than 0.
describe('a host-side cause (host replicas without Redis) outlives any member repair', () => {
  let sb: Sandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'host-replicas-no-redis',
      members: [
        { name: 'fine', scenario: 'healthy' },
        { name: 'cached', scenario: 'token-cache' },
      ],
      ...FAST,
    });
    dir = mkdtempSync(join(tmpdir(), 'ks-restore-exit-'));
    env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
  });
  afterAll(async () => {
    await sb?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('repair of a member whose settings are right: refused not-repairable, nothing changed, 1', async () => {
    const before = JSON.stringify(configOf(sb, 'fine'));
    const r = await captureStdout(() =>
      repairCommand({ host: 'host', member: ['fine'], output: 'json', yes: true }, env),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members.map((m: any) => [m.causeBefore, m.refusal?.code])).toEqual([
      ['host-cache', 'not-repairable'],
    ]);
    expect({ code: r.code, status: doc.status, backup: doc.backup }).toEqual({
      code: 1,
      status: 'failed',
      backup: null,
    });
    expect(JSON.stringify(configOf(sb, 'fine'))).toBe(before);
  });

  it("repair of a token-cache member: repaired and verified, yet 1, since the host's problem remains", async () => {
    const r = await captureStdout(() =>
      repairCommand(
        { host: 'host', member: ['cached'], output: 'json', yes: true, timeout: '60s', backupDir: dir },
        env,
      ),
    );
    const doc = JSON.parse(r.stdout);
    expect(doc.members[0].verification).toMatchObject({ status: 'healthy', cause: 'host-cache' });
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode }).toEqual({
      code: 1,
      status: 'repaired',
      exitCode: 1,
    });
  });
});
