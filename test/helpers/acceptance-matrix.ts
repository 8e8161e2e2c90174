import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type KsVersion, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from './cli.js';
import { unintendedChanges } from './doc-diff.js';
import { assertSchema } from './schema.js';
import { expectNoneOf, jwtSecretsOf, sandboxSecrets } from './secrets.js';

/**
 * The acceptance matrix: for every KubeSphere version × scenario, the built binary diagnoses the right cause over
 * real HTTPS, repairs it, the member is healthy afterwards, a second repair has nothing to do, and on 3.x the fix
 * survives a ks-installer re-run. No secret reaches any output.
 */
const VERSIONS: KsVersion[] = ['3.0', '3.1', '3.2', '3.3', '3.4', '4.1'];
/**
 * Per scenario: the cause and exit code of diagnose; `hostSide`: the cause is the host's own (several host
 * replicas without Redis, kubesphere#4060), so it stays after repair, which changes nothing and says why.
 */
const EXPECTED: Record<string, { cause: string; exit: number; hostSide?: boolean }> = {
  healthy: { cause: 'healthy', exit: 0 },
  'token-cache': { cause: 'token-cache', exit: 1 },
  'secret-mismatch': { cause: 'secret-mismatch', exit: 1 },
  both: { cause: 'secret-mismatch-and-token-cache', exit: 1 },
  'installer-revert': { cause: 'installer-revert', exit: 1 },
  'host-replicas-no-redis': { cause: 'host-cache', exit: 1, hostSide: true },
};

/** A real kube-apiserver per cluster takes seconds to start on two loaded cores. */
const START_TIMEOUT = { embedded: 30_000, real: 180_000 };

/** Scenarios whose host is the host as installed: they share one sandbox per version, a member each. */
const HOST_SIDE = new Set(['host-replicas-no-redis']);
// 4.x has no ks-installer; 3.0 cannot run ks-apiserver without Redis.
const supported = (v: KsVersion, s: string): boolean =>
  !(s === 'installer-revert' && v === '4.1') && !(s === 'host-replicas-no-redis' && v === '3.0');

function configData(sb: Sandbox, cluster: string): Record<string, string> {
  const cm = sb.clusters
    .find((c) => c.name === cluster)!
    .api.get('configmaps', 'kubesphere-system', 'kubesphere-config') as unknown as {
    data: Record<string, string>;
  };
  return cm.data;
}
const withoutYaml = (data: Record<string, string>) =>
  Object.fromEntries(Object.entries(data).filter(([k]) => k !== 'kubesphere.yaml'));

/**
 * Defines the matrix on one control plane: the embedded API server (test/e2e/diagnose-repair-matrix.test.ts)
 * or the real kube-apiserver (test/e2e/real/acceptance-matrix.test.ts); the same assertions on both.
 *
 * Per version, one sandbox holds a member per member-side scenario (named after it), checked concurrently; a
 * scenario that changes the host gets a sandbox of its own. Each member's case is independent: repair reads
 * the host and writes only that member.
 */
