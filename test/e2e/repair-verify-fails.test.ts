import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * A repair whose verification fails must say so: status `partial`, exit 4 and the rollback command — never
 * "repaired and verified". Here the host's jwtSecret is rotated while the member restarts (someone re-ran the
 * host's installer meanwhile), so the member, which now holds the old host secret, still cannot verify the
 * host's tokens when it is diagnosed again.
 */
const NS = 'kubesphere-system';
const ROTATED = 'FAKErotatedHostJwtSecret00000000';

interface ConfigMap {
  metadata: { name: string };
  data: Record<string, string>;
}

function jwtSecretOf(sb: Sandbox, cluster: string): string {
  const cm = sb.clusters.find((c) => c.name === cluster)!.store.get('configmaps', NS, 'kubesphere-config') as
    ConfigMap | undefined;
  return /jwtSecret:\s*"?([^"\s]+)/.exec(cm?.data['kubesphere.yaml'] ?? '')?.[1] ?? '';
}

/** When the member's ks-apiserver is restarted by the repair, the host's jwtSecret changes. */
function rotateHostSecretOnRestart(sb: Sandbox): () => void {
  const host = sb.clusters.find((c) => c.name === 'host')!.store;
  const member = sb.clusters.find((c) => c.name === 'member')!.store;
  let done = false;
  return member.subscribe((e) => {
    const restarted = (
      e.object.spec as { template?: { metadata?: { annotations?: Record<string, string> } } }
    )?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
    if (done || e.resource.resource !== 'deployments' || !restarted) return;
    done = true;
    const cm = host.get('configmaps', NS, 'kubesphere-config') as ConfigMap &
      Parameters<typeof host.update>[0];
    cm.data['kubesphere.yaml'] = cm.data['kubesphere.yaml']!.replace(
      /jwtSecret:\s*"?[^"\s]+"?/,
      `jwtSecret: "${ROTATED}"`,
    );
    host.update(cm, { fieldManager: 'kubectl-edit' });
  });
}

describe('a repair whose verification fails', () => {
  let sb: Sandbox | undefined;
  let unsubscribe: (() => void) | undefined;
  afterEach(async () => {
    unsubscribe?.();
    await sb?.stop();
  });

  const start = async (): Promise<NodeJS.ProcessEnv> => {
    sb = await startSandbox({
      ksVersion: '3.2',
      scenario: 'secret-mismatch',
      podStartMs: 40,
      podStopMs: 20,
      trafficIntervalMs: 0,
      installerDelayMs: 600_000,
      apiserverBootMs: 20,
    });
    unsubscribe = rotateHostSecretOnRestart(sb);
    return { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: `${sb.kubeconfigPath}.state` };
  };
  const args = ['repair', '--host', 'host', '--member', 'member', '--yes', '--timeout', '30s'];

  it('text: the verify row fails, exit 4, and the last line is the rollback command', async () => {
    const env = await start();
    const secrets = [jwtSecretOf(sb!, 'host'), jwtSecretOf(sb!, 'member'), ROTATED];
    const r = await runCli(args, env);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/✖ verify\s+still unhealthy: member verifies tokens with a different jwtSecret/);
    expect(r.stdout).not.toMatch(/Repaired and verified/);
    const undo = /Undo with: ks-restore rollback --backup (\S+)/.exec(r.stdout);
    expect(undo).not.toBeNull();
    expect((await stat(undo![1]!)).isDirectory()).toBe(true);
    for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
  });

  it('json: status partial, exit 4, the verification as data and the backup to roll back from', async () => {
    const env = await start();
    const r = await runCli([...args, '-o', 'json'], env);
    const doc = JSON.parse(r.stdout);
    assertSchema('repair', doc);
    expect({ code: r.code, status: doc.status, exitCode: doc.exitCode }).toEqual({
      code: 4,
      status: 'partial',
      exitCode: 4,
    });
    expect(doc.members[0].verification).toMatchObject({
      status: 'unhealthy',
      cause: 'secret-mismatch',
      failing: expect.arrayContaining(['jwt-secret-match']),
    });
    expect(doc.backup).toEqual(expect.any(String));
  });
});
