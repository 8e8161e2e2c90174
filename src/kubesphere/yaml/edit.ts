/**
 * Surgical edits of block-style YAML text: one scalar changes (or one key is added), every other byte stays —
 * comments, key order, blank runs, `True`, quoting, trailing comments. Each edit is verified by re-parsing;
 * anything this cannot do exactly (flow style, anchors, block scalars on the path) is refused, never guessed.
 */
import yaml from 'js-yaml';
import { isMapping } from '../config/paths.js';
import { parseScalarText, yamlKey, yamlString, type ScalarStyle } from './scalar.js';
import { loadYamlOnce, scanYamlOnce } from './once.js';
import { resolvePath, type ScanEntry, type YamlScan } from './scan.js';
import { verifyEdit } from './verify.js';

export type EditFailureCode =
  | 'empty-path'
  | 'bad-value'
  | 'not-scannable'
  | 'not-yaml'
  | 'anchor-or-alias'
  | 'merge-key'
  | 'flow-style'
  | 'block-scalar'
  | 'multiline-scalar'
  | 'not-a-scalar'
  | 'not-a-mapping'
  | 'verify-failed';

export type EditResult =
  { ok: true; text: string; changed: boolean } | { ok: false; code: EditFailureCode; reason: string };

export interface SetScalarOptions {
  /** When the current value is quoted and the new one is a string, write it in the same quotes (default true). */
  keepQuoteStyle?: boolean;
}

type Fail = Extract<EditResult, { ok: false }>;
const fail = (code: EditFailureCode, reason: string): Fail => ({ ok: false, code, reason });

/**
 * Sets the scalar at `path` to `value`, an already-formatted YAML scalar (`0s`, `"s3cr3t"`). A duplicated key is
 * edited at its last occurrence, the one parsers keep; a missing key, and missing parent mappings, are added at
 * the end of the parent block at the file's indentation.
 */
export function setScalar(
  text: string,
  path: readonly string[],
  value: string,
  opts: SetScalarOptions = {},
): EditResult {
  if (path.length === 0) return fail('empty-path', 'no key to set');
  const parsed = parseScalarText(value);
  if (!parsed.ok) return fail('bad-value', parsed.reason);
  // A chain of edits scans and parses each text once (once.ts): this one was parsed as the last one's result.
  const scan = scanYamlOnce(text);
  if (!scan.ok) return fail('not-scannable', `line ${scan.line}: ${scan.reason}`);
  try {
    loadYamlOnce(text);
  } catch (e) {
    return fail('not-yaml', (e as { reason?: string }).reason ?? String(e));
  }
  const chain = resolvePath(scan, path);
  const guard = guardChain(scan, chain, path);
  if (guard) return guard;
  const out =
    chain.length === path.length
      ? replaceValue(
          scan,
          chain[chain.length - 1] as ScanEntry,
          value,
          parsed.value,
          opts.keepQuoteStyle ?? true,
        )
      : insertKeys(scan, chain, path.slice(chain.length), value);
  if (!out.ok) return out;
  const verified = verifyEdit(text, out.text, [{ path, value: parsed.value }]);
  if (!verified.ok) return fail('verify-failed', verified.reason);
  return { ok: true, text: out.text, changed: out.text !== text };
}

/**
 * Sets a string at `path`, written in the style already used there (plain stays plain when it safely can,
 * quoted stays quoted); a new key gets `newKeyStyle` (default plain, double quotes when plain is unsafe).
 */
export function setString(
  text: string,
  path: readonly string[],
  value: string,
  opts: { newKeyStyle?: ScalarStyle } = {},
): EditResult {
  const style = currentStyle(text, path) ?? opts.newKeyStyle ?? 'plain';
  return setScalar(text, path, yamlString(value, style));
}

/** How the scalar at `path` is written now: plain, single- or double-quoted; undefined when absent or not a scalar. */
export function currentStyle(text: string, path: readonly string[]): ScalarStyle | undefined {
  const scan = scanYamlOnce(text);
  if (!scan.ok) return undefined;
  const chain = resolvePath(scan, path);
  const kind = chain.length === path.length ? chain[chain.length - 1]?.value.kind : undefined;
  return kind === 'plain' || kind === 'single' || kind === 'double' ? kind : undefined;
}

function guardChain(scan: YamlScan, chain: ScanEntry[], path: readonly string[]): Fail | undefined {
  for (const e of chain) {
    const where = e.path.join('.');
    if (e.value.props !== '' || e.value.kind === 'alias') {
      return fail('anchor-or-alias', `${where} uses an anchor, alias or tag; edit it by hand`);
    }
    if (scan.mergeMaps.has(e.mapId)) {
      return fail('merge-key', `the mapping holding ${where} uses a << merge key`);
    }
  }
  const last = chain[chain.length - 1];
  if (chain.length < path.length && last?.childMapId !== undefined && scan.mergeMaps.has(last.childMapId)) {
    return fail('merge-key', `${last.path.join('.')} uses a << merge key`);
  }
  return undefined;
}

type TextOut = { ok: true; text: string } | Fail;

