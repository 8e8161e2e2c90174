import { describe, expect, it } from 'vitest';
import { applyJsonPatch, JsonPatchError } from '../../src/sandbox/apiserver/json-patch.js';
import { applyPatch, mergePatch } from '../../src/sandbox/apiserver/patch.js';
import { HttpError } from '../../src/sandbox/apiserver/status.js';
import { strategicMerge } from '../../src/sandbox/apiserver/strategic-merge.js';

const podSpec = {
  containers: [
    {
      name: 'ks-apiserver',
      image: 'a:1',
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
      ports: [{ containerPort: 9090 }],
    },
    { name: 'sidecar', image: 's:1' },
  ],
  volumes: [{ name: 'config', configMap: { name: 'kubesphere-config' } }],
};

describe('strategic merge patch', () => {
  it('merges containers and env by name, keeping the others', () => {
    const out = strategicMerge(podSpec, {
      containers: [
        {
          name: 'ks-apiserver',
          image: 'a:2',
          env: [
            { name: 'B', value: 'x' },
            { name: 'C', value: '3' },
          ],
        },
      ],
    }) as typeof podSpec;
    expect(out.containers.map((c) => [c.name, c.image])).toEqual([
      ['ks-apiserver', 'a:2'],
      ['sidecar', 's:1'],
    ]);
    expect(out.containers[0]!.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x' },
      { name: 'C', value: '3' },
    ]);
    expect(out.containers[0]!.ports).toEqual([{ containerPort: 9090 }]);
  });

  it('adds the restartedAt annotation the way kubectl rollout restart patches it', () => {
    const deployment = { spec: { template: { metadata: { labels: { app: 'a' } }, spec: podSpec } } };
    const out = strategicMerge(deployment, {
      spec: {
        template: {
          metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-28T17:12:48Z' } },
        },
      },
    });
    expect(out).toEqual({
      spec: {
        template: {
          metadata: {
            labels: { app: 'a' },
            annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-28T17:12:48Z' },
          },
          spec: podSpec,
        },
      },
    });
  });

  it('honours null, $patch: delete, $patch: replace and $setElementOrder', () => {
    expect(strategicMerge({ a: 1, b: 2 }, { a: null })).toEqual({ b: 2 });
    const deleted = strategicMerge(podSpec, {
      containers: [{ name: 'sidecar', $patch: 'delete' }],
    }) as typeof podSpec;
    expect(deleted.containers.map((c) => c.name)).toEqual(['ks-apiserver']);
    expect(strategicMerge({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } })).toEqual({
      m: { c: 3 },
    });
    const reordered = strategicMerge(podSpec, {
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'ks-apiserver' }],
    }) as typeof podSpec;
    expect(reordered.containers.map((c) => c.name)).toEqual(['sidecar', 'ks-apiserver']);
  });

  it('replaces lists without a merge key', () => {
    expect(strategicMerge({ args: ['a', 'b'] }, { args: ['c'] })).toEqual({ args: ['c'] });
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: ['b'] }, { a: ['c'] }, { a: ['c'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  ])('%j + %j = %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { metadata: { annotations: { 'a/b': '1' } }, list: [1, 2] };
  it('adds, removes, replaces, moves and copies, with ~1 escapes', () => {
    expect(
      applyJsonPatch(doc, [
        { op: 'replace', path: '/metadata/annotations/a~1b', value: '2' },
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/list/0' },
        { op: 'copy', from: '/list', path: '/copy' },
        { op: 'move', from: '/copy', path: '/moved' },
      ]),
    ).toEqual({ metadata: { annotations: { 'a/b': '2' } }, list: [2, 3], moved: [2, 3] });
    expect(doc.list).toEqual([1, 2]);
  });

  it('fails a test op on mismatch', () => {
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/list/0', value: 9 }])).toThrow(JsonPatchError);
    expect(applyJsonPatch(doc, [{ op: 'test', path: '/list/0', value: 1 }])).toEqual(doc);
  });

  it('answers a failed test with 422 through applyPatch', () => {
    const body = Buffer.from(JSON.stringify([{ op: 'test', path: '/list/0', value: 9 }]));
    expect(() => applyPatch(doc, 'application/json-patch+json', body, true)).toThrow(
      expect.objectContaining({ code: 422, reason: 'Invalid' }),
    );
  });
});

describe('patch content types', () => {
  const body = Buffer.from('{"a":1}');
  it('refuses strategic merge for custom resources with 415', () => {
    expect(() => applyPatch({}, 'application/strategic-merge-patch+json', body, false)).toThrow(HttpError);
    expect(() => applyPatch({}, 'application/strategic-merge-patch+json', body, false)).toThrow(
      expect.objectContaining({ code: 415 }),
    );
    expect(applyPatch({}, 'application/merge-patch+json; charset=utf-8', body, false)).toEqual({ a: 1 });
  });
  it('refuses server-side apply and unknown types with 415', () => {
    expect(() => applyPatch({}, 'application/apply-patch+yaml', body, true)).toThrow(
      expect.objectContaining({ code: 415 }),
    );
    expect(() => applyPatch({}, 'text/plain', body, true)).toThrow(expect.objectContaining({ code: 415 }));
  });
});
