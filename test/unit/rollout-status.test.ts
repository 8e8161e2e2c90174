import { describe, expect, it } from 'vitest';
import { rolloutState } from '../../src/repair/rollout.js';

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
