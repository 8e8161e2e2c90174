/**
 * Clock skew, measured (issue 12, point 6): each embedded API server stamps its Date header from its cluster's
 * clock, and diagnose reads the member's offset from the host out of the responses it makes anyway. A member
 * behind the host by more than its maximumClockSkew rejects the host's fresh tokens (kubesphere
 * `pkg/apiserver/authentication/token/issuer.go` Verify: iat > now + maximumClockSkew → "jwt: token used before
 * issued"; `pkg/apiserver/authentication/options.go` MaximumClockSkew default 10s): diagnose names the cause with
 * the measured offset while no log line shows it yet. Then the traffic's own rejections reach the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { describeFailure } from '../../src/kube/failure.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';
import type { Finding } from '../../src/kubesphere/checks/report.js';
import { describeCause, describeFinding } from '../../src/output/messages.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const BEHIND_S = 45;
const HOUR = 3_600_000;

describe('clock skew measured from the API servers’ Date headers (real HTTPS)', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await startSandbox({
      // 3.2: the host's tokens expire after its default 2h. A 3.3/3.4 host's own cluster controller leaves it
      // `accessTokenMaxAge: 0s` (tokens without exp), where no member clock can be far enough ahead to expire them.
      ksVersion: '3.2',
      scenario: 'healthy',
      members: [
        { name: 'behind', scenario: 'clock-skew' },
        { name: 'in-sync' },
        { name: 'ahead', clockOffsetMs: 30_000 },
        // Past the host's 2h accessTokenMaxAge (its default): every token arrives expired.
        { name: 'far-ahead', clockOffsetMs: 3 * HOUR },
      ],
      backfill: false,
      trafficIntervalMs: 0,
      podStartMs: 20,
      podStopMs: 10,
      apiserverBootMs: 10,
    });
  }, 30_000);
  afterAll(async () => {
    await sb?.stop();
  });

  async function diagnose() {
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    const open = (c: string) => openCluster(kc, c, { requestTimeoutMs: 5000 });
    const names = ['behind', 'in-sync', 'ahead', 'far-ahead'];
    const d = await runDiagnosis(
      open('host'),
      names.map((n) => open(n)),
      { sinceSeconds: 3600, since: '1h', describeFailure },
    );
    const member = (n: string) => d.report.members[names.indexOf(n)]!;
    const clock = (n: string) => member(n).checks.find((c) => c.id === 'clock-skew')!;
    return { d, member, clock };
  }

  const within = (f: Finding, expectedS: number) => {
    const skew = Number(f.args.skewSeconds);
    const u = Number(f.args.uncertaintySeconds);
    // The bound holds the true offset (the sandbox's own clocks differ by exactly the offset), and is tight.
    expect(Math.abs(skew - expectedS)).toBeLessThanOrEqual(u + 0.05);
    expect(u).toBeLessThan(1.5);
  };

  it('a member 45 s behind: clock-skew fails with the measured offset before any log line shows it', async () => {
    const { member, clock } = await diagnose();
    const m = member('behind');
    expect(m).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
    expect(clock('behind')).toMatchObject({
      status: 'fail',
      code: 'clock-behind',
      args: { allowedSeconds: 10, maximumClockSkew: '10s' },
    });
    within(clock('behind'), -BEHIND_S);
    // Nothing logged yet: the cause comes from the measurement alone.
    expect(m.checks.find((c) => c.id === 'apiserver-auth-errors')).toMatchObject({ code: 'log-clean' });
    const wording = describeFinding(clock('behind'));
    expect(wording.summary).toMatch(/^clock 4\d(\.\d)? s \(± [\d.]+ s\) behind the host's/);
    expect(wording.remedy).toMatch(/NTP/);
    expect(describeCause('clock-skew', 'behind')).toContain('clock');
  });

  it('members in sync measure |offset| < 2 s and pass; the host has no clock row', async () => {
    const { d, member, clock } = await diagnose();
    expect(member('in-sync')).toMatchObject({ status: 'healthy', cause: 'healthy' });
    expect(clock('in-sync')).toMatchObject({ status: 'pass', code: 'clock-in-sync' });
    expect(Math.abs(Number(clock('in-sync').args.skewSeconds))).toBeLessThan(2);
    within(clock('in-sync'), 0);
    expect(d.report.host.checks.map((c) => c.id)).not.toContain('clock-skew');
  });

  it('a member ahead shortens token life (warn, still healthy); ahead past the token lifetime fails', async () => {
    const { member, clock } = await diagnose();
    expect(clock('ahead')).toMatchObject({ status: 'warn', code: 'clock-ahead' });
    within(clock('ahead'), 30);
    expect(member('ahead')).toMatchObject({ status: 'healthy', cause: 'healthy' });
    expect(clock('far-ahead')).toMatchObject({
      status: 'fail',
      code: 'clock-ahead-expired',
      args: { tokenLifetimeSeconds: 7200 },
    });
    within(clock('far-ahead'), 3 * 3600);
    expect(member('far-ahead')).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
  });
});

/** The rejection each release logs (`token/issuer.go` Verify on 3.2+; jwt-go v3 `StandardClaims.Valid()` on 3.1). */
const LOGGED: Record<'3.1' | '3.4' | '4.1', RegExp> = {
  '3.1': /^W\d{4} .* jwt_token\.go:52\] token is not valid yet$/,
  '3.4': /^W\d{4} .* issuer\.go:198\] jwt: token used before issued, iat:\d{10}, now:\d{10}$/,
  '4.1':
    /^W\d{4} .* issuer\.go:187\] jwt: token used before issued, iat:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC, now:\S+ \S+ \+0000 UTC m=\+\d+\.\d{9}$/,
};

