/**
 * Property tests of the kubesphere.yaml edits over generated block-style documents (arbitraries.ts): every other
 * byte kept, the value read back right by js-yaml and by a yaml.v2-like reader, idempotence, no other key
 * changed. Failures print fast-check's seed and path; FC_SEED and FC_RUNS override the defaults.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editConfigText, type ConfigTextEdit } from '../../src/kubesphere/repair/config-edit.js';
import { yamlString, type ScalarStyle } from '../../src/kubesphere/yaml/scalar.js';
import { scanYaml } from '../../src/kubesphere/yaml/scan.js';
import {
  anyValue,
  documents,
  HARD,
  MAX_AGE_PATH,
  maxAgeValue,
  SECRET_PATH,
  type Generated,
} from './arbitraries.js';
import { loadGo, loadJs, valueAt, withValueAt } from './go-yaml.js';
import { expectedEdit, matchAround, render, type Doc, type Entry } from './yaml-doc.js';

const SEED = Number(process.env.FC_SEED ?? 20261201);
const RUNS = Number(process.env.FC_RUNS ?? 400);
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

interface Case {
  g: Generated;
  edits: ConfigTextEdit[];
}

/** One edit (the secret or the max age) or both, as repair asks for them. */
const cases: fc.Arbitrary<Case> = fc
  .record({
    g: documents,
    which: fc.constantFrom('secret', 'maxAge', 'both', 'both-reversed'),
    secret: anyValue.filter((s) => s !== ''),
    maxAge: maxAgeValue,
  })
  .map(({ g, which, secret, maxAge }) => {
    const s: ConfigTextEdit = { path: SECRET_PATH[g.layout], value: secret, secret: true };
    const m: ConfigTextEdit = { path: MAX_AGE_PATH[g.layout], value: maxAge };
    const edits = which === 'secret' ? [s] : which === 'maxAge' ? [m] : which === 'both' ? [s, m] : [m, s];
    return { g, edits };
  });

function expectedDoc(doc: Doc, edits: readonly ConfigTextEdit[]): Doc {
  let out: Doc | undefined = doc;
  edits.forEach((e, i) => (out = out && expectedEdit(out, e.path, i)));
  if (!out) throw new Error('the generator made a document the model cannot edit');
  return out;
}

/** The token written at `path` in the model, the last of duplicate keys winning. */
function winningToken(entries: Entry[], path: readonly string[]): string | undefined {
  const [key, ...rest] = path;
  const found = entries.filter((e) => e.key === key).pop();
  if (!found) return undefined;
  if (rest.length === 0) return found.node.t === 'token' ? found.node.token : undefined;
  return found.node.t === 'map' ? winningToken(found.node.entries, rest) : undefined;
}

function edit(text: string, edits: readonly ConfigTextEdit[]): { text: string; changed: boolean } {
  const r = editConfigText(text, edits);
  if (!r.ok) throw new Error(`edit refused: ${r.reason}`);
  return r;
}

describe('generated documents', () => {
  it('are valid YAML to both readers and to the scanner (else the generator is wrong)', () => {
    fc.assert(
      fc.property(documents, ({ doc }) => {
        const text = render(doc);
        expect(() => loadJs(text)).not.toThrow();
        expect(() => loadGo(text)).not.toThrow();
        expect(scanYaml(text).ok).toBe(true);
      }),
      params(),
    );
  });
});

describe('editConfigText over generated documents', () => {
  it('keeps every byte but the written values (or the inserted lines), and they read back in both readers', () => {
    fc.assert(
      fc.property(cases, ({ g, edits }) => {
        const before = render(g.doc);
        const out = edit(before, edits);
        const tokens = matchAround(render(expectedDoc(g.doc, edits)), out.text);
        expect(tokens, 'bytes outside the written values changed').toBeDefined();
        const js = loadJs(out.text);
        const go = loadGo(out.text);
        for (const e of edits) {
          expect(valueAt(js, e.path)).toBe(e.value);
          expect(valueAt(go, e.path)).toBe(e.value);
        }
      }),
      params(),
    );
  });

  it('is idempotent: a second application changes nothing and says so', () => {
    fc.assert(
      fc.property(cases, ({ g, edits }) => {
        const once = edit(render(g.doc), edits);
        const twice = edit(once.text, edits);
        expect(twice.changed).toBe(false);
        expect(twice.text).toBe(once.text);
      }),
      params(),
    );
  });

  it('reports no change when the value there already reads as the one asked for', () => {
    fc.assert(
      fc.property(documents, fc.boolean(), ({ layout, doc }, secret) => {
        const path = (secret ? SECRET_PATH : MAX_AGE_PATH)[layout];
        const text = render(doc);
        const current = valueAt(loadJs(text), path);
        fc.pre(typeof current === 'string' && current !== '' && valueAt(loadGo(text), path) === current);
        // A plain token the writer cannot prove YAML-1.1-safe (`abc#def`, `a_b`) is re-quoted: same value, new bytes.
        const token = winningToken(doc.root, path);
        fc.pre(token !== undefined && (/^['"]/.test(token) || /^[A-Za-z][A-Za-z0-9]*$/.test(token)));
        const out = edit(text, [{ path, value: current as string, secret }]);
        expect(out.changed).toBe(false);
        expect(out.text).toBe(text);
      }),
      params(),
    );
  });

  it('changes no other key: both readers see the same document but for the edited paths', () => {
    fc.assert(
      fc.property(cases, ({ g, edits }) => {
        const before = render(g.doc);
        const out = edit(before, edits);
        for (const load of [loadJs, loadGo]) {
          let intended = load(before);
          for (const e of edits) intended = withValueAt(intended, e.path, e.value);
          expect(load(out.text)).toEqual(intended);
        }
      }),
      params(),
    );
  });
});

const FIXTURES = new URL('../fixtures/kubesphere-yaml/', import.meta.url);
const fixtures = readdirSync(FIXTURES)
  .filter((f) => /^v[34].*\.yaml$/.test(f))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(name, FIXTURES), 'utf8') }));

