/**
 * The safety net under every text edit: parse before and after, and accept the edit only when the intended
 * paths hold the intended values and nothing else in the document changed meaning.
 */
import { isMapping } from '../config/paths.js';
import { duplicateKeyAt, loadYamlOnce } from './once.js';

export interface ExpectedValue {
  path: readonly string[];
  value: unknown;
}

export type VerifyResult =
  | { ok: true }
  | {
      ok: false;
      code:
        'before-unparseable' | 'after-unparseable' | 'unexpected-change' | 'not-a-mapping' | 'duplicate-key';
      reason: string;
      /** Where the documents differ beyond what was intended. */
      paths: string[][];
    };

export function verifyEdit(before: string, after: string, expected: readonly ExpectedValue[]): VerifyResult {
  const a = load(before);
  if (!a.ok) return { ok: false, code: 'before-unparseable', reason: a.reason, paths: [] };
  const b = load(after);
  if (!b.ok) return { ok: false, code: 'after-unparseable', reason: b.reason, paths: [] };
  const intended = structuredClone(a.value ?? {});
  for (const e of expected) {
    if (!setPath(intended, e.path, e.value)) {
      return {
        ok: false,
        code: 'not-a-mapping',
        reason: `${e.path.join('.')} cannot be set: a value on the way is not a mapping`,
        paths: [[...e.path]],
      };
    }
  }
  const paths: string[][] = [];
  diff(intended, b.value, [], paths);
  if (paths.length === 0) return duplicateAdded(before, after) ?? { ok: true };
  return {
    ok: false,
    code: 'unexpected-change',
    reason: `the edit changed more than intended: ${paths.map((p) => p.join('.') || '(document)').join(', ')}`,
    paths,
  };
}

/**
 * Last-wins parsing hides a key written twice, yet ks-apiserver 4.x (yaml.v3) refuses such a file and would not
 * start: an edit must not write a key twice where the file wrote none. A file that already did (the 3.4 template
 * can) is read by 3.x's yaml.v2, which takes the last; the edit then only has to keep the meaning.
 */
function duplicateAdded(before: string, after: string): VerifyResult | undefined {
  const line = duplicateKeyAt(after);
  if (line === undefined || duplicateKeyAt(before) !== undefined) return undefined;
  return {
    ok: false,
    code: 'duplicate-key',
    reason: `the edit wrote a key twice (line ${line}), which yaml.v3 and so ks-apiserver 4.x refuse`,
    paths: [],
  };
}

/** Parsed once per run (once.ts): `before` is usually the text just read or the last edit's result. */
function load(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: loadYamlOnce(text) };
  } catch (e) {
    return { ok: false, reason: (e as { reason?: string }).reason ?? String(e) };
  }
}

/** Sets a value, creating missing (or null) mappings on the way; false when a scalar or list is in the way. */
function setPath(root: unknown, path: readonly string[], value: unknown): boolean {
  if (!isMapping(root)) return false;
  let cur = root;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === undefined || next === null) cur[key] = {};
    else if (!isMapping(next)) return false;
    cur = cur[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last === undefined) return false;
  cur[last] = value;
  return true;
}

function diff(a: unknown, b: unknown, at: string[], out: string[][]): void {
  if (isMapping(a) && isMapping(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      if (!Object.prototype.hasOwnProperty.call(a, k) || !Object.prototype.hasOwnProperty.call(b, k)) {
        out.push([...at, k]);
      } else diff(a[k], b[k], [...at, k], out);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(at);
    else a.forEach((v, i) => diff(v, b[i], [...at, String(i)], out));
    return;
  }
  if (!sameLeaf(a, b)) out.push(at);
}

function sameLeaf(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return Object.is(a, b);
}
