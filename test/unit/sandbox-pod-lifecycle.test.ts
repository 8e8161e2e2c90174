import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerBuiltinTypes } from '../../src/sandbox/apiserver/builtins.js';
import { LogStore } from '../../src/sandbox/apiserver/logs.js';
import { ClusterStore } from '../../src/sandbox/apiserver/store.js';
import type { KubeObject } from '../../src/sandbox/apiserver/store.js';
import { storeApi } from '../../src/sandbox/cluster-api.js';
import type { ClusterApi } from '../../src/sandbox/cluster-api.js';
import { PodLifecycle } from '../../src/sandbox/pod-lifecycle.js';

type Obj = Record<string, unknown>;
const NS = 'kubesphere-system';

const pod = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { app: 'ks-apiserver' } },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'ks-apiserver', image: 'kubesphere/ks-apiserver:v4.1.3' }],
  },
});

/**
 * The store's API, where the first write that reports a pod Running is answered by `fail` instead of the
 * store's answer: `landed` decides whether the store took the write first (an answer lost after the commit,
 * as a loaded kube-apiserver's timeout or a reset gives) or not (a refusal).
 */
function lossyApi(
  store: ClusterStore,
  landed: boolean,
  fail: unknown,
): { api: ClusterApi; failed: () => number } {
  const base = storeApi(store);
  let failed = 0;
  const api: ClusterApi = {
    ...base,
    update: async (obj, opts) => {
      const running = opts?.subresource === 'status' && (obj.status as Obj | undefined)?.phase === 'Running';
      if (!running || failed > 0) return base.update(obj, opts);
      failed++;
      if (landed) await base.update(obj, opts);
      throw fail;
    },
  };
  return { api, failed: () => failed };
}

describe('PodLifecycle: a pod is reported started exactly once, whatever happened to the write', () => {
  let lifecycle: PodLifecycle | undefined;
  afterEach(() => lifecycle?.stop());

  it.each([
    ['the write landed and its answer was a 504', true, Object.assign(new Error('timeout'), { code: 504 })],
    [
      'the write landed and the connection was reset',
      true,
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    ],
    [
      'the write was refused with a 409 (the cache lagged)',
      false,
      Object.assign(new Error('conflict'), { code: 409 }),
    ],
    ['the write was refused with a 503', false, Object.assign(new Error('unavailable'), { code: 503 })],
  ])('%s', async (_what, landed, fail) => {
    const store = new ClusterStore();
    registerBuiltinTypes(store);
    const { api, failed } = lossyApi(store, landed, fail);
    const started: KubeObject[] = [];
    lifecycle = new PodLifecycle({
      api,
      logs: new LogStore(),
      runsOn: (node) => node === 'node-1',
      podStartMs: 20,
      onPodStarted: (p) => started.push(p),
    });
    lifecycle.start();
    const created = store.create(pod('ks-apiserver-0'));

    await vi.waitFor(() => expect(started.length).toBeGreaterThan(0), { timeout: 5000, interval: 10 });
    // Retries go on for a while (backing off); give a second report time to show.
    await new Promise((r) => setTimeout(r, 300));

    expect(failed()).toBe(1);
    expect(started.map((p) => p.metadata.uid)).toEqual([created.metadata.uid]);
    const now = store.get('pods', NS, 'ks-apiserver-0')!;
    expect((now.status as Obj).phase).toBe('Running');
    expect((started[0]!.status as Obj).phase).toBe('Running');
  });
});
