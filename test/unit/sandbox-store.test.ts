import { beforeEach, describe, expect, it } from 'vitest';
import { registerBuiltinTypes } from '../../src/sandbox/apiserver/builtins.js';
import {
  AlreadyExistsError,
  ClusterStore,
  ConflictError,
  NotFoundError,
} from '../../src/sandbox/apiserver/store.js';
import type { KubeObject, WatchEvent } from '../../src/sandbox/apiserver/store.js';

const cm = (
  name: string,
  data: Record<string, string> = {},
  labels?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'kubesphere-system', ...(labels ? { labels } : {}) },
  data,
});

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'ks-apiserver', namespace: 'kubesphere-system' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'a' } },
    template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'a:1' }] } },
  },
});

describe('ClusterStore', () => {
  let store: ClusterStore;
  let now: Date;
  beforeEach(() => {
    now = new Date('2026-11-28T17:00:00Z');
    store = new ClusterStore({ now: () => now });
    registerBuiltinTypes(store);
  });

  it('fills server-owned metadata on create', () => {
    const created = store.create(cm('kubesphere-config'), { fieldManager: 'kubectl-create' });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toBe('2026-11-28T17:00:00Z');
    expect(created.metadata.resourceVersion).toBe(store.currentResourceVersion());
    expect(created.metadata.generation).toBeUndefined();
    expect(created.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'kubectl-create',
        operation: 'Update',
        time: '2026-11-28T17:00:00Z',
      }),
    ]);
    expect(store.create(deployment()).metadata.generation).toBe(1);
  });

  it('keeps a given creationTimestamp', () => {
    const obj = cm('old');
    obj.metadata.creationTimestamp = '2020-01-01T00:00:00Z';
    expect(store.create(obj).metadata.creationTimestamp).toBe('2020-01-01T00:00:00Z');
  });

  it('refuses duplicate names and unknown types', () => {
    store.create(cm('x'));
    expect(() => store.create(cm('x'))).toThrow(AlreadyExistsError);
    expect(() => store.type('widgets.example.com')).toThrow(NotFoundError);
  });

  it('returns deep copies', () => {
    store.create(cm('x', { a: '1' }));
    const got = store.get('configmaps', 'kubesphere-system', 'x')!;
    (got.data as Record<string, string>).a = 'changed';
    expect(store.get('configmaps', 'kubesphere-system', 'x')!.data).toEqual({ a: '1' });
  });

  it('lists sorted by namespace and name, filtered by selectors', () => {
    store.create(cm('b', {}, { app: 'x' }));
    store.create(cm('a', {}, { app: 'y' }));
    store.create({ ...cm('c'), metadata: { name: 'c', namespace: 'default' } });
    expect(store.list('configmaps').map((o) => o.metadata.name)).toEqual(['c', 'a', 'b']);
    expect(store.list('configmaps', 'kubesphere-system').map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(
      store.list('configmaps', undefined, { labelSelector: 'app in (x)' }).map((o) => o.metadata.name),
    ).toEqual(['b']);
    expect(
      store.list('configmaps', undefined, { fieldSelector: 'metadata.name=a' }).map((o) => o.metadata.name),
    ).toEqual(['a']);
  });

  it('rejects a stale resourceVersion with the real Conflict message', () => {
    const v1 = store.create(cm('kubesphere-config', { a: '1' }));
    store.update({ ...v1, data: { a: '2' } });
    expect(() => store.update({ ...v1, data: { a: '3' } })).toThrow(
      'Operation cannot be fulfilled on configmaps "kubesphere-config": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(() => store.update({ ...v1, data: { a: '3' } })).toThrow(ConflictError);
  });

  it('bumps generation only for changes outside metadata and status', () => {
    const d = store.create(deployment());
    const labelled = store.update({ ...d, metadata: { ...d.metadata, labels: { x: 'y' } } });
    expect(labelled.metadata.generation).toBe(1);
    const spec = structuredClone(labelled.spec) as Record<string, unknown>;
    spec.replicas = 3;
    const scaled = store.update({ ...labelled, spec });
    expect(scaled.metadata.generation).toBe(2);
    expect(Number(scaled.metadata.resourceVersion)).toBeGreaterThan(
      Number(labelled.metadata.resourceVersion),
    );
  });

  it('records the field manager of each update', () => {
    const c = store.create(cm('x'), { fieldManager: 'kubectl-create' });
    now = new Date('2026-11-28T18:00:00Z');
    const u = store.update({ ...c, data: { a: 'b' } }, { fieldManager: 'kubectl-edit' });
    expect(u.metadata.managedFields?.map((m) => [m.manager, m.time])).toEqual([
      ['kubectl-create', '2026-11-28T17:00:00Z'],
      ['kubectl-edit', '2026-11-28T18:00:00Z'],
    ]);
  });

  it('changes only status through the status subresource', () => {
    const d = store.create(deployment());
    const u = store.update(
      { ...d, spec: { replicas: 9 }, status: { observedGeneration: 1 } },
      { subresource: 'status', fieldManager: 'kube-controller-manager' },
    );
    expect((u.spec as Record<string, unknown>).replicas).toBe(1);
    expect(u.status).toEqual({ observedGeneration: 1 });
    expect(u.metadata.generation).toBe(1);
    expect(u.metadata.managedFields?.at(-1)).toMatchObject({
      manager: 'kube-controller-manager',
      subresource: 'status',
    });
  });

  it('treats an identical write as a no-op: same resourceVersion, no event', () => {
    const c = store.create(cm('x', { a: '1' }));
    const events: WatchEvent[] = [];
    store.subscribe((e) => events.push(e));
    expect(store.update(c).metadata.resourceVersion).toBe(c.metadata.resourceVersion);
    expect(events).toEqual([]);
  });

  it('notifies subscribers synchronously with copies, and stops after unsubscribe', () => {
    const events: WatchEvent[] = [];
    const off = store.subscribe((e) => {
      events.push(e);
      e.object.metadata.name = 'mutated';
    });
    const c = store.create(cm('x'));
    store.update({ ...c, data: { a: '1' } });
    store.delete('configmaps', 'kubesphere-system', 'x');
    off();
    store.create(cm('y'));
    expect(events.map((e) => [e.type, e.resource.resource])).toEqual([
      ['ADDED', 'configmaps'],
      ['MODIFIED', 'configmaps'],
      ['DELETED', 'configmaps'],
    ]);
    expect(store.get('configmaps', 'kubesphere-system', 'y')?.metadata.name).toBe('y');
  });

  it('replays changes after a resourceVersion for watches', () => {
    const c = store.create(cm('x'));
    store.update({ ...c, data: { a: '1' } });
    store.delete('configmaps', 'kubesphere-system', 'x');
    const since = store.changesSince(Number(c.metadata.resourceVersion))!;
    expect(since.map((r) => r.event.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(since.at(-1)!.event.object.metadata.resourceVersion).toBe(store.currentResourceVersion());
  });

  it('validates but does not store a dry run', () => {
    const before = store.currentResourceVersion();
    const dry = store.create(cm('x'), { dryRun: true });
    expect(dry.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(store.get('configmaps', 'kubesphere-system', 'x')).toBeUndefined();
    expect(store.currentResourceVersion()).toBe(before);
  });

  it('applies API defaults to built-in kinds', () => {
    const d = store.create(deployment());
    expect(d.spec).toMatchObject({
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    });
    const ns = store.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'x', namespace: 'ignored' },
    });
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.status).toEqual({ phase: 'Active' });
  });
});
