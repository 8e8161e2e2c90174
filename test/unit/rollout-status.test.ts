import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/kube/types.js';
import { rolloutState, waitForRollout, RolloutTimeoutError } from '../../src/repair/rollout.js';
import { deployment, FakeCluster } from '../helpers/fake-cluster.js';

const dep = (spec: { generation?: number; replicas?: number }, status: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ks-apiserver', generation: spec.generation ?? 2 },
  spec: { replicas: spec.replicas ?? 3 },
  status,
});

describe('rolloutState follows kubectl rollout status', () => {
  it.each([
    [
      'spec change not yet observed',
      dep({}, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      false,
    ],
    [
      'new replicas still being created',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 }),
      false,
    ],
    [
      'old replicas pending termination',
      dep({}, { observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 }),
      false,
    ],
    [
      'updated replicas not yet available',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2 }),
      false,
    ],
    [
      'complete',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      true,
    ],
    [
      'complete with one replica',
      dep({ replicas: 1 }, { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
      true,
    ],
  ])('%s', (_name, d, done) => {
    expect(rolloutState(d).done).toBe(done);
  });

  it('reports a rollout that exceeded its progress deadline as failed', () => {
    const d = dep(
      {},
      {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
    );
    const s = rolloutState(d);
    expect(s.done).toBe(false);
    expect(s.failed).toContain('ks-apiserver');
  });

  it('counts progress for the spinner', () => {
    const s = rolloutState(
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 2 }),
    );
    expect([s.updated, s.desired, s.available]).toEqual([2, 3, 2]);
  });
});

describe("rolloutState's words, as kubectl rollout status prints them", () => {
  it.each<[string, ReturnType<typeof dep>, string]>([
    [
      'not observed',
      dep({}, { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'Waiting for deployment spec update to be observed...',
    ],
    [
      'updating',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 1, availableReplicas: 2 }),
      '1 out of 3 new replicas have been updated...',
    ],
    [
      'old pods',
      dep({}, { observedGeneration: 2, replicas: 5, updatedReplicas: 3, availableReplicas: 3 }),
      '2 old replicas are pending termination...',
    ],
    [
      'unavailable',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 1 }),
      '1 of 3 updated replicas are available...',
    ],
    [
      'done',
      dep({}, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }),
      'deployment "ks-apiserver" successfully rolled out',
    ],
    [
      'deadline',
      dep(
        {},
        {
          observedGeneration: 2,
          conditions: [
            { type: 'Available', reason: 'MinimumReplicasAvailable' },
            { type: 'Progressing', reason: 'ProgressDeadlineExceeded' },
          ],
        },
      ),
      'deployment "ks-apiserver" exceeded its progress deadline',
    ],
  ])('%s', (_name, d, message) => {
    expect(rolloutState(d).message).toBe(message);
  });

  it('a Deployment without status, spec or generation is one replica waiting to be updated', () => {
    const bare = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } };
    expect(rolloutState(bare)).toEqual({
      done: false,
      updated: 0,
      desired: 1,
      available: 0,
      message: '0 out of 1 new replicas have been updated...',
    });
    // Another condition, or Progressing for another reason, is no failure.
    const d = dep(
      {},
      {
        observedGeneration: 2,
        updatedReplicas: 1,
        conditions: [
          { type: 'Available', reason: 'ProgressDeadlineExceeded' },
          { type: 'Progressing', reason: 'NewReplicaSetAvailable' },
        ],
      },
    );
    expect(rolloutState(d).failed).toBeUndefined();
  });
});

describe('waitForRollout', () => {
  const NS = 'kubesphere-system';
  const pod = (name: string, phase: string, ready: boolean, deleting = false): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ...(deleting ? { deletionTimestamp: '2026-12-01T10:00:00Z' } : {}) },
    status: {
      phase,
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
    },
  });
  const cluster = (status: Record<string, unknown>) => {
    const c = new FakeCluster();
    const d = deployment(NS, 'ks-apiserver', 2);
    d.status = status;
    c.put('deployments', d);
    return c;
  };

  it('polls until the rollout is complete, reporting each state', async () => {
    const c = cluster({ observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
    const seen: string[] = [];
    let polls = 0;
    const done = await waitForRollout(c, NS, 'ks-apiserver', {
      timeoutMs: 5000,
      pollMs: 1,
      onProgress: (s) => {
        seen.push(s.message);
        if (++polls === 2)
          c.edit('deployments', NS, 'ks-apiserver', (d) => {
            d.status = { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 };
          });
      },
    });
    expect(done).toMatchObject({ done: true, updated: 2, available: 2 });
    expect(seen).toEqual([
      '1 out of 2 new replicas have been updated...',
      '1 out of 2 new replicas have been updated...',
      'deployment "ks-apiserver" successfully rolled out',
    ]);
  });

  it('a progress deadline fails at once, naming the pods and their states', async () => {
    const c = cluster({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', reason: 'ProgressDeadlineExceeded' }],
    });
    c.put('pods', pod('ks-apiserver-a', 'Running', true));
    c.put('pods', pod('ks-apiserver-b', 'Pending', false));
    c.put('pods', pod('ks-apiserver-c', 'Running', true, true));
    c.put('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ks-apiserver-d', namespace: NS } });
    c.put('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ks-apiserver-e', namespace: NS },
      status: { phase: 'Pending' },
    });
    const started = Date.now();
    const err = await waitForRollout(c, NS, 'ks-apiserver', {
      timeoutMs: 60_000,
      podSelector: 'app=ks-apiserver',
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err).toBeInstanceOf(RolloutTimeoutError);
    expect((err as Error).message).toBe(
      'deployment "ks-apiserver" exceeded its progress deadline Pods: ks-apiserver-a Running; ' +
        'ks-apiserver-b Pending, not ready; ks-apiserver-c Terminating; ks-apiserver-d Unknown, not ready; ' +
        'ks-apiserver-e Pending, not ready.',
    );
    expect(c.calls).toContain(`list pods/${NS}?app=ks-apiserver`);
  });

  it('out of time: says what it was waiting for; without a selector it lists no pods', async () => {
    const c = cluster({ observedGeneration: 1, replicas: 3, updatedReplicas: 2, availableReplicas: 2 });
    const err = await waitForRollout(c, NS, 'ks-apiserver', { timeoutMs: 20, pollMs: 5 }).catch(
      (e: unknown) => e,
    );
    expect((err as RolloutTimeoutError).message).toBe(
      'the rollout did not finish in time: 1 old replicas are pending termination...',
    );
    expect((err as RolloutTimeoutError).pods).toEqual([]);
    expect(c.calls.filter((x) => x.startsWith('list'))).toEqual([]);
  });

  it('by default polls about every 100 ms at first: a second-long wait is a handful of reads, not a tight loop', async () => {
    const c = cluster({ observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
    await waitForRollout(c, NS, 'ks-apiserver', { timeoutMs: 1000 }).catch(() => undefined);
    const reads = c.calls.filter((x) => x.startsWith('get deployments/')).length;
    // About 11; a slow machine fires its timers late and reads less, never more.
    expect(reads).toBeGreaterThanOrEqual(4);
    expect(reads).toBeLessThanOrEqual(15);
  });

  it('a Deployment that disappears is an error naming it', async () => {
    const c = new FakeCluster();
    await expect(waitForRollout(c, NS, 'ks-apiserver', { timeoutMs: 1000 })).rejects.toThrow(
      'Deployment kubesphere-system/ks-apiserver disappeared during the rollout',
    );
  });
});
