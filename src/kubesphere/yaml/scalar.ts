/** Writing one YAML scalar so that both js-yaml (YAML 1.2) and Go's yaml.v2 (YAML 1.1) read it back the same. */
import yaml from 'js-yaml';

export type ScalarStyle = 'plain' | 'single' | 'double';

// Words YAML 1.1 (Go's yaml.v2, used by ks-apiserver 3.x) reads as booleans or null, although YAML 1.2 does not.
const YAML11_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
const NUMBER_LIKE = /^[-+]?[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?$/;

/** A string that reads back as the same string without quotes, in YAML 1.1 and 1.2 alike. */
export function isPlainSafe(s: string): boolean {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(s)) return false;
  if (YAML11_WORDS.test(s) || NUMBER_LIKE.test(s) || /^0[xXoObB]/.test(s) || /^\d{4}-\d\d?-\d\d?/.test(s)) {
    return false;
  }
  try {
    return yaml.load(s, { json: true }) === s;
  } catch {
    return false;
  }
}

// Written raw, these read differently: NEL, LS and PS are line breaks to YAML 1.1 (yaml.v2 folds them to a space
// inside quotes), and the others are non-printable, which js-yaml refuses. Only double quotes can escape them.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

/** `s` as a YAML scalar in the preferred style, or double-quoted when that style cannot carry it. */
export function yamlString(s: string, prefer: ScalarStyle = 'plain'): string {
  if (prefer === 'plain' && isPlainSafe(s)) return s;
  if (prefer === 'single' && !NEEDS_ESCAPE.test(s)) return `'${s.replace(/'/g, "''")}'`;
  // JSON string escapes are a subset of YAML double-quoted escapes; JSON leaves the YAML-only ones raw.
  return JSON.stringify(s).replace(
    new RegExp(NEEDS_ESCAPE, 'g'),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export type ScalarParse =
  { ok: true; value: string | number | boolean | null } | { ok: false; reason: string };

/** What an already-formatted scalar such as `0s`, `"abc"` or `'x'` means; a mapping, list or multi-line text is refused. */
export function parseScalarText(text: string): ScalarParse {
  if (/[\r\n]/.test(text)) return { ok: false, reason: 'the value spans several lines' };
  if (text.trim() === '' || text.trim() !== text) {
    return { ok: false, reason: 'the value is empty or padded' };
  }
  let doc: unknown;
  try {
    doc = yaml.load(`k: ${text}`, { json: true });
  } catch (e) {
    return { ok: false, reason: `not a YAML scalar: ${(e as { reason?: string }).reason ?? String(e)}` };
  }
  const v = (doc as { k?: unknown } | null)?.k;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
    return { ok: true, value: v };
  }
  return { ok: false, reason: 'not a single scalar value' };
}

/** A mapping key as written in a new line. */
export function yamlKey(key: string): string {
  return isPlainSafe(key) && !/^\d/.test(key) ? key : JSON.stringify(key);
}
