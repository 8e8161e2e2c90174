/** Examples shrunk from the property tests in test/property/: each failed before its fix. */
import { describe, expect, it } from 'vitest';
import { editConfigText } from '../../src/kubesphere/repair/config-edit.js';
import { yamlString } from '../../src/kubesphere/yaml/scalar.js';
import { loadGo, loadJs, valueAt } from '../property/go-yaml.js';

const PATH = ['authentication', 'jwtSecret'];

describe('yamlString escapes what YAML 1.1 reads differently or no reader takes raw', () => {
  it.each([
    // NEL, LS, PS: line breaks to yaml.v2, which folded them to a space inside quotes.
    ['\u0085', 'double', '"\\u0085"'],
    ['a\u2028b', 'double', '"a\\u2028b"'],
    ['a\u2029b', 'single', '"a\\u2029b"'],
    ['a\u2029b', 'plain', '"a\\u2029b"'],
    // DEL, C1 and BOM-like characters: js-yaml refused them raw, so the edit was refused.
    ['a\u007fb', 'double', '"a\\u007fb"'],
    ['\u009f', 'single', '"\\u009f"'],
    ['\ufeffx', 'double', '"\\ufeffx"'],
  ] as const)('%j (%s) → %s', (s, prefer, token) => {
    expect(yamlString(s, prefer)).toBe(token);
    const text = `k: ${token}\n`;
    expect(valueAt(loadJs(text), ['k'])).toBe(s);
    expect(valueAt(loadGo(text), ['k'])).toBe(s);
  });

  it('a jwtSecret holding LS is written escaped and reads back in both readers', () => {
    const value = 'FAKE\u2028secret';
    const r = editConfigText("authentication:\n  jwtSecret: 'old'\n", [{ path: PATH, value, secret: true }]);
    expect(r).toEqual({
      ok: true,
      changed: true,
      text: 'authentication:\n  jwtSecret: "FAKE\\u2028secret"\n',
    });
    if (!r.ok) return;
    expect(valueAt(loadGo(r.text), PATH)).toBe(value);
  });

  it('a jwtSecret holding DEL is written escaped instead of refused', () => {
    const r = editConfigText('authentication:\n  jwtSecret: "old"\n', [
      { path: PATH, value: 'FAKE\u007f', secret: true },
    ]);
    expect(r).toEqual({ ok: true, changed: true, text: 'authentication:\n  jwtSecret: "FAKE\\u007f"\n' });
  });
});

describe('a quoted value that already reads as the one asked for is left as written', () => {
  it.each([
    ['"\\x20"', ' '],
    ['"\\x41BC"', 'ABC'],
    ['"FAKE\\tsecret"', 'FAKE\tsecret'],
    ['"\\u00e9t\\u00e9"', 'été'],
    ["'it''s'", "it's"],
  ])('jwtSecret: %s', (token, value) => {
    const text = `authentication:\r\n  jwtSecret: ${token}  # set by hand\r\n`;
    expect(editConfigText(text, [{ path: PATH, value, secret: true }])).toEqual({
      ok: true,
      text,
      changed: false,
    });
  });

  it('but one holding a raw LS is rewritten: yaml.v2 reads a space there', () => {
    const text = 'authentication:\n  jwtSecret: "a\u2028b"\n';
    const r = editConfigText(text, [{ path: PATH, value: 'a\u2028b', secret: true }]);
    expect(r).toEqual({ ok: true, changed: true, text: 'authentication:\n  jwtSecret: "a\\u2028b"\n' });
  });

  it('and a different value still replaces it', () => {
    const r = editConfigText('authentication:\n  jwtSecret: "\\x41BC"\n', [
      { path: PATH, value: 'ABD', secret: true },
    ]);
    expect(r).toEqual({ ok: true, changed: true, text: 'authentication:\n  jwtSecret: "ABD"\n' });
  });
});
