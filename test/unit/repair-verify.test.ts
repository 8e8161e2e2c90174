/**
 * verifyMember, the diagnosis after a repair: when it says healthy, unhealthy or "could not verify", how often it
 * looks again and what it reads. The diagnosis itself is stubbed (its reports are what this decides on); the
 * rollout it waits for runs on an in-memory cluster.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/kubesphere/checks/report.js';
import { describeFailure } from '../../src/kube/failure.js';
import { deployment, FakeCluster } from '../helpers/fake-cluster.js';

const diagnose = vi.hoisted(() => vi.fn());
vi.mock('../../src/kubesphere/checks/diagnosis.js', () => ({ runDiagnosis: diagnose }));
const { verifyMember } = await import('../../src/repair/verify.js');

type Check = Pick<Finding, 'id' | 'status' | 'code'> & { args?: Finding['args'] };
const check = (id: string, status: Finding['status'], code = `${id}-${status}`): Check => ({
  id: id as Finding['id'],
  status,
  code,
  args: { id },
});
function report(status: string, cause: string | null, checks: Check[] = [], hostChecks: Check[] = []) {
  return { report: { members: [{ status, cause, checks }], host: { checks: hostChecks } } };
}

const NS = 'kubesphere-system';
const RESTART = { namespace: NS, name: 'ks-apiserver' };
const member = new FakeCluster();
member.put('deployments', deployment(NS, 'ks-apiserver'));
const host = new FakeCluster();

const verify = (opts: { restart?: typeof RESTART; timeoutMs?: number; since?: Date } = {}) =>
  verifyMember(host, member, {
    since: opts.since ?? new Date(Date.now() - 2500),
    timeoutMs: opts.timeoutMs ?? 60_000,
    restart: opts.restart,
    describeFailure,
    retryDelayMs: 1,
  });

beforeEach(() => {
  diagnose.mockReset();
});

describe('verifyMember', () => {
  it('reads only the logs since the repair began, and only of pods started after the restart', async () => {
    diagnose.mockResolvedValue(report('healthy', null));
    const since = new Date(Date.now() - 2500);
    expect(await verify({ since, restart: RESTART })).toEqual({ status: 'healthy', cause: null });
    expect(diagnose).toHaveBeenCalledTimes(1);
    const [h, members, opts] = diagnose.mock.calls[0]!;
    expect(h).toBe(host);
    expect(members).toEqual([member]);
    expect(opts).toMatchObject({
      sinceSeconds: 3,
      since: '3s',
      podsStartedAfter: new Date(since.getTime() - 1000),
    });
    diagnose.mockClear();
    await verify({ since: new Date(Date.now() + 5000) });
    expect(diagnose.mock.calls[0]![2]).toMatchObject({ sinceSeconds: 1, since: '1s' });
    expect(diagnose.mock.calls[0]![2]).not.toHaveProperty('podsStartedAfter');
  });

  it("the host's own cache problem does not fail the member's verification", async () => {
    diagnose.mockResolvedValue(report('unhealthy', 'host-cache', [check('host-cache', 'fail')]));
    expect(await verify()).toEqual({ status: 'healthy', cause: 'host-cache' });
  });

  it('still unhealthy: says so at once, with the checks that fail or could not be done (not warnings)', async () => {
    diagnose.mockResolvedValue(
      report('unhealthy', 'secret-mismatch', [
        check('jwt-secret-match', 'fail'),
        check('apiserver-auth-errors', 'warn'),
        check('max-age', 'pass'),
        check('cluster-role', 'error'),
      ]),
    );
    expect(await verify({ restart: RESTART })).toEqual({
      status: 'unhealthy',
      cause: 'secret-mismatch',
      failing: ['jwt-secret-match', 'cluster-role'],
    });
    expect(diagnose).toHaveBeenCalledTimes(1);
  });

  it('pauses between looks: the given delay, else a second', async () => {
    diagnose.mockResolvedValue(report('error', null, [check('kubesphere-config', 'error')]));
    const started = Date.now();
    await verifyMember(host, member, {
      since: new Date(),
      timeoutMs: 60_000,
      restart: undefined,
      describeFailure,
      retryDelayMs: 40,
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(3 * 40 - 5);
    expect(took).toBeLessThan(1000);
    diagnose.mockReset();
    diagnose
      .mockResolvedValueOnce(report('error', null, [check('kubesphere-config', 'error')]))
      .mockResolvedValueOnce(report('healthy', null));
    const t0 = Date.now();
    await verifyMember(host, member, {
      since: new Date(),
      timeoutMs: 60_000,
      restart: undefined,
      describeFailure,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('a read that fails is looked at again, up to four times in all', async () => {
    diagnose
      .mockResolvedValueOnce(report('error', null, [check('kubesphere-config', 'error')]))
      .mockResolvedValueOnce(report('healthy', null));
    expect(await verify()).toEqual({ status: 'healthy', cause: null });
    expect(diagnose).toHaveBeenCalledTimes(2);

    diagnose.mockReset();
    diagnose.mockResolvedValue(
      report(
        'error',
        null,
        [check('apiserver-auth-errors', 'error'), check('max-age', 'fail')],
        [check('ks-apiserver-pods', 'error', 'pods-unreadable')],
      ),
    );
    // The pod list is the reason; the logs that could not be read from it are its consequence.
    expect(await verify()).toEqual({
      status: 'error',
      cause: null,
      failing: ['apiserver-auth-errors', 'max-age'],
      reason: { id: 'ks-apiserver-pods', code: 'pods-unreadable', args: { id: 'ks-apiserver-pods' } },
    });
    expect(diagnose).toHaveBeenCalledTimes(4);
  });

  it('could not verify: the logs are the reason when nothing else failed; none when no check says error', async () => {
    diagnose.mockResolvedValue(
      report('error', 'unreadable', [check('apiserver-auth-errors', 'error', 'logs-unreadable')]),
    );
    expect(await verify({ timeoutMs: 0 })).toEqual({
      status: 'error',
      cause: 'unreadable',
      failing: ['apiserver-auth-errors'],
      reason: { id: 'apiserver-auth-errors', code: 'logs-unreadable', args: { id: 'apiserver-auth-errors' } },
    });
    // Out of time: not looked at again.
    expect(diagnose).toHaveBeenCalledTimes(1);
    diagnose.mockResolvedValue(report('error', 'unreadable', [check('max-age', 'fail')]));
    expect(await verify({ timeoutMs: 0 })).toEqual({
      status: 'error',
      cause: 'unreadable',
      failing: ['max-age'],
    });
  });

  it('a restart still pending (ks-installer restarts it once more): waits for that rollout and looks again', async () => {
    diagnose
      .mockResolvedValueOnce(report('unhealthy', 'restart-pending', [check('restart', 'fail')]))
      .mockResolvedValueOnce(report('healthy', null));
    const before = member.calls.length;
    expect(await verify({ restart: RESTART })).toEqual({ status: 'healthy', cause: null });
    expect(diagnose).toHaveBeenCalledTimes(2);
    expect(member.calls.slice(before)).toContain(`get deployments/${NS}/ks-apiserver`);
  });

  it('a pending restart without a restart of ours, or out of time, is the answer', async () => {
    diagnose.mockResolvedValue(report('unhealthy', 'restart-pending', [check('restart', 'fail')]));
    const pending = { status: 'unhealthy', cause: 'restart-pending', failing: ['restart'] };
    expect(await verify()).toEqual(pending);
    expect(await verify({ restart: RESTART, timeoutMs: 0 })).toEqual(pending);
    expect(diagnose).toHaveBeenCalledTimes(2);
  });

  it('a pending restart seen four times is the answer', async () => {
    diagnose.mockResolvedValue(report('unhealthy', 'restart-pending', [check('restart', 'fail')]));
    expect(await verify({ restart: RESTART })).toMatchObject({ cause: 'restart-pending' });
    expect(diagnose).toHaveBeenCalledTimes(4);
  });
});