describe.each(['3.1', '3.4', '4.1'] as const)(
  'KubeSphere %s: the console traffic of a member 45 s behind',
  (v) => {
    let sb: Sandbox;
    beforeAll(async () => {
      // An hour of past console traffic is written at start, each cluster by its own clock.
      sb = await startSandbox({
        ksVersion: v,
        scenario: 'healthy',
        members: [{ name: 'behind', scenario: 'clock-skew' }, { name: 'in-sync' }],
        trafficIntervalMs: 0,
        podStartMs: 20,
        podStopMs: 10,
        apiserverBootMs: 10,
      });
    }, 30_000);
    afterAll(async () => {
      await sb?.stop();
    });

    const logLines = (name: string): string[] => {
      const c = sb.clusters.find((x) => x.name === name)!;
      return c.store
        .list('pods', 'kubesphere-system')
        .flatMap((p) => c.logs.lines('kubesphere-system', p.metadata.name, 'ks-apiserver') ?? [])
        .map((l) => l.text);
    };

    it('is rejected as issued in its future and logged as the release logs it; diagnose agrees', async () => {
      const behind = logLines('behind');
      expect(behind.some((l) => LOGGED[v].test(l))).toBe(true);
      expect(logLines('in-sync').some((l) => /before issued|not valid yet/.test(l))).toBe(false);
      const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
      const open = (c: string) => openCluster(kc, c, { requestTimeoutMs: 5000 });
      const d = await runDiagnosis(open('host'), [open('behind'), open('in-sync')], {
        sinceSeconds: 3600,
        since: '1h',
        describeFailure,
      });
      const [m, ok] = d.report.members;
      expect(m).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
      expect(m!.checks.find((c) => c.id === 'apiserver-auth-errors')).toMatchObject({
        code: 'log-clock-skew',
      });
      expect(m!.checks.find((c) => c.id === 'clock-skew')).toMatchObject({
        status: 'fail',
        code: 'clock-behind',
      });
      expect(ok).toMatchObject({ status: 'healthy', cause: 'healthy' });
    });
  },
);
