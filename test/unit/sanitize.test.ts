import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../src/output/sanitize.js';

describe('terminalSafe', () => {
  it.each([
    ['OSC 52 clipboard write', '\u001b]52;c;ZXZpbA==\u0007', '\\u001b]52;c;ZXZpbA==\\u0007'],
    ['clear screen', 'a\u001b[2Jb', 'a\\u001b[2Jb'],
    ['window title', '\u001b]0;pwned\u001b\\', '\\u001b]0;pwned\\u001b\\'],
    ['one-byte CSI (C1)', 'x\u009b31m', 'x\\u009b31m'],
    ['other C1 controls', '\u0080\u0085\u009f', '\\u0080\\u0085\\u009f'],
    ['NUL, BEL, backspace, DEL', '\u0000\u0007\u0008\u007f', '\\u0000\\u0007\\u0008\\u007f'],
    ['right-to-left override', 'abc\u202edcb', 'abc\\u202edcb'],
    [
      'bidi embeddings and isolates',
      '\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069',
      '\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069',
    ],
    ['bidi marks', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
    ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
    ['tab, line feed, carriage return', 'a\tb\nc\rd', 'a\\tb\\nc\\rd'],
  ])('shows %s as visible escapes', (_name, text, shown) => {
    expect(terminalSafe(text)).toBe(shown);
  });

  it.each([
    'W1128 11:59:00.000000       1 jwt.go:53] token not found in cache',
    'ks-apiserver-7d9f8c6b5-x2x9q',
    'kubesphere.yaml: authentication.jwtSecret: ******** (fp 1a2b3c4d → 5e6f7a8b)',
    'héllo wörld ✔ ✖ ⚠ │ → … 日本語 עברית',
    'backslash \\u001b stays as written',
  ])('leaves printable text alone: %s', (text) => {
    expect(terminalSafe(text)).toBe(text);
  });

  it('keeps line feeds when asked, and still escapes everything else', () => {
    expect(terminalSafe('line one\n\u001b[2Jline two\r\n', { keepNewlines: true })).toBe(
      'line one\n\\u001b[2Jline two\\r\n',
    );
  });

  it('is idempotent: escaping twice shows the same text', () => {
    const once = terminalSafe('\u001b]52;c;x\u0007\t\u202e');
    expect(terminalSafe(once)).toBe(once);
  });
});
