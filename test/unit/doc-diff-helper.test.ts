import { describe, expect, it } from 'vitest';
import { unintendedChanges, type Intended } from '../helpers/doc-diff.js';

/** The e2e matrix's "only the intended keys changed" check must catch every other change. */
const HOST = 'FAKEhostJwtSecret000000000000000';
const intended: Intended = {
  jwtSecret: (v) => v === HOST,
  accessTokenMaxAge: (v) => v === '0s',
  clusterRole: (v) => v === 'member',
};
const before = [
  'authentication:',
  '  jwtSecret: "FAKEmemberJwtSecret0000000000000"',
  '  oauthOptions:',
  '    accessTokenMaxAge: 2h    # TODO(ops): back to 0',
  'multicluster:',
  '  clusterRole: none',
  '  proxyPublishService: ks-apiserver',
  '',
].join('\n');
const edit = (from: string, to: string) => before.replace(from, to);
const repaired = edit('FAKEmemberJwtSecret0000000000000', HOST)
  .replace('2h    #', '0s    #')
  .replace('clusterRole: none', 'clusterRole: member');

describe('unintendedChanges', () => {
  const noMaxAge = before.replace('    accessTokenMaxAge: 2h    # TODO(ops): back to 0\n', '');
  it.each([
    ['nothing changed', before, before],
    ['every intended key set to its intended value, comments kept', before, repaired],
    [
      'an intended key that was absent is added',
      noMaxAge,
      noMaxAge.replace('  oauthOptions:\n', '  oauthOptions:\n    accessTokenMaxAge: 0s\n'),
    ],
    [
      'an intended key added with the mapping that holds it',
      before.replace('  oauthOptions:\n    accessTokenMaxAge: 2h    # TODO(ops): back to 0\n', ''),
      before.replace('    accessTokenMaxAge: 2h    # TODO(ops): back to 0\n', '    accessTokenMaxAge: 0s\n'),
    ],
  ])('accepts: %s', (_, from, to) => {
    expect(unintendedChanges(from, to, intended)).toEqual([]);
  });

  it.each([
    ['a line added', repaired.replace('multicluster:\n', 'multicluster:\n  enable: true\n')],
    ['a line removed', repaired.replace('  proxyPublishService: ks-apiserver\n', '')],
    [
      'two lines swapped',
      repaired.replace(/( {2}clusterRole: member)\n( {2}proxyPublishService: ks-apiserver)/, '$2\n$1'),
    ],
    ['an unrelated value changed', repaired.replace('ks-apiserver', 'ks-apiserver2')],
    ['an intended key set to another value', edit('2h    #', '1s    #')],
    ["an intended key's comment dropped", edit('2h    # TODO(ops): back to 0', '0s')],
    ['an intended key moved to another indent', edit('    accessTokenMaxAge: 2h', '  accessTokenMaxAge: 0s')],
    ['a bare mapping key added alone', repaired.replace('multicluster:\n', 'multicluster:\n  extra:\n')],
    ['a line added at the end', `${repaired}# trailer\n`],
    ['the last line removed', repaired.slice(0, -1)],
  ])('rejects: %s', (_, after) => {
    expect(unintendedChanges(before, after, intended)).toHaveLength(1);
  });

  it('never quotes a value in its problems', () => {
    const [problem] = unintendedChanges(before, edit('"FAKEmember', '"FAKEother'), intended);
    expect(problem).toBe('line 2 changed, or a line was added, removed or moved there (now line 2)');
  });
});
