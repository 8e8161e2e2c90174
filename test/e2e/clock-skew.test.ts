import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../helpers/cli.js';
import { assertSchema } from '../helpers/schema.js';

/**
 * The built binary on the `clock-skew` scenario (a member 45 s behind the host, kubesphere
 * `pkg/apiserver/authentication/token/issuer.go`: iat > now + maximumClockSkew is rejected): diagnose names
 * cause clock-skew from the Date headers alone, with no log line yet, exits 1 and matches the schema; repair
 * changes nothing and says to synchronise the clocks. The healthy member beside it measures in sync.
 */
describe('clock skew through the CLI', () => {
  let sb: Sandbox;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.3',
      scenario: 'healthy',
      members: [{ name: 'skewed', scenario: 'clock-skew' }, { name: 'fine' }],
      backfill: false,
      trafficIntervalMs: 0,
      podStartMs: 20,
      podStopMs: 10,
      apiserverBootMs: 10,
    });
    env = { KUBECONFIG: sb.kubeconfigPath, XDG_STATE_HOME: `${sb.kubeconfigPath}.state` };
  }, 30_000);
  afterAll(async () => {
    await sb?.stop();
  });

  it('diagnose -o json: cause clock-skew with the measured offset; the member in sync passes', async () => {
    const r = await runCli(
      ['diagnose', '--host', 'host', '--member', 'skewed', '--member', 'fine', '-o', 'json'],
      env,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    assertSchema('diagnose', doc);
    const [skewed, fine] = doc.members;
    const clock = (m: { checks: Array<{ id: string }> }) =>
      m.checks.find((c) => c.id === 'clock-skew') as
        { status: string; code: string; evidence: Record<string, number> } | undefined;
    expect(skewed).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
    expect(clock(skewed)).toMatchObject({ status: 'fail', code: 'clock-behind' });
    expect(Math.abs(clock(skewed)!.evidence.skewSeconds! + 45)).toBeLessThanOrEqual(
      clock(skewed)!.evidence.uncertaintySeconds! + 0.05,
    );
    expect(skewed.checks.find((c: { id: string }) => c.id === 'apiserver-auth-errors')).toMatchObject({
      code: 'log-clean',
    });
    expect(fine).toMatchObject({ status: 'healthy', cause: 'healthy' });
    expect(clock(fine)).toMatchObject({ status: 'pass', code: 'clock-in-sync' });
    expect(Math.abs(clock(fine)!.evidence.skewSeconds!)).toBeLessThan(2);
  });

  it('repair changes nothing on the skewed member and says to synchronise the clocks', async () => {
    const before = sb.clusters
      .find((c) => c.name === 'skewed')!
      .api.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion;
    const r = await runCli(['repair', '--host', 'host', '--member', 'skewed', '--yes'], env);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/NTP|chrony/);
    const after = sb.clusters
      .find((c) => c.name === 'skewed')!
      .api.get('configmaps', 'kubesphere-system', 'kubesphere-config')?.metadata.resourceVersion;
    expect(after).toBe(before);
  });
});
