import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/output/diff.js';

describe('unifiedDiff', () => {
  const before = ['a: 1', 'b: 2', 'c: 3', 'd: 4', 'e: 5', 'f: 6', 'g: 7', 'h: 8', 'i: 9'].join('\n') + '\n';

  it('is empty for equal texts', () => {
    expect(unifiedDiff(before, before, { from: 'x', to: 'y' })).toBe('');
  });

  it('shows a changed line with three lines of context and correct hunk header', () => {
    const after = before.replace('e: 5', 'e: 0s');
    const diff = unifiedDiff(before, after, { from: 'old', to: 'new' }).split('\n');
    expect(diff.slice(0, 3)).toEqual(['--- old', '+++ new', '@@ -2,7 +2,7 @@']);
    expect(diff).toContain('-e: 5');
    expect(diff).toContain('+e: 0s');
    expect(diff).toContain(' b: 2');
    expect(diff).not.toContain(' a: 1');
  });

  it('shows inserted lines', () => {
    const after = before.replace('c: 3\n', 'c: 3\n  new: 0s\n');
    const diff = unifiedDiff(before, after, { from: 'old', to: 'new' });
    expect(diff).toContain('+  new: 0s');
    expect(diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
  });
});
