import { describe, expect, it } from 'vitest';
import { selectorMatches, selectorRequires } from '../../src/kubesphere/cluster/selector.js';
import type { ObjectJson } from '../../src/kubesphere/cluster/snapshot.js';

const deployment = (selector: unknown): ObjectJson => ({ metadata: { name: 'd' }, spec: { selector } });

describe('selectorMatches: Kubernetes label selector semantics', () => {
  const sel = deployment({
    matchLabels: { app: 'ks-apiserver', tier: 'backend' },
    matchExpressions: [
      { key: 'version', operator: 'In', values: ['v3.4.1', 'v3.4.0'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'owner', operator: 'Exists' },
    ],
  });
  const base = { app: 'ks-apiserver', tier: 'backend', version: 'v3.4.1', owner: 'x' };
  it.each([
    ['all requirements met', base, true],
    ['a matchLabels value differs', { ...base, tier: 'frontend' }, false],
    ['a matchLabels key is missing', { app: 'ks-apiserver', version: 'v3.4.1', owner: 'x' }, false],
    ['In: value not listed', { ...base, version: 'v3.3.2' }, false],
    ['DoesNotExist: present', { ...base, canary: 'true' }, false],
    ['NotIn: listed value', { ...base, zone: 'b' }, false],
    ['NotIn: other value', { ...base, zone: 'a' }, true],
    ['Exists: missing', { app: 'ks-apiserver', tier: 'backend', version: 'v3.4.1' }, false],
  ])('%s', (_, labels, expected) => {
    expect(selectorMatches(sel, labels)).toBe(expected);
  });

  it('no labels or no selector match nothing; an unknown operator matches nothing', () => {
    expect(selectorMatches(deployment({ matchLabels: { app: 'a' } }), undefined)).toBe(false);
    expect(selectorMatches({ metadata: {} }, { app: 'a' })).toBe(false);
    expect(
      selectorMatches(deployment({ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }), {
        app: '2',
      }),
    ).toBe(false);
  });
});

describe('selectorRequires: every selected pod carries key in values', () => {
  const apps = ['ks-apiserver', 'ks-agent'];
  it.each([
    ['matchLabels app: ks-apiserver', { matchLabels: { app: 'ks-apiserver', tier: 'backend' } }, true],
    ['matchLabels app: ks-agent', { matchLabels: { app: 'ks-agent' } }, true],
    ['matchLabels app: something else', { matchLabels: { app: 'ks-api' } }, false],
    ['no app label', { matchLabels: { tier: 'backend' } }, false],
    ['app In a subset', { matchExpressions: [{ key: 'app', operator: 'In', values: ['ks-agent'] }] }, true],
    [
      'app In a wider set',
      { matchExpressions: [{ key: 'app', operator: 'In', values: ['ks-agent', 'other'] }] },
      false,
    ],
    ['app NotIn', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['x'] }] }, false],
    ['app Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, false],
    ['no selector', undefined, false],
  ])('%s', (_, selector, expected) => {
    expect(selectorRequires(deployment(selector), 'app', apps)).toBe(expected);
  });
});