/** Lines that differ once a common prefix and suffix of lines are cut off. */
function changedLines(before: string, after: string): { at: number; removed: string[]; added: string[] } {
  const a = before.split('\n');
  const b = after.split('\n');
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return { at: p, removed: a.slice(p, a.length - s), added: b.slice(p, b.length - s) };
}

describe('editConfigText over the real-file fixtures (as written, and with CRLF line ends)', () => {
  it('changes only the value on its line, or only adds lines; the values read back in both readers', () => {
    const fixture = fc.constantFrom(...fixtures);
    fc.assert(
      fc.property(fixture, fc.boolean(), fc.boolean(), anyValue, maxAgeValue, (f, crlf, secret, s, m) => {
        fc.pre(s !== '');
        const layout = f.name.startsWith('v4') ? 'v4' : 'v3';
        const before = crlf ? f.text.replace(/\n/g, '\r\n') : f.text;
        const edit1: ConfigTextEdit = secret
          ? { path: SECRET_PATH[layout], value: s, secret: true }
          : { path: MAX_AGE_PATH[layout], value: m };
        const out = edit(before, [edit1]);
        const diff = changedLines(before, out.text);
        if (diff.removed.length > 0) {
          // In place: the same line, its key and anything after the value (a comment) kept.
          expect(diff.removed).toHaveLength(1);
          expect(diff.added).toHaveLength(1);
          const key = edit1.path[edit1.path.length - 1] as string;
          const old = diff.removed[0] as string;
          const head = old.slice(0, old.indexOf(key) + key.length + 1);
          expect((diff.added[0] as string).startsWith(head)).toBe(true);
          const comment = /\s#[^'"]*$/.exec(old)?.[0];
          if (comment)
            expect(diff.added[0]).toMatch(new RegExp(`${comment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
        } else expect(diff.added.length > 0).toBe(out.changed);
        for (const load of [loadJs, loadGo]) {
          expect(valueAt(load(out.text), edit1.path)).toBe(edit1.value);
          expect(load(out.text)).toEqual(withValueAt(load(before), edit1.path, edit1.value));
        }
        expect(out.text.split('\r\n').length - 1).toBe(crlf ? out.text.split('\n').length - 1 : 0);
        expect(edit(out.text, [edit1]).changed).toBe(false);
      }),
      params(),
    );
  });
});

const hardValue = fc
  .array(fc.oneof(fc.constantFrom(...HARD), anyValue), { minLength: 1, maxLength: 4 })
  .map((a) => a.join(''));

describe('values with characters YAML 1.1 treats specially (tab, NEL, LS, PS, DEL, C1, BOM, C0)', () => {
  it('are written escaped, so that both readers read them back', () => {
    fc.assert(
      fc.property(documents, hardValue, (g, value) => {
        fc.pre(value !== '');
        const path = SECRET_PATH[g.layout];
        const out = edit(render(g.doc), [{ path, value, secret: true }]);
        expect(out.text).not.toMatch(/[\u0085\u2028\u2029\u007f-\u009f]/);
        expect(valueAt(loadJs(out.text), path)).toBe(value);
        expect(valueAt(loadGo(out.text), path)).toBe(value);
      }),
      params(),
    );
  });
});

describe('yamlString', () => {
  it('writes a scalar both readers read as the same string, in every preferred style', () => {
    const style = fc.constantFrom<ScalarStyle>('plain', 'single', 'double');
    fc.assert(
      fc.property(fc.oneof(anyValue, hardValue), style, (s, prefer) => {
        const text = `k: ${yamlString(s, prefer)}\n`;
        expect(valueAt(loadJs(text), ['k'])).toBe(s);
        expect(valueAt(loadGo(text), ['k'])).toBe(s);
      }),
      params(1000),
    );
  });
});
