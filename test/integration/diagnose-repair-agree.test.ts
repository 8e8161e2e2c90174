/* eslint-disable @typescript-eslint/no-explicit-any -- kubeconfig and JSON documents, read field by field */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseCommand } from '../../src/commands/diagnose.js';
import { repairCommand } from '../../src/commands/repair.js';
import { UsageError } from '../../src/errors.js';
import type { KubeObject } from '../../src/sandbox/apiserver/types.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { captureJson, captureStdout } from '../helpers/capture.js';
import { addHostAlias, sandboxKubeconfig, saveKubeconfig } from '../helpers/kubeconfig-edit.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * Diagnose and repair plan with the same planner: what diagnose's remedies promise is what repair does, and
 * where repair refuses, diagnose says so in repair's words (issue 11: "remedies never contradict what repair
 * will do"). Both commands run in process against the sandbox over HTTPS.
 */
const FAST = { podStartMs: 30, podStopMs: 10, trafficIntervalMs: 0, apiserverBootMs: 10 };

let sb: Sandbox;
let dir: string;
let env: NodeJS.ProcessEnv;
const store = (cluster: string) => sb.clusters.find((c) => c.name === cluster)!.store;
const promisesRepair = (doc: any) =>
  doc.members.flatMap((m: any) => m.checks).filter((c: any) => /^ks-restore repair/.test(c.remedy ?? ''));

beforeAll(async () => {
  sb = await startSandbox({ ksVersion: '3.4', scenario: 'token-cache', ...FAST });
  dir = mkdtempSync(join(tmpdir(), 'ks-restore-agree-'));
  const kc = sandboxKubeconfig(sb);
  addHostAlias(kc);
  const file = saveKubeconfig(kc, dir);
  env = { KUBECONFIG: file, XDG_STATE_HOME: join(dir, 'state'), HOME: dir };
});
afterAll(async () => {
  await sb?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a member without kubesphere-config', () => {
  let saved: KubeObject | undefined;
  beforeAll(() => {
    saved = store('member').delete('configmaps', 'kubesphere-system', 'kubesphere-config');
    expect(saved).toBeDefined();
  });
  afterAll(() => {
    const metadata = { ...(saved!.metadata as any) };
    delete metadata.resourceVersion;
    delete metadata.uid;
    store('member').create({ ...saved!, metadata } as KubeObject);
  });

  it('diagnose promises no repair and gives the refusal repair prints, word for word; both exit 3', async () => {
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['member'], output: 'json' }, env),
    );
    assertSchema('diagnose', d.doc);
    expect(promisesRepair(d.doc)).toEqual([]);
    // The log check still fails (the pods run with the old file), but it no longer says "repair sets it".
    const logs = d.doc.members[0].checks.find((c: any) => c.id === 'apiserver-auth-errors');
    expect(logs.status).toBe('fail');
    expect(logs.remedy).toBeUndefined();
    // The restart check is skipped for the missing file, in words (no raw reason code).
    expect(d.doc.members[0].checks.find((c: any) => c.id === 'apiserver-restart-pending').summary).toBe(
      'skipped: kubesphere-config could not be used',
    );
    const shown = d.doc.members[0].repair;
    expect(shown.action).toBe('refused');
    expect(shown.refusal.code).toBe('not-readable');
    expect(shown.refusal.message).toContain('no readable kubesphere-config');

    const r = await captureJson(() =>
      repairCommand({ host: 'host', member: ['member'], output: 'json', yes: true }, env),
    );
    assertSchema('repair', r.doc);
    expect(r.doc.members[0].refusal).toEqual(shown.refusal);
    expect([d.code, r.code]).toEqual([3, 3]);
  });

  it('the text report shows a Repair line instead of a Fix command', async () => {
    const { stdout } = await captureStdout(() =>
      diagnoseCommand({ host: 'host', member: ['member'], color: false }, env),
    );
    expect(stdout).not.toContain('Fix:');
    expect(stdout).not.toContain('ks-restore repair sets');
    expect(stdout).toMatch(
      /^ {2}Repair: {2}member has no readable kubesphere-config \(kubesphere-system\), and that ConfigMap is what repair edits: no repair was planned\.$/m,
    );
    expect(stdout).toContain('→ Check that the context is the cluster you mean');
  });
});

describe('--host and --member swapped', () => {
  const swapped =
    '--host and --member look swapped: context "member" is not a host cluster (its role is "none") and "host" is one.';

  it('diagnose says so once per side, in the words repair uses, and promises no repair', async () => {
    const { stdout, code } = await captureStdout(() =>
      diagnoseCommand({ host: 'member', member: ['host'], color: false }, env),
    );
    expect(code).toBe(1);
    // The host's role line and the member's Repair line; no "Check --member" advice that contradicts them.
    expect(stdout.split(swapped).length - 1).toBe(2);
    expect(stdout).toContain('Swap them: --host host --member member.');
    expect(stdout).not.toContain('Check --member');
    expect(stdout).not.toContain('Fix:');
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'member', member: ['host'], output: 'json' }, env),
    );
    assertSchema('diagnose', d.doc);
    expect(d.doc.members[0].repair.refusal.code).toBe('host-not-host');
    expect(promisesRepair(d.doc)).toEqual([]);
  });

  it('repair refuses with the same sentence and the swap as its hint: exit 2, nothing changed', async () => {
    const before = JSON.stringify(store('host').get('configmaps', 'kubesphere-system', 'kubesphere-config'));
    const err = await repairCommand({ host: 'member', member: ['host'], yes: true }, env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toContain(swapped);
    expect((err as UsageError).message).toMatch(/Nothing was changed\.$/);
    expect((err as UsageError).hint).toBe('Swap them: --host host --member member.');
    expect(JSON.stringify(store('host').get('configmaps', 'kubesphere-system', 'kubesphere-config'))).toBe(
      before,
    );
  });

  it('a --host that is merely not a host (no member is one) keeps the plain refusal', async () => {
    const err = await repairCommand({ host: 'member', member: ['member-readonly'], yes: true }, env).then(
      () => undefined,
      (e: unknown) => e,
    );
    // member-readonly is the member itself: recognised by its API server before anything is read.
    expect((err as UsageError).message).toContain('reaches the same API server as the host context "member"');
  });
});

