import { describe, expect, it } from 'vitest';
import { fenceposts, scaledValue, templateHash } from '../../src/sandbox/apiserver/rollout.js';
import type { KubeObject } from '../../src/sandbox/apiserver/types.js';

const deploy = (replicas: number, maxSurge?: unknown, maxUnavailable?: unknown): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
});

describe('rollout arithmetic', () => {
  it.each([
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['50%', 3, true, 2],
    ['50%', 3, false, 1],
    [2, 3, false, 2],
    ['2', 3, true, 2],
    ['0%', 10, true, 0],
  ])('scaledValue(%j of %i, roundUp=%s) = %i', (v, total, roundUp, expected) => {
    expect(scaledValue(v, total, roundUp)).toBe(expected);
  });

  it.each([
    [3, undefined, undefined, { maxSurge: 1, maxUnavailable: 0 }],
    [3, 0, '25%', { maxSurge: 0, maxUnavailable: 1 }], // both zero would deadlock: unavailable becomes 1
    [3, 0, 0, { maxSurge: 0, maxUnavailable: 1 }],
    [4, '50%', '50%', { maxSurge: 2, maxUnavailable: 2 }],
    [1, 1, 0, { maxSurge: 1, maxUnavailable: 0 }],
  ])('fenceposts for %i replicas, surge %j, unavailable %j', (replicas, surge, unavailable, expected) => {
    expect(fenceposts(deploy(replicas, surge, unavailable))).toEqual(expected);
  });

  it('hashes templates stably, ignoring key order, in the pod-template-hash alphabet', () => {
    const a = templateHash({
      metadata: { labels: { app: 'a' } },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    });
    const b = templateHash({
      spec: { containers: [{ image: 'x', name: 'a' }] },
      metadata: { labels: { app: 'a' } },
    });
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash({ spec: { containers: [{ name: 'a', image: 'y' }] } })).not.toBe(a);
  });
});
