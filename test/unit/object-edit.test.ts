import { describe, expect, it } from 'vitest';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';
import { applyObjectEdits, valueAt, type ObjectEdit } from '../../src/kubesphere/repair/object-edit.js';

/** The edits repair replays on a fresh copy after a conflict: exactly what they say, nothing else. */
const cm = (data: Record<string, string> | undefined): ObjectJson => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: 'kubesphere-system' },
  ...(data ? { data } : {}),
});
const yamlEdit = (key: string, path: string[], value: string): ObjectEdit => ({
  kind: 'config-yaml',
  key,
  path,
  value,
  secret: false,
});

describe('applyObjectEdits', () => {
  it('edits each YAML key with its own edits only; other keys and the input object stay as they were', () => {
    const obj = cm({ a: 'x:\n  y: one\n', b: 'x:\n  y: two\n', other: 'x:\n  y: three\n' });
    const res = applyObjectEdits(obj, [
      yamlEdit('a', ['x', 'y'], 'ten'),
      yamlEdit('b', ['x', 'y'], 'twenty'),
    ]);
    expect(res).toEqual({
      ok: true,
      changed: true,
      after: cm({ a: 'x:\n  y: ten\n', b: 'x:\n  y: twenty\n', other: 'x:\n  y: three\n' }),
    });
    expect(obj).toEqual(cm({ a: 'x:\n  y: one\n', b: 'x:\n  y: two\n', other: 'x:\n  y: three\n' }));
  });

  it('a YAML edit that changes nothing: not changed', () => {
    expect(applyObjectEdits(cm({ a: 'x:\n  y: one\n' }), [yamlEdit('a', ['x', 'y'], 'one')])).toEqual({
      ok: true,
      changed: false,
      after: cm({ a: 'x:\n  y: one\n' }),
    });
  });

  it.each([
    ['no data at all', undefined],
    ['no such key', { other: 'x: 1\n' }],
  ])('the ConfigMap has %s: refused, naming the key', (_, data) => {
    expect(applyObjectEdits(cm(data), [yamlEdit('kubesphere.yaml', ['x'], '1')])).toEqual({
      ok: false,
      reason: 'the ConfigMap has no kubesphere.yaml key',
    });
  });

  it('a YAML edit that cannot be made safely is refused with its reason', () => {
    const res = applyObjectEdits(cm({ a: 'x: [1, 2]\n' }), [yamlEdit('a', ['x', 'y'], '1')]);
    expect(res.ok).toBe(false);
    expect(res.ok ? '' : res.reason).toMatch(/^x\.y: /);
  });

  it('field edits create what is missing, replace a scalar in the way, and report no change when equal', () => {
    const obj = {
      metadata: { name: 'cc' },
      spec: { a: 'scalar', b: null, same: { v: 'member' } },
    } as ObjectJson;
    const res = applyObjectEdits(obj, [
      { kind: 'field', path: ['spec', 'a', 'x'], value: '1' },
      { kind: 'field', path: ['spec', 'b', 'y'], value: '2' },
      { kind: 'field', path: ['spec', 'new', 'z'], value: '3' },
    ]);
    expect(res).toEqual({
      ok: true,
      changed: true,
      after: {
        metadata: { name: 'cc' },
        spec: { a: { x: '1' }, b: { y: '2' }, new: { z: '3' }, same: { v: 'member' } },
      },
    });
    expect(applyObjectEdits(obj, [{ kind: 'field', path: ['spec', 'same', 'v'], value: 'member' }])).toEqual({
      ok: true,
      changed: false,
      after: obj,
    });
  });

  it('secret-data edits store base64, add data when there is none, and report no change when equal', () => {
    const secret = (data?: Record<string, string>) => ({
      metadata: { name: 's' },
      ...(data ? { data } : {}),
    });
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    expect(applyObjectEdits(secret(), [{ kind: 'secret-data', key: 'secret', value: 'ünï' }])).toEqual({
      ok: true,
      changed: true,
      after: secret({ secret: b64('ünï') }),
    });
    expect(
      applyObjectEdits(secret({ secret: b64('v'), token: 't' }), [
        { kind: 'secret-data', key: 'secret', value: 'v' },
      ]),
    ).toEqual({ ok: true, changed: false, after: secret({ secret: b64('v'), token: 't' }) });
  });
});

describe('valueAt', () => {
  it.each([
    [['a', 'b'], 1],
    [['a', 'missing'], undefined],
    [['a', 'b', 'c'], undefined],
    [['n', 'x'], undefined],
  ])('%j → %j', (path, expected) => {
    expect(valueAt({ a: { b: 1 }, n: null }, path)).toBe(expected);
  });
});
