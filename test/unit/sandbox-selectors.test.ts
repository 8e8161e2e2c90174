import { describe, expect, it } from 'vitest';
import { SelectorError } from '../../src/sandbox/apiserver/errors.js';
import { matchesLabels, objectMatcher, parseLabelSelector } from '../../src/sandbox/apiserver/selectors.js';
import type { KubeObject } from '../../src/sandbox/apiserver/types.js';

const labels = { app: 'ks-apiserver', tier: 'backend', version: '3' };

describe('label selectors', () => {
  it.each([
    ['app=ks-apiserver', true],
    ['app==ks-apiserver', true],
    ['app!=ks-apiserver', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['app in (ks-console, ks-apiserver)', true],
    ['app in (ks-console)', false],
    ['app notin (ks-console)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=ks-apiserver,tier=backend', true],
    ['app=ks-apiserver,tier=frontend', false],
    ['version>2', true],
    ['version<3', false],
    ['', true],
  ])('%s -> %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['app=a,', 'app in x', 'a b', 'in=a', 'app in (a', 'version>x'])('rejects %j', (selector) => {
    expect(() => parseLabelSelector(selector)).toThrow(SelectorError);
  });
});

describe('field selectors', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'kubesphere-system' },
    spec: { nodeName: 'node1' },
    status: { phase: 'Running' },
  };
  it.each([
    ['metadata.name=p', true],
    ['metadata.name==p', true],
    ['metadata.name!=p', false],
    ['metadata.namespace=kubesphere-system,status.phase=Running', true],
    ['status.phase=Pending', false],
    ['spec.nodeName=node1', true],
  ])('%s -> %s', (selector, expected) => {
    expect(objectMatcher('Pod', undefined, selector)(pod)).toBe(expected);
  });

  it('rejects field labels the kind does not support, like a real server', () => {
    expect(() => objectMatcher('ConfigMap', undefined, 'spec.nodeName=x')).toThrow(
      'field label not supported: spec.nodeName',
    );
    expect(() => objectMatcher('Pod', undefined, 'metadata.name')).toThrow(SelectorError);
  });
});
