/**
 * Property tests of the kubesphere.yaml edits over generated block-style documents (arbitraries.ts): every other
 * byte kept, the value read back right by js-yaml and by a yaml.v2-like reader, idempotence, no other key
 * changed. Failures print fast-check's seed and path; FC_SEED and FC_RUNS override the defaults.
 */
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

const hardValue = fc
  .array(fc.oneof(fc.constantFrom(...HARD), anyValue), { minLength: 1, maxLength: 4 })
  .map((a) => a.join(''));

describe('values with characters YAML 1.1 treats specially (tab, NEL, LS, PS, DEL, C1, BOM, C0)', () => {
  it('are written so both readers read them back, or refused', () => {
    fc.assert(
      fc.property(documents, hardValue, (g, value) => {
        const path = SECRET_PATH[g.layout];
        const r = editConfigText(render(g.doc), [{ path, value, secret: true }]);
        if (!r.ok) return;
        expect(valueAt(loadJs(r.text), path)).toBe(value);
        expect(valueAt(loadGo(r.text), path)).toBe(value);
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
        let js: unknown;
        try {
          js = loadJs(text);
        } catch {
          return; // js-yaml refuses it, and so does the edit's verification: never written
        }
        expect(valueAt(js, ['k'])).toBe(s);
        expect(valueAt(loadGo(text), ['k'])).toBe(s);
      }),
      params(1000),
    );
  });
});
