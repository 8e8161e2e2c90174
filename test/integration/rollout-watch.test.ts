// The rollout wait watches the Deployment as `kubectl rollout status` does, and polls it all the same: the
// watch sees the end when it happens; a watch that cannot start or is cut changes nothing but the time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCluster } from '../../src/kube/client.js';
import { loadKubeconfig } from '../../src/kube/kubeconfig.js';
import { observeRequests, type RequestNotice } from '../../src/kube/observe.js';
import type { ClusterClient } from '../../src/kube/types.js';
import { waitForRollout } from '../../src/repair/rollout.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const NS = 'kubesphere-system';
const DEPLOYMENT = '/apis/apps/v1/namespaces/kubesphere-system/deployments';

describe('waiting for a rollout', () => {
  let sb: Sandbox;
  let member: ClusterClient;
  beforeAll(async () => {
    sb = await startSandbox({
      ksVersion: '3.4',
      scenario: 'token-cache',
      podStartMs: 1000,
      trafficIntervalMs: 0,
    });
    const kc = await loadKubeconfig({ kubeconfigPath: sb.kubeconfigPath });
    member = openCluster(kc, 'member', { requestTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await sb?.stop();
  });

  const restart = async (): Promise<{ resourceVersion: string; from: number }> => {
    const dep = await member.restartDeployment(NS, 'ks-apiserver', { now: new Date() });
    return { resourceVersion: dep.metadata.resourceVersion!, from: sb.faults.seen.length };
  };
  const polls = (from: number): number =>
    sb.faults.seen.slice(from).filter((r) => r.method === 'GET' && r.path === `${DEPLOYMENT}/ks-apiserver`)
      .length;
  const watches = (from: number): number =>
    sb.faults.seen.slice(from).filter((r) => r.method === 'GET' && r.path === DEPLOYMENT).length;

  it('sees the end through its watch, without waiting for the next poll', async () => {
    const { resourceVersion, from } = await restart();
    const seen: RequestNotice[] = [];
    const previous = observeRequests({ request: (n) => seen.push(n) });
    try {
      // The second poll would come a minute later: only the watch can end this wait in time.
      const state = await waitForRollout(member, NS, 'ks-apiserver', {
        timeoutMs: 60_000,
        pollMs: 60_000,
        firstPollMs: 60_000,
        resourceVersion,
      });
      expect(state).toMatchObject({ done: true, updated: 1, desired: 1, available: 1 });
      // The watch was closed when the wait ended, not left open until the server or a timeout ends it (which
      // would hold the process): its request is over by the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen.filter((n) => n.path.includes('watch=1')).map((n) => n.status)).toEqual([200]);
    } finally {
      observeRequests(previous);
    }
    expect(polls(from)).toBe(1);
    expect(watches(from)).toBe(1);
  }, 20_000);

  it('still finishes by polling when the watch ends at once (a resourceVersion too old: 410 Gone)', async () => {
    const { from } = await restart();
    const seen: RequestNotice[] = [];
    const previous = observeRequests({ request: (n) => seen.push(n) });
    try {
      const state = await waitForRollout(member, NS, 'ks-apiserver', {
        timeoutMs: 20_000,
        pollMs: 100,
        resourceVersion: '1',
      });
      expect(state.done).toBe(true);
    } finally {
      observeRequests(previous);
    }
    expect(watches(from)).toBe(1);
    // The server ended the watch (an ERROR event, as kube-apiserver sends for an expired resourceVersion)
    // while the rollout was still under way: polls came after it, and the last poll saw the end.
    const watch = seen.findIndex((n) => n.path.includes('watch=1'));
    const lastPoll = seen.findLastIndex((n) => n.path.endsWith('/deployments/ks-apiserver'));
    expect(watch).toBeGreaterThanOrEqual(0);
    expect(lastPoll).toBeGreaterThan(watch);
  }, 30_000);
});
