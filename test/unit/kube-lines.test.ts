import { describe, expect, it } from 'vitest';
import { LineScanner } from '../../src/kube/lines.js';

function scan(chunks: Buffer[], max?: number): { lines: string[]; scanner: LineScanner } {
  const lines: string[] = [];
  const scanner = new LineScanner((l) => lines.push(l), max);
  for (const c of chunks) scanner.push(c);
  scanner.end();
  return { lines, scanner };
}

describe('LineScanner', () => {
  it.each([
    ['one chunk', ['a\nb\n'], ['a', 'b']],
    ['lines across chunks', ['a', 'b\nc', '\n'], ['ab', 'c']],
    ['a last line without newline', ['a\nb'], ['a', 'b']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['empty lines', ['\n\n'], ['', '']],
    ['nothing', [], []],
  ])('%s', (_n, chunks, expected) => {
    expect(scan(chunks.map((c) => Buffer.from(c))).lines).toEqual(expected);
  });

  it('decodes a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('héllo\n');
    expect(scan([bytes.subarray(0, 2), bytes.subarray(2)]).lines).toEqual(['héllo']);
  });

  it('gives the same lines however the stream is cut into chunks', () => {
    const text = 'a\r\nbé\n\nccc\nd€\ne\r\nf';
    const bytes = Buffer.from(text);
    for (let size = 1; size <= bytes.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(scan(chunks).lines, `chunks of ${size}`).toEqual(['a', 'bé', '', 'ccc', 'd€', 'e', 'f']);
    }
  });

  it('counts lines and bytes', () => {
    const { scanner } = scan([Buffer.from('ab\ncd\n')]);
    expect([scanner.lines, scanner.bytes]).toEqual([2, 6]);
  });

  it('cuts a runaway line instead of growing without bound', () => {
    const { lines } = scan([Buffer.from('x'.repeat(10)), Buffer.from('y'.repeat(10)), Buffer.from('\n')], 8);
    expect(lines.join('')).toBe('x'.repeat(10) + 'y'.repeat(10));
    expect(lines.every((l) => l.length <= 10)).toBe(true);
  });
});