describe('--member that is the host under another name', () => {
  it.each([
    ['diagnose', diagnoseCommand],
    ['repair', repairCommand],
  ] as const)('%s: the same URL and CA as the host context is a usage error (2)', async (_, command) => {
    const server = (yaml.load(readFileSync(env.KUBECONFIG!, 'utf8')) as any).clusters.find(
      (c: any) => c.name === 'host',
    ).cluster.server;
    const err = await command({ host: 'host', member: ['host-readonly'], yes: true }, env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      `--member host-readonly reaches the same API server as the host context "host" (${server}): a member must be a different cluster from the host.`,
    );
  });

  it('another URL for the same server is still caught, by the role it reads (wrong-role-host)', async () => {
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['host-alias'], output: 'json' }, env),
    );
    expect(d.doc.members[0].repair.refusal.code).toBe('wrong-role-host');
    expect(promisesRepair(d.doc)).toEqual([]);
  });
});

describe('members repair would change or leave', () => {
  it("diagnose's repair.action: repair for a token-cache member", async () => {
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['member'], output: 'json' }, env),
    );
    expect(d.doc.members[0].repair).toEqual({ action: 'repair' });
    expect(promisesRepair(d.doc).length).toBeGreaterThan(0);
  });
});

describe('durations are echoed in Go form', () => {
  it('diagnose --since 1800 reports "in the last 1800s", not "in the last 1800"', async () => {
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['member'], output: 'json', since: '1800' }, env),
    );
    const logs = d.doc.members[0].checks.find((c: any) => c.id === 'apiserver-auth-errors');
    expect(logs.summary).toMatch(/ in the last 1800s /);
  });

  it('repair --dry-run --timeout 300 waits "up to 300s"', async () => {
    const { stdout } = await captureStdout(() =>
      repairCommand({ host: 'host', member: ['member'], dryRun: true, timeout: '300', color: false }, env),
    );
    expect(stdout).toMatch(/^ +up to 300s$/m);
  });
});

describe("a fleet's one fix command names exactly the members repair would change", () => {
  let fleet: Sandbox;
  let fleetEnv: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fleet = await startSandbox({
      ksVersion: '3.4',
      scenario: 'token-cache',
      members: [{ name: 'plain' }, { name: 'unsure' }],
      ...FAST,
    });
    // No ClusterConfiguration and no clusterRole in kubesphere.yaml: it may be a host, so repair refuses it
    // (role guard) although its cause, the token cache, is one repair fixes.
    const s = fleet.clusters.find((c) => c.name === 'unsure')!.store;
    s.delete('clusterconfigurations.installer.kubesphere.io', 'kubesphere-system', 'ks-installer');
    const cm = s.get('configmaps', 'kubesphere-system', 'kubesphere-config') as any;
    cm.data['kubesphere.yaml'] = String(cm.data['kubesphere.yaml']).replace(/^[ \t]*clusterRole:.*\n?/m, '');
    s.update(cm, { fieldManager: 'kubectl-edit' });
    fleetEnv = { ...env, KUBECONFIG: fleet.kubeconfigPath };
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('the role-guarded member is listed with what repair says, not put in the command', async () => {
    const { stdout } = await captureStdout(() =>
      diagnoseCommand({ host: 'host', member: ['plain', 'unsure'], color: false }, fleetEnv),
    );
    const commands = stdout.split('\n').filter((l) => /^\s+ks-restore repair /.test(l));
    expect(commands).toEqual(['  ks-restore repair --host host --member plain']);
    expect(stdout).toMatch(/^Not fixed by that repair:\n {2}unsure +unsure's role cannot be established/m);
    const d = await captureJson(() =>
      diagnoseCommand({ host: 'host', member: ['plain', 'unsure'], output: 'json' }, fleetEnv),
    );
    expect(d.doc.members.map((m: any) => [m.cause, m.repair.action, m.repair.refusal?.code])).toEqual([
      ['token-cache', 'repair', undefined],
      ['token-cache', 'refused', 'role-guard'],
    ]);
    const r = await captureJson(() =>
      repairCommand({ host: 'host', member: ['plain', 'unsure'], output: 'json', dryRun: true }, fleetEnv),
    );
    expect(r.doc.members.map((m: any) => m.refusal ?? null)).toEqual([null, d.doc.members[1].repair.refusal]);
  });
});
