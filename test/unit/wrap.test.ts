import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/output/sanitize.js';
import { hanging, outputWidth, wrapCommand, wrapWords } from '../../src/output/wrap.js';

describe('outputWidth', () => {
  it.each([
    ['$COLUMNS wins over the terminal', { isTTY: true, columns: 200 }, { COLUMNS: '100' }, 100],
    ['$COLUMNS in a pipe', {}, { COLUMNS: '80' }, 80],
    ["the terminal's width", { isTTY: true, columns: 132 }, {}, 132],
    ['a pipe without $COLUMNS: no wrapping', { isTTY: false, columns: 132 }, {}, undefined],
    ['a terminal that reports 0 columns', { isTTY: true, columns: 0 }, {}, undefined],
    ['an unusable $COLUMNS is ignored', { isTTY: true, columns: 90 }, { COLUMNS: 'wide' }, 90],
    ['COLUMNS=0 is ignored', {}, { COLUMNS: '0' }, undefined],
  ])('%s', (_name, stream, env, want) => {
    expect(outputWidth(stream, env)).toBe(want);
  });
});

describe('wrapWords', () => {
  const text =
    'the host sees Cluster member-8 as not ready (Ready): Cluster is Not Ready now, check the connection';

  it('breaks at spaces into lines no longer than the width, keeping every word', () => {
    const lines = wrapWords(text, 40);
    expect(lines.length).toBeGreaterThan(2);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    expect(lines.join(' ')).toBe(text);
  });

  it('without a width, one line as given', () => {
    expect(wrapWords(text, undefined)).toEqual([text]);
  });

  it('splits a word longer than a line between escapes, never inside one', () => {
    const hostile = terminalSafe(`x${'\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J\u202e\t'.repeat(4)}`);
    for (const width of [30, 31, 32, 33, 34, 35, 36, 37]) {
      const lines = wrapWords(hostile, width);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.join('')).toBe(hostile);
      for (const l of lines) {
        expect(l.length).toBeLessThanOrEqual(width);
        // Each piece is whole escapes and plain characters: no piece ends in a cut-off escape.
        expect(l).toMatch(/^(?:\\u[0-9a-f]{4}|\\[tnr]|[^\\])*$/);
      }
    }
  });
});

describe('hanging', () => {
  it('continues under the given indent; the prefix only on the first line', () => {
    const lines = hanging('  ✖ id  ', 8, 'one two three four five six seven eight nine ten eleven', {
      width: 40,
      indent: 10,
    });
    expect(lines[0]).toMatch(/^ {2}✖ id {2}one/);
    for (const l of lines.slice(1)) expect(l).toMatch(/^ {10}\S/);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(40);
  });
});

describe('wrapCommand', () => {
  const words = [
    'ks-restore',
    'repair',
    '--host',
    'host',
    ...Array.from({ length: 8 }, (_, i) => ['--member', `member-${i + 1}`]).flat(),
  ];

  it('continues with a backslash, so the wrapped command pastes as one', () => {
    const lines = wrapCommand(words, 2, 60);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    for (const l of lines.slice(0, -1)) expect(l).toMatch(/ \\$/);
    expect(
      lines
        .join('\n')
        .replace(/ \\\n +/g, ' ')
        .trim(),
    ).toBe(words.join(' '));
  });

  it('in a pipe, one line', () => {
    expect(wrapCommand(words, 2, undefined)).toEqual([`  ${words.join(' ')}`]);
  });
});