function replaceValue(
  scan: YamlScan,
  target: ScanEntry,
  value: string,
  parsed: unknown,
  keepQuotes: boolean,
): TextOut {
  const where = target.path.join('.');
  const kind = target.value.kind;
  if (target.shape === 'map' || target.shape === 'seq') {
    return fail('not-a-scalar', `${where} holds a ${target.shape === 'map' ? 'mapping' : 'list'}`);
  }
  if (kind === 'block') return fail('block-scalar', `${where} is a block scalar (| or >)`);
  if (kind === 'flow') return fail('flow-style', `${where} is written in flow style`);
  if (kind === 'multiline') return fail('multiline-scalar', `${where} spans several lines`);
  const line = scan.lines[target.line];
  if (!line) return fail('not-scannable', `line ${target.line + 1} is missing`);
  const t = line.text;
  let next: string;
  if (kind === 'none') {
    const rest = t.slice(target.colon + 1);
    next = `${t.slice(0, target.colon + 1)} ${value}${rest.trim() === '' ? '' : rest}`;
  } else {
    const quoted = keepQuotes && typeof parsed === 'string' && (kind === 'single' || kind === 'double');
    const token = t.slice(target.value.start, target.value.end);
    // A quoted value that already reads right stays as written (escapes and all): no change, no write. Unless it
    // holds a raw NEL/LS/PS, which yaml.v2 reads as a line break.
    const current = quoted && !/[\u0085\u2028\u2029]/.test(token) ? parseScalarText(token) : undefined;
    const styled =
      current?.ok && current.value === parsed ? token : quoted ? yamlString(parsed, kind) : value;
    next = t.slice(0, target.value.start) + styled + t.slice(target.value.end);
  }
  return { ok: true, text: spliceLines(scan, target.line, target.line + 1, [next]) };
}

function insertKeys(scan: YamlScan, chain: ScanEntry[], missing: readonly string[], value: string): TextOut {
  const parent = chain[chain.length - 1];
  const step = scan.indentStep;
  const build = (indent: number): string[] =>
    missing.map(
      (k, i) =>
        `${' '.repeat(indent + i * step)}${yamlKey(k)}:${i === missing.length - 1 ? ` ${value}` : ''}`,
    );
  if (!parent) {
    if (scan.rootMapId === undefined && scan.lastContentLine >= 0) {
      return fail('not-a-mapping', 'the document is not a mapping');
    }
    return { ok: true, text: insertAfter(scan, scan.lastContentLine, build(scan.rootIndent)) };
  }
  const where = parent.path.join('.');
  if (parent.shape === 'map' || parent.shape === 'empty') {
    const indent =
      parent.shape === 'map' ? (parent.childIndent ?? parent.indent + step) : parent.indent + step;
    return { ok: true, text: insertAfter(scan, parent.endLine, build(indent)) };
  }
  if (parent.shape === 'seq') return fail('not-a-mapping', `${where} holds a list`);
  const line = scan.lines[parent.line];
  const token = line ? line.text.slice(parent.value.start, parent.value.end) : '';
  if (!line || !isEmptyMappingToken(token, parent.value.kind)) {
    const code =
      parent.value.kind === 'flow'
        ? 'flow-style'
        : parent.value.kind === 'block'
          ? 'block-scalar'
          : 'not-a-mapping';
    return fail(code, `${where} holds a value, not a mapping`);
  }
  // `key: null`, `key: ~` or `key: {}` becomes `key:` with the new block under it.
  const keyLine = (line.text.slice(0, parent.colon + 1) + line.text.slice(parent.value.end)).trimEnd();
  return {
    ok: true,
    text: spliceLines(scan, parent.line, parent.line + 1, [keyLine, ...build(parent.indent + step)]),
  };
}

function isEmptyMappingToken(token: string, kind: ScanEntry['value']['kind']): boolean {
  if (kind === 'plain') return /^(?:null|Null|NULL|~)$/.test(token);
  if (kind === 'flow') {
    try {
      const v: unknown = yaml.load(token, { json: true });
      return isMapping(v) && Object.keys(v).length === 0;
    } catch {
      return false;
    }
  }
  return false;
}

/** Replaces lines [from, to) with `replacement`, each ended with the file's line break. */
function spliceLines(scan: YamlScan, from: number, to: number, replacement: string[]): string {
  const { lines, eol } = scan;
  const head = lines
    .slice(0, from)
    .map((l) => l.text + l.eol)
    .join('');
  const tail = lines
    .slice(to)
    .map((l) => l.text + l.eol)
    .join('');
  const lastEol = lines[to - 1]?.eol ?? eol;
  return head + replacement.join(eol) + lastEol + tail;
}

/** Inserts `added` after line `after` (-1: at the end of the document). */
function insertAfter(scan: YamlScan, after: number, added: string[]): string {
  const { lines, eol } = scan;
  const at = after < 0 ? lines.length - 1 : after;
  const all = lines.map((l) => l.text + l.eol);
  const anchor = lines[at];
  if (!anchor || (after < 0 && anchor.text === '' && anchor.eol === '' && lines.length === 1)) {
    return added.join(eol) + eol;
  }
  const block = anchor.eol === '' ? eol + added.join(eol) : added.map((l) => l + eol).join('');
  return all.slice(0, at + 1).join('') + block + all.slice(at + 1).join('');
}
