import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerBuiltinTypes } from '../../src/sandbox/apiserver/builtins.js';
import { DeploymentController, seedDeployment } from '../../src/sandbox/apiserver/deployments.js';
import { LogStore } from '../../src/sandbox/apiserver/logs.js';
import { ClusterStore } from '../../src/sandbox/apiserver/store.js';
import type { KubeObject } from '../../src/sandbox/apiserver/store.js';

type Obj = Record<string, unknown>;
const NS = 'kubesphere-system';

function deployment(extra: Obj = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'ks-apiserver', namespace: NS, labels: { app: 'ks-apiserver' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'ks-apiserver' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'ks-apiserver' } },
        spec: { containers: [{ name: 'ks-apiserver', image: 'kubesphere/ks-apiserver:v3.4.1' }] },
      },
      ...extra,
    },
  };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const spec = (o: KubeObject): Obj => o.spec as Obj;
const status = (o: KubeObject): Obj => (o.status ?? {}) as Obj;
const conditions = (o: KubeObject): Obj[] => (status(o).conditions ?? []) as Obj[];
const progressing = (o: KubeObject): Obj | undefined => conditions(o).find((c) => c.type === 'Progressing');

describe('DeploymentController', () => {
  let store: ClusterStore;
  let logs: LogStore;
  let controller: DeploymentController;
  let started: string[];
  let stopped: string[];

  beforeEach(() => {
    store = new ClusterStore();
    registerBuiltinTypes(store);
    logs = new LogStore();
    started = [];
    stopped = [];
    controller = new DeploymentController({
      store,
      logs,
      podStartMs: 40,
      podStopMs: 20,
      onPodStarted: (p) => {
        started.push(p.metadata.name);
        logs.append(NS, p.metadata.name, 'ks-apiserver', { time: new Date(), text: 'started' });
      },
      onPodStopped: (p) => stopped.push(p.metadata.name),
    });
  });
  afterEach(() => controller.stop());

  const get = (): KubeObject => store.get('deployments.apps', NS, 'ks-apiserver')!;
  const pods = (): KubeObject[] => store.list('pods', NS);
  const complete = (): boolean => {
    const d = get();
    const s = status(d);
    return (
      s.observedGeneration === d.metadata.generation &&
      s.updatedReplicas === 3 &&
      s.availableReplicas === 3 &&
      s.replicas === 3
    );
  };

  it('seeds a finished rollout without waiting and reports its pods', () => {
    const startedAt = new Date('2026-11-25T10:00:00Z');
    const seeded = seedDeployment(store, deployment(), {
      startedAt,
      onPodStarted: (p) => started.push(p.metadata.name),
    });
    expect(seeded.pods).toHaveLength(3);
    expect(started.sort()).toEqual(seeded.pods.map((p) => p.metadata.name).sort());
    expect(seeded.replicaSet.metadata.name).toMatch(/^ks-apiserver-[bcdfghjklmnpqrstvwxz2456789]+$/);
    for (const p of seeded.pods) {
      expect(p.metadata.name.startsWith(`${seeded.replicaSet.metadata.name}-`)).toBe(true);
      expect(p.metadata.creationTimestamp).toBe('2026-11-25T10:00:00Z');
      expect(status(p)).toMatchObject({ phase: 'Running', startTime: '2026-11-25T10:00:00Z' });
    }
    expect(complete()).toBe(true);
    expect(progressing(get())).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('rolls out a template change with maxSurge 0: never more than 3 pods, never fewer than 2 ready', async () => {
    controller.seed(deployment());
    controller.start();
    const seen: { active: number; ready: number }[] = [];
    store.subscribe((e) => {
      if (e.resource.resource !== 'pods') return;
      const active = pods().filter((p) => !p.metadata.deletionTimestamp);
      const ready = active.filter((p) =>
        conditions(p).some((c) => c.type === 'Ready' && c.status === 'True'),
      );
      seen.push({ active: active.length, ready: ready.length });
    });
    const oldPods = pods().map((p) => p.metadata.name);
    const d = get();
    const template = spec(d).template as Obj;
    template.metadata = {
      ...(template.metadata as Obj),
      annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' },
    };
    const patched = store.update(d, { fieldManager: 'kubectl-rollout' });
    expect(patched.metadata.generation).toBe(2);

    await waitFor(() => complete() && pods().length === 3);
    expect(Math.max(...seen.map((s) => s.active))).toBe(3);
    expect(Math.min(...seen.map((s) => s.ready))).toBeGreaterThanOrEqual(2);
    const rss = store.list('replicasets.apps', NS);
    const newRS = rss.find((rs) => spec(rs).replicas === 3)!;
    expect(newRS.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    expect(get().metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('2');
    for (const p of pods()) {
      expect(p.metadata.labels?.['pod-template-hash']).toBe(newRS.metadata.labels?.['pod-template-hash']);
      expect(p.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'ReplicaSet', name: newRS.metadata.name }),
      ]);
    }
    expect(progressing(get())).toMatchObject({ reason: 'NewReplicaSetAvailable' });
    expect(stopped.sort()).toEqual(oldPods.sort());
    for (const name of oldPods) expect(logs.lines(NS, name, 'ks-apiserver')).toBeUndefined();
    // controller.seed reports the three seeded pods too, so the simulation can backfill their logs.
    expect(started.filter((n) => !oldPods.includes(n))).toHaveLength(3);
    expect(started).toHaveLength(6);
  });

  it('creates a deployment from scratch with the real status conditions', async () => {
    controller.start();
    store.create(deployment());
    await waitFor(() => status(get()).availableReplicas === 3);
    const d = get();
    expect(status(d)).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
    });
    expect(conditions(d).find((c) => c.type === 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
    const pod = pods()[0]!;
    expect(spec(pod).nodeName).toBe('node1');
    expect(status(pod)).toMatchObject({ phase: 'Running', podIP: expect.stringMatching(/^10\.233\./) });
    expect((status(pod).containerStatuses as Obj[])[0]).toMatchObject({
      name: 'ks-apiserver',
      ready: true,
      started: true,
      restartCount: 0,
      image: 'kubesphere/ks-apiserver:v3.4.1',
      imageID: expect.stringMatching(/^docker\.io\/kubesphere\/ks-apiserver@sha256:/),
      containerID: expect.stringMatching(/^containerd:\/\//),
      state: { running: { startedAt: expect.any(String) } },
    });
  });

  it('observes but does not roll out a paused deployment, then resumes', async () => {
    controller.seed(deployment());
    controller.start();
    let d = get();
    spec(d).paused = true;
    ((spec(d).template as Obj).spec as { containers: Obj[] }).containers[0]!.image =
      'kubesphere/ks-apiserver:v3.4.2';
    store.update(d);
    await waitFor(() => progressing(get())?.reason === 'DeploymentPaused');
    d = get();
    expect(status(d).observedGeneration).toBe(d.metadata.generation);
    expect(status(d).updatedReplicas).toBeUndefined();
    expect(store.list('replicasets.apps', NS)).toHaveLength(1);
    delete spec(d).paused;
    store.update(d);
    await waitFor(complete);
    expect(store.list('replicasets.apps', NS)).toHaveLength(2);
  });

  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    controller.stop();
    controller = new DeploymentController({ store, logs, podStartMs: 60_000 });
    controller.start();
    store.create(deployment({ progressDeadlineSeconds: 1 }));
    await waitFor(() => progressing(get())?.reason === 'ProgressDeadlineExceeded', 4000);
    expect(progressing(get())).toMatchObject({ status: 'False' });
  });

  it('replaces a deleted pod and reports the stop', async () => {
    controller.seed(deployment());
    controller.start();
    const victim = pods()[0]!.metadata.name;
    store.delete('pods', NS, victim);
    await waitFor(() => pods().filter((p) => status(p).phase === 'Running').length === 3);
    expect(pods().map((p) => p.metadata.name)).not.toContain(victim);
    expect(stopped).toEqual([victim]);
  });

  it('scales down to the new replica count', async () => {
    controller.seed(deployment());
    controller.start();
    const d = get();
    spec(d).replicas = 1;
    store.update(d);
    await waitFor(() => pods().length === 1 && status(get()).replicas === 1);
    expect(status(get())).toMatchObject({ replicas: 1, availableReplicas: 1, updatedReplicas: 1 });
  });

  it('does nothing after stop()', async () => {
    controller.start();
    store.create(deployment());
    await waitFor(() => pods().length === 3);
    controller.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(pods().every((p) => status(p).phase === 'Pending')).toBe(true);
  });
});
