import { describe, expect, it } from 'vitest';
import {
  cacheSectionForVersion,
  FAMILY_RULES,
  ksVersionFromImage,
  layoutForVersion,
  parseKsVersion,
  versionFamily,
} from '../../src/kubesphere/config/version.js';

describe('ksVersionFromImage', () => {
  it.each<[string, [number, number, number] | undefined]>([
    ['kubesphere/ks-apiserver:v3.4.1', [3, 4, 1]],
    ['kubesphere/ks-apiserver:v3.0.0', [3, 0, 0]],
    ['registry.cn-beijing.aliyuncs.com/kubesphereio/ks-apiserver:v3.3.2', [3, 3, 2]],
    ['harbor.local:5000/kubesphere/ks-apiserver:v3.1.1', [3, 1, 1]],
    ['docker.io/kubesphere/ks-apiserver:v4.1.3', [4, 1, 3]],
    ['kubesphere/ks-apiserver:v4.1.3-rc.0', [4, 1, 3]],
    ['kubesphere/ks-apiserver:v3.3.0-patch.0', [3, 3, 0]],
    ['kubesphere/ks-apiserver:v3.2.1@sha256:0123abcd', [3, 2, 1]],
    ['kubesphere/ks-apiserver:3.4', [3, 4, 0]],
    ['kubesphere/ks-apiserver:latest', undefined],
    ['kubesphere/ks-apiserver', undefined],
    ['harbor.local:5000/kubesphere/ks-apiserver', undefined],
    ['kubesphere/ks-apiserver@sha256:0123abcd', undefined],
  ])('%s', (image, expected) => {
    const v = ksVersionFromImage(image);
    expect(v ? [v.major, v.minor, v.patch] : undefined).toEqual(expected);
  });

  it('keeps the tag as written', () => {
    expect(ksVersionFromImage('kubesphere/ks-apiserver:v4.1.3-rc.0')?.text).toBe('v4.1.3-rc.0');
  });
});

describe('families and layouts', () => {
  it.each<[string, string | undefined, string | undefined, 'redis' | 'cache']>([
    ['v3.0.0', '3.0-3.2', 'v3', 'redis'],
    ['v3.1.1', '3.0-3.2', 'v3', 'redis'],
    ['v3.2.1', '3.0-3.2', 'v3', 'redis'],
    ['v3.3.1', '3.3-3.4', 'v3', 'redis'],
    ['v3.3.2', '3.3-3.4', 'v3', 'cache'],
    ['v3.4.1', '3.3-3.4', 'v3', 'cache'],
    ['v4.1.3', '4.x', 'v4', 'cache'],
    ['v2.1.1', undefined, undefined, 'redis'],
    ['v3.5.0', undefined, undefined, 'cache'],
  ])('%s → %s, layout %s, %s section', (text, family, layout, cache) => {
    const v = parseKsVersion(text);
    if (!v) throw new Error('unparsed');
    expect(versionFamily(v)).toBe(family);
    expect(layoutForVersion(v)).toBe(layout);
    expect(cacheSectionForVersion(v)).toBe(cache);
  });

  it('only 3.3+ files carry the role; only 3.x installers re-render the file; only 4.x members run ks-agent', () => {
    expect(FAMILY_RULES['3.0-3.2']).toMatchObject({
      roleKeyInConfig: false,
      installerOwnsConfig: true,
      memberRunsKsAgent: false,
    });
    expect(FAMILY_RULES['3.3-3.4']).toMatchObject({
      roleKeyInConfig: true,
      installerOwnsConfig: true,
      hotReloadsConfig: true,
    });
    expect(FAMILY_RULES['4.x']).toMatchObject({
      layout: 'v4',
      installerOwnsConfig: false,
      memberRunsKsAgent: true,
    });
  });

  it.each(['', 'v3', 'three', 'v3.x.1'])('%j is no version', (text) => {
    expect(parseKsVersion(text)).toBeUndefined();
  });
});
