/* eslint-disable @typescript-eslint/no-explicit-any -- JSON documents, read field by field */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mixedFleet, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from './cli.js';
import { assertSchema } from './schema.js';
import { sandboxSecrets } from './secrets.js';

/**
 * Fleet mode through the built binary (test/e2e/fleet.test.ts, test/e2e/real/fleet.test.ts): 20 members of mixed versions and faults, one joined through a proxy and
 * one unreachable, discovered from the host's Cluster objects, diagnosed, repaired and diagnosed again.
 */
export const FAST = {
  podStartMs: 40,
  podStopMs: 20,
  trafficIntervalMs: 100,
  installerDelayMs: 600_000,
  apiserverBootMs: 20,
};
export const CAUSE: Record<string, string> = {
  healthy: 'healthy',
  'token-cache': 'token-cache',
  'secret-mismatch': 'secret-mismatch',
  both: 'secret-mismatch-and-token-cache',
};
export const CLUSTERS = 'clusters.cluster.kubesphere.io';
/** 21 real kube-apiservers take a while to start on two cores. */
const HOOK_TIMEOUT = { embedded: 30_000, real: 300_000 };

/**
 * Every jwtSecret the sandbox holds, of any length (sandboxSecrets throws on one too short to sweep for): those
 * of kubesphere-config, the ClusterConfiguration and kubesphere-secret.
 */
export function jwtSecrets(sb: Sandbox): string[] {
  return sandboxSecrets(sb).jwtSecrets;
}

/** What the host stores to reach each member: tokens, client keys and certificates, the blob itself. */
export function storedCredentials(sb: Sandbox): string[] {
  const out: string[] = [];
  for (const obj of sb.clusters[0]!.api.list(CLUSTERS) as any[]) {
    const blob: string = obj.spec.connection.kubeconfig;
    out.push(blob);
    const kc = yaml.load(Buffer.from(blob, 'base64').toString()) as any;
    for (const u of kc.users ?? []) {
      for (const v of [u.user.token, u.user['client-key-data'], u.user['client-certificate-data']])
        if (v) out.push(v);
    }
  }
  return out;
}

export function expectNone(text: string, values: string[]): void {
  for (const v of values) {
    expect(text).not.toContain(v);
    expect(text).not.toContain(Buffer.from(v).toString('base64'));
  }
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/**
 * Defines the 20-member fleet on one control plane: the embedded API server (this file) or the real
 * kube-apiserver (test/e2e/real/fleet.test.ts); the same assertions on both.
 */
export function twentyMemberFleet(controlPlane: 'embedded' | 'real'): void {
  describe(`${controlPlane} control plane: fleet mode: 20 members of mixed versions and faults`, () => {
    let sb: Sandbox;
    let work: string;
    let env: NodeJS.ProcessEnv;
    let secrets: string[];
    let credentials: string[];
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const r = await runCli(args, env);
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    beforeAll(async () => {
      sb = await startSandbox({
        controlPlane,
        ksVersion: '3.4',
        scenario: 'healthy',
        members: mixedFleet(20, '3.4'),
        ...FAST,
      });
      work = mkdtempSync(join(tmpdir(), 'ks-restore-fleet-'));
      env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: join(work, 'state'), HOME: work };
      secrets = jwtSecrets(sb);
      credentials = storedCredentials(sb);
    }, HOOK_TIMEOUT[controlPlane]);
    afterAll(async () => {
      await sb?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    }, HOOK_TIMEOUT[controlPlane]);

    it('diagnose finds every member, names each cause, says how to reach the proxy one, exits 3', async () => {
      const r = await run(['diagnose', '--host', 'host', '-o', 'json']);
      const doc = JSON.parse(r.stdout);
      assertSchema('diagnose', doc);
      expect(r.code).toBe(3);
      expect(doc.exitCode).toBe(3);
      expect(doc.members).toHaveLength(20);
      for (const sim of sb.clusters.filter((c) => c.role === 'member')) {
        const m = doc.members.find((x: any) => x.discovery.cluster === sim.name);
        expect(m?.discovery.cluster, sim.name).toBe(sim.name);
        if (sim.connection === 'proxy') {
          expect(m.cause).toBe('no-route');
          expect(m.status).toBe('error');
          expect(m.discovery.connection).toBe('proxy');
          const reach = m.checks.find((c: any) => c.id === 'reachable');
          expect(reach).toMatchObject({ status: 'error', code: 'no-route-proxy' });
          expect(reach.remedy).toEqual(expect.any(String));
        } else if (sim.unreachable) {
          expect(m.status).toBe('error');
          expect(m.discovery.method).toBe('server-url');
        } else {
          expect([sim.name, m.cause]).toEqual([sim.name, CAUSE[sim.scenario]]);
          expect(m.discovery).toMatchObject({ method: 'server-url', connection: 'direct' });
        }
      }
    }, 120_000);

    it('repair fixes exactly the broken reachable members and reports the others without blocking', async () => {
      // 18 rollouts at once; on the real control plane, next to other suites, a loaded machine needs the time.
      const r = await run(['repair', '--host', 'host', '--yes', '-o', 'json', '--timeout', '180s']);
      const doc = JSON.parse(r.stdout);
      assertSchema('repair', doc);
      expect(r.code).toBe(doc.exitCode);
      // Some members were repaired and verified, two could not be read: the README's codes for this are 3
      // (a cluster could not be read) and 4 (a change was made and a later step failed).
      expect([3, 4]).toContain(r.code);
      expect(doc.members).toHaveLength(20);
      const byName = new Map(sb.clusters.map((c) => [c.name, c]));
      let repaired = 0;
      for (const m of doc.members) {
        const sim = byName.get(m.context)!;
        expect(sim?.name).toBe(m.context);
        if (sim.connection === 'proxy' || sim.unreachable) {
          expect(m.refusal?.code).toBe('not-readable');
          expect(m.actions).toEqual([]);
        } else if (sim.scenario === 'healthy') {
          expect(m.actions).toEqual([]);
          expect(m.refusal).toBeUndefined();
        } else {
          expect(m.actions.length).toBeGreaterThan(0);
          // The member's own actions in the message: a stuck rollout names its state and pods there.
          expect(
            m.actions.map((a: any) => [a.id, a.status]),
            JSON.stringify(m.actions),
          ).toEqual(m.actions.map((a: any) => [a.id, 'done']));
          expect(m.verification).toMatchObject({ status: 'healthy' });
          repaired++;
        }
      }
      expect(repaired).toBe(sb.clusters.filter((c) => c.scenario !== 'healthy').length - 2);
    }, 240_000);

    it('a second diagnose: every reachable member is healthy', async () => {
      const r = await run(['diagnose', '--host', 'host', '-o', 'json']);
      const doc = JSON.parse(r.stdout);
      assertSchema('diagnose', doc);
      const reachable = doc.members.filter((m: any) => m.status !== 'error');
      expect(reachable).toHaveLength(18);
      expect(reachable.map((m: any) => m.cause)).toEqual(reachable.map(() => 'healthy'));
      expect(r.code).toBe(3);
    }, 120_000);

    it('no jwtSecret and no stored member credential reached any output', () => {
      expect(outputs.length).toBeGreaterThanOrEqual(6);
      // The host's, and one of its own for each member set up with a different one.
      const own = sb.clusters.filter((c) => c.scenario === 'secret-mismatch' || c.scenario === 'both');
      expect(secrets).toHaveLength(1 + own.length);
      expect(credentials.length).toBeGreaterThan(20);
      for (const text of outputs) {
        expectNone(text, secrets);
        expectNone(text, credentials);
      }
    });
  });
}
