/**
 * A read that failed is an unknown fact, never an empty one: a pod list answered 401/403/500 must not read as
 * "no running pods" (a false verdict, exit 1) but as an error that names the failure and its hint (exit 3).
 */
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import type { ClusterSnapshot, ReadFailure } from '../../src/kubesphere/cluster/snapshot.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const SECRET = 'FAKEv34hostJwtSecret000000000000';
const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };

const host = (): ClusterSnapshot =>
  snapshot({
    context: 'host',
    yaml: fixture('v3.4-host.yaml'),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret: SECRET, clusterRole: 'host' },
    installerSecret: SECRET,
  });

/** A member whose configuration is right (same secret, maxAge 0): only the failed read is left to report. */
const member = (jwtSecret = SECRET): ClusterSnapshot =>
  snapshot({
    context: 'member',
    yaml: fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${jwtSecret}"`),
    image: 'kubesphere/ks-apiserver:v3.4.1',
    cc: { jwtSecret, clusterRole: 'member' },
    installerSecret: jwtSecret,
  });

const FAILURES: Array<[string, ReadFailure]> = [
  [
    '403',
    {
      kind: 'forbidden',
      message:
        'context "member" is not allowed to list pods in namespace "kubesphere-system" (403 Forbidden)',
      hint: 'check with: kubectl --context member auth can-i list pods -n kubesphere-system',
    },
  ],
  [
    '401',
    { kind: 'unauthorized', message: 'context "member" was refused (401 Unauthorized)', hint: 'log in' },
  ],
  ['500', { kind: 'server', message: 'the API server failed to list pods (500 InternalError)' }],
];

/** The member as gatherCluster returns it when listing its pods failed: no pods, so no logs either. */
function podsFailed(snap: ClusterSnapshot, failure: ReadFailure): ClusterSnapshot {
  const out: ClusterSnapshot = { ...snap, pods: { failure } };
  delete out.logs;
  return out;
}

function run(m: ClusterSnapshot) {
  const report = assess(
    { snapshot: host(), logs: noErrors },
    [{ gathered: { snapshot: m, logs: noErrors } }],
    {
      since: '1h',
    },
  );
  const r = report.members[0]!;
  return { ...r, check: (id: string) => r.checks.find((c) => c.id === id) };
}

describe('a pod list that failed', () => {
  it('is sound when the list works (the baseline the cases below differ from)', () => {
    expect(run(member())).toMatchObject({ status: 'healthy', cause: 'healthy' });
  });

  it.each(FAILURES)(
    '%s: the restart check is an error naming the failure, not "no running pods"',
    (_c, failure) => {
      const r = run(podsFailed(member(), failure));
      expect(r.check('apiserver-restart-pending')).toMatchObject({
        status: 'error',
        code: 'pods-unreadable',
        args: { deployment: 'ks-apiserver', message: failure.message, hint: failure.hint },
      });
      expect(r.checks.some((c) => c.code === 'no-running-pods')).toBe(false);
    },
  );

  it.each(FAILURES)('%s: the logs could not be read either (not "no pods")', (_c, failure) => {
    expect(run(podsFailed(member(), failure)).check('apiserver-auth-errors')).toMatchObject({
      status: 'error',
      code: 'logs-unreadable',
      args: { message: failure.message },
    });
  });

  it.each(FAILURES)('%s: the verdict is unreadable (exit 3), not a cause', (_c, failure) => {
    expect(run(podsFailed(member(), failure))).toMatchObject({ status: 'error', cause: 'unreadable' });
  });

  it('keeps what was read: a secret mismatch is still the verdict', () => {
    const r = run(podsFailed(member('FAKEmemberOwnSecret0000000000000'), FAILURES[0]![1]));
    expect(r).toMatchObject({ status: 'unhealthy', cause: 'secret-mismatch' });
  });
});

describe('a Deployment that could not be read', () => {
  it('is an error naming the failure, not "no ks-apiserver Deployment"', () => {
    const [, failure] = FAILURES[0]!;
    const snap: ClusterSnapshot = { ...member(), apiserverDeployment: { failure }, pods: undefined };
    delete snap.logs;
    const r = run(snap);
    expect(r.check('apiserver-restart-pending')).toMatchObject({
      status: 'error',
      code: 'deployment-unreadable',
      args: { message: failure.message, hint: failure.hint },
    });
    expect(r.check('apiserver-auth-errors')).toMatchObject({ status: 'error', code: 'logs-unreadable' });
    expect(r).toMatchObject({ status: 'error', cause: 'unreadable' });
  });
});

describe("the host's Deployment that could not be read", () => {
  it('makes the host-cache check an error (replicas unknown), not a skip for the configuration', () => {
    const [, failure] = FAILURES[0]!;
    const h: ClusterSnapshot = { ...host(), apiserverDeployment: { failure }, pods: undefined };
    const report = assess(
      { snapshot: h, logs: noErrors },
      [{ gathered: { snapshot: member(), logs: noErrors } }],
      {
        since: '1h',
      },
    );
    expect(report.host.checks.find((c) => c.id === 'host-cache')).toMatchObject({
      status: 'error',
      code: 'deployment-unreadable',
      args: { message: failure.message, hint: failure.hint },
    });
    expect(report.members[0]).toMatchObject({ status: 'error', cause: 'unreadable' });
  });
});

describe('logs of some pods that could not be read', () => {
  const twoPods = (): ClusterSnapshot => {
    const snap = snapshot({
      context: 'member',
      yaml: fixture('v3.4-member.yaml').replace(/jwtSecret: .*/, `jwtSecret: "${SECRET}"`),
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: SECRET, clusterRole: 'member' },
      installerSecret: SECRET,
      replicas: 2,
    });
    const [first, second] = snap.logs!.scans;
    const failure: ReadFailure = { kind: 'server', message: 'the API server failed to stream the log (500)' };
    return { ...snap, logs: { scans: [first!, { ...second!, lines: 0, failure }], tally: undefined } };
  };

  it('are not "no token errors": the check is an error and nothing is verified', () => {
    const r = run(twoPods());
    expect(r.check('apiserver-auth-errors')).toMatchObject({
      status: 'error',
      code: 'logs-unreadable',
      args: { unreadable: 1, containers: 2 },
    });
    expect(r).toMatchObject({ status: 'error', cause: 'unreadable' });
  });

  it('do not hide what the other pods said', () => {
    const logs: AuthLogSummary = {
      linesScanned: 10,
      containersScanned: 1,
      kinds: { 'signature-invalid': { count: 2, first: null, last: null, samples: [] } },
    };
    const report = assess(
      { snapshot: host(), logs: noErrors },
      [{ gathered: { snapshot: twoPods(), logs } }],
      {
        since: '1h',
      },
    );
    expect(report.members[0]!.checks.find((c) => c.id === 'apiserver-auth-errors')).toMatchObject({
      status: 'fail',
      code: 'log-signature-invalid',
    });
  });
});