export function acceptanceMatrix(controlPlane: 'embedded' | 'real'): void {
  const fleets = VERSIONS.flatMap((version) => {
    const members = Object.keys(EXPECTED).filter((s) => !HOST_SIDE.has(s) && supported(version, s));
    const own = [...HOST_SIDE].filter((s) => supported(version, s));
    return [
      { version, hostScenario: 'healthy', members },
      ...own.map((s) => ({ version, hostScenario: s, members: [s] })),
    ];
  });
  describe.each(fleets)(`${controlPlane} control plane: KubeSphere $version, host $hostScenario`, (fleet) => {
    const { version } = fleet;
    let sb: Sandbox;
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      sb = await startSandbox({
        controlPlane,
        ksVersion: version,
        scenario: fleet.hostScenario,
        members: fleet.members.map((s) => ({ name: fleet.hostScenario === s ? 'member' : s, scenario: s })),
        podStartMs: 40,
        podStopMs: 20,
        trafficIntervalMs: 100,
        // ks-installer reacts to the CC change only when the test says so (rerunInstaller), so the bytes
        // checked below are the ones repair wrote.
        installerDelayMs: 600_000,
        hotReloadMs: 300,
        apiserverBootMs: 20,
      });
      env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: `${sb.kubeconfigPath}.state` };
    }, START_TIMEOUT[controlPlane]);
    afterAll(async () => {
      await sb?.stop();
    }, START_TIMEOUT[controlPlane]);

    it.concurrent.each(fleet.members)(
      'scenario %s: diagnose names the cause, exits as documented, and matches the schema; repair fixes it for good',
      async (scenario) => {
        const member = fleet.hostScenario === scenario ? 'member' : scenario;
        const common = ['--host', 'host', '--member', member];
        const expected = EXPECTED[scenario]!;
        const memberYaml = (): string => configData(sb, member)['kubesphere.yaml']!;
        // Every secret held before the repair (the member's own included) and after it (the re-signed token): no
        // output of any run may contain one.
        const initial = sandboxSecrets(sb);
        expect(initial.jwtSecrets.length).toBeGreaterThan(0);
        const outputs: string[] = [];
        const noSecret = (text: string) => {
          outputs.push(text);
          expectNoneOf(text, [...initial.jwtSecrets, ...initial.tokens]);
        };

        const before = await runCli(['diagnose', ...common, '-o', 'json'], env);
        noSecret(before.stdout + before.stderr);
        expect(before.stderr).toBe('');
        const doc = JSON.parse(before.stdout);
        assertSchema('diagnose', doc);
        expect(doc.members[0].cause).toBe(expected.cause);
        expect(before.code).toBe(expected.exit);
        expect(doc.exitCode).toBe(expected.exit);

        // The text plan (masked diffs of every document) and the text report carry no secret either.
        const plan = await runCli(['repair', ...common, '--dry-run'], env);
        noSecret(plan.stdout + plan.stderr);
        expect(plan.code).toBe(expected.exit === 0 ? 0 : 1);
        // The verbose text report makes the same requests as the JSON one: on the real control plane it would
        // only repeat what the embedded matrix checks of its output.
        if (controlPlane === 'embedded') {
          const text = await runCli(['diagnose', ...common, '-v'], env);
          noSecret(text.stdout + text.stderr);
        }

        const yamlBefore = memberYaml();
        const otherKeysBefore = withoutYaml(configData(sb, member));
        const repair = await runCli(['repair', ...common, '--yes', '-o', 'json', '--timeout', '60s'], env);
        noSecret(repair.stdout + repair.stderr);
        const rdoc = JSON.parse(repair.stdout);
        assertSchema('repair', rdoc);
        expect({ code: repair.code, status: rdoc.status }).toEqual(
          expected.hostSide
            ? { code: 1, status: 'failed' }
            : expected.exit === 0
              ? { code: 0, status: 'nothing-to-do' }
              : { code: 0, status: 'repaired' },
        );
        if (expected.hostSide) {
          expect(rdoc.members[0].refusal.code).toBe('not-repairable');
          expect(memberYaml()).toBe(yamlBefore);
        } else if (expected.exit !== 0) {
          expect(rdoc.members[0].verification.status).toBe('healthy');
          // Only the intended keys of kubesphere.yaml changed: every other byte is the same, no line added,
          // removed or moved; the other keys of the ConfigMap are untouched.
          const [hostSecret, ...more] = jwtSecretsOf(configData(sb, 'host')['kubesphere.yaml']!);
          expect(more).toEqual([]);
          const problems = unintendedChanges(yamlBefore, memberYaml(), {
            jwtSecret: (v) => v === hostSecret,
            accessTokenMaxAge: (v) => v === '0s',
            clusterRole: (v) => v === 'member',
          });
          expect(problems).toEqual([]);
          expect(withoutYaml(configData(sb, member))).toEqual(otherKeysBefore);
        }

        const again = await runCli(['diagnose', ...common, '-o', 'json'], env);
        noSecret(again.stdout + again.stderr);
        expect(again.code).toBe(expected.hostSide ? 1 : 0);
        expect(JSON.parse(again.stdout).members[0]).toMatchObject(
          expected.hostSide ? { status: 'unhealthy', cause: 'host-cache' } : { status: 'healthy' },
        );
        // A second repair plans from the same reads as the diagnose above: on the real control plane it would
        // repeat what the embedded matrix checks.
        if (controlPlane === 'embedded') {
          const second = await runCli(['repair', ...common, '--yes', '-o', 'json'], env);
          noSecret(second.stdout + second.stderr);
          expect(JSON.parse(second.stdout).status).toBe(expected.hostSide ? 'failed' : 'nothing-to-do');
          expect(second.code).toBe(expected.hostSide ? 1 : 0);
        }

        if (version !== '4.1') {
          // ks-installer re-renders kubesphere-config from the ClusterConfiguration: the fix must survive it.
          await sb.rerunInstaller(member);
          await new Promise((r) => setTimeout(r, 700));
          const afterInstaller = await runCli(['diagnose', ...common, '-o', 'json'], env);
          noSecret(afterInstaller.stdout + afterInstaller.stderr);
          const m = JSON.parse(afterInstaller.stdout).members[0];
          expect(m.checks.filter((c: { status: string }) => c.status === 'fail')).toEqual([]);
        }
        // The secrets the clusters hold now: the static admin token was re-signed with the host's secret.
        const final = sandboxSecrets(sb);
        for (const o of outputs) expectNoneOf(o, [...final.jwtSecrets, ...final.tokens]);
      },
      180_000,
    );
  });
}
