import { describe, expect, it } from 'vitest';
import { checkHostMaxAge } from '../../src/kubesphere/checks/max-age.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/**
 * A host whose accessTokenMaxAge is 0: on 3.3/3.4 KubeSphere's own cluster controller writes `0s` when it sets
 * multicluster.clusterName (kubesphere#5596), and the warning says so; anywhere else it is the file's own value.
 */
function host(file: string, image: string, edit: (yaml: string) => string = (y) => y) {
  return deriveFacts(snapshot({ context: 'host', yaml: edit(fixture(file)), image }));
}
const v34 = 'kubesphere/ks-apiserver:v3.4.1';
const zeroWithName = (y: string) =>
  y
    .replace(/(\n {2}oauthOptions:\n)/, '$1    accessTokenMaxAge: 0s\n')
    .replace('  clusterRole: host', '  clusterRole: host\n  clusterName: host');

describe('checkHostMaxAge', () => {
  it('3.4, clusterName set and 0s as Go writes it: the cluster controller did it', () => {
    const f = host('v3.4-host.yaml', v34, zeroWithName);
    expect(f.family).toBe('3.3-3.4');
    expect(checkHostMaxAge(f)).toEqual({
      id: 'access-token-max-age',
      status: 'warn',
      code: 'host-max-age-zero-upstream',
      args: { value: '0s', path: 'authentication.oauthOptions.accessTokenMaxAge' },
    });
  });

  it('3.4 without clusterName: a 0s is the file’s own', () => {
    const f = host('v3.4-host.yaml', v34, (y) =>
      y.replace(/(\n {2}oauthOptions:\n)/, '$1    accessTokenMaxAge: 0s\n'),
    );
    expect(checkHostMaxAge(f)?.code).toBe('host-max-age-zero');
  });

  it('3.4 with clusterName but a bare 0 (not how Go writes a duration): the file’s own', () => {
    const f = host('v3.4-host.yaml', v34, (y) =>
      zeroWithName(y).replace('accessTokenMaxAge: 0s', 'accessTokenMaxAge: 0'),
    );
    expect(checkHostMaxAge(f)).toEqual({
      id: 'access-token-max-age',
      status: 'warn',
      code: 'host-max-age-zero',
      args: { value: '0', path: 'authentication.oauthOptions.accessTokenMaxAge' },
    });
  });

  it('3.2 with clusterName and 0s: no controller rewrites the file there', () => {
    const f = host(
      'v3.2-host.yaml',
      'kubesphere/ks-apiserver:v3.2.1',
      (y) =>
        y.replace(/(\n {2}oauthOptions:\n)/, '$1    accessTokenMaxAge: 0s\n') +
        'multicluster:\n  clusterName: host\n',
    );
    expect(f.family).not.toBe('3.3-3.4');
    expect(checkHostMaxAge(f)?.code).toBe('host-max-age-zero');
  });

  it('a host whose tokens expire has no finding', () => {
    const f = host('v3.4-host.yaml', v34, (y) =>
      y.replace(/(\n {2}oauthOptions:\n)/, '$1    accessTokenMaxAge: 2h\n'),
    );
    expect(checkHostMaxAge(f)).toBeUndefined();
  });
});
