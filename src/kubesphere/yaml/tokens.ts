/** Line- and token-level reading of block YAML, for the scanner in yaml-scan.ts. */
import yaml from 'js-yaml';

export interface ScanLine {
  /** Offset of the line's first character in the text. */
  start: number;
  /** The line without its line break. */
  text: string;
  /** "\n", "\r\n" or "" (last line without a break). */
  eol: string;
}

/** What follows `key:` on the key's own line. */
export type InlineKind = 'none' | 'plain' | 'single' | 'double' | 'block' | 'flow' | 'alias' | 'multiline';

export interface InlineValue {
  kind: InlineKind;
  /** Column where the value token starts (after any anchor/tag), or where a value would go. */
  start: number;
  /** Column just after the token, before trailing spaces and comment. */
  end: number;
  /** Anchor and tag properties written before the value, e.g. "&auth" or "!!str"; "" when none. */
  props: string;
  /** A quoted or flow value that is not closed on this line. */
  open?: { quote: '"' | "'" } | { depth: number };
}

export function splitLines(text: string): ScanLine[] {
  const lines: ScanLine[] = [];
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) {
      lines.push({ start, text: text.slice(start), eol: '' });
      break;
    }
    const cr = nl > start && text[nl - 1] === '\r';
    lines.push({ start, text: text.slice(start, cr ? nl - 1 : nl), eol: cr ? '\r\n' : '\n' });
    start = nl + 1;
  }
  if (lines.length > 1 && lines[lines.length - 1]?.text === '' && lines[lines.length - 1]?.eol === '') {
    lines.pop();
  }
  return lines;
}

export function isBlank(t: string): boolean {
  return /^[ \t]*$/.test(t);
}

export function indentOf(t: string): number {
  let i = 0;
  while (t[i] === ' ') i++;
  return i;
}

export function skipSpaces(t: string, from: number): number {
  let i = from;
  while (t[i] === ' ' || t[i] === '\t') i++;
  return i;
}

export function isDash(t: string, col: number): boolean {
  return t[col] === '-' && (col + 1 === t.length || t[col + 1] === ' ');
}

/** Index of the closing quote at or after `from + 1`, or -1. */
export function findQuoteEnd(t: string, from: number, quote: '"' | "'"): number {
  for (let j = from + 1; j < t.length; j++) {
    if (quote === '"' && t[j] === '\\') j++;
    else if (t[j] === quote) {
      if (quote === "'" && t[j + 1] === "'") j++;
      else return j;
    }
  }
  return -1;
}

/** Bracket depth after scanning `t` from `from`; `end` is the column after the bracket that closed it, or -1. */
export function flowDepth(t: string, from: number, depth: number): { depth: number; end: number } {
  for (let j = from; j < t.length; j++) {
    const c = t[j];
    if (c === '"' || c === "'") {
      const close = findQuoteEnd(t, j, c);
      if (close < 0) break;
      j = close;
    } else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { depth, end: j + 1 };
    } else if (c === '#' && (t[j - 1] === ' ' || t[j - 1] === '\t')) break;
  }
  return { depth, end: -1 };
}

/** A `key:` at `col`: the end of the key text and the column of its colon. */
export function parseKey(t: string, col: number): { end: number; colon: number } | undefined {
  const c = t[col];
  if (c === undefined) return undefined;
  if (c === '"' || c === "'") {
    const close = findQuoteEnd(t, col, c);
    if (close < 0) return undefined;
    const j = skipSpaces(t, close + 1);
    return t[j] === ':' && isSeparator(t, j + 1) ? { end: close + 1, colon: j } : undefined;
  }
  if ('[{&*!|>%@`?#'.includes(c)) return undefined;
  for (let j = col; j < t.length; j++) {
    if (t[j] === '#' && j > col && (t[j - 1] === ' ' || t[j - 1] === '\t')) return undefined;
    if (t[j] === ':' && isSeparator(t, j + 1)) {
      return { end: col + t.slice(col, j).trimEnd().length, colon: j };
    }
  }
  return undefined;
}

function isSeparator(t: string, j: number): boolean {
  return j >= t.length || t[j] === ' ' || t[j] === '\t';
}

const PLAIN_WORD = /^[A-Za-z_][\w-]*$/;

/** The key as js-yaml stores it in an object (`true:` → "true", `"a b":` → "a b"). */
export function resolveKey(raw: string): string {
  // A plain word is a string to any YAML schema, except the spellings of true, false and null js-yaml resolves.
  if (PLAIN_WORD.test(raw) && !/^(?:true|false|null)$/i.test(raw)) return raw;
  try {
    const v: unknown = yaml.load(raw, { json: true });
    return v === null || typeof v !== 'object' ? String(v) : raw;
  } catch {
    return raw;
  }
}

/** The value written after a key's colon (or a sequence dash), from column `from`. */
export function parseInline(t: string, from: number): InlineValue {
  let j = skipSpaces(t, from);
  const propsStart = j;
  while (t[j] === '&' || t[j] === '!') {
    while (j < t.length && t[j] !== ' ' && t[j] !== '\t') j++;
    j = skipSpaces(t, j);
  }
  const props = t.slice(propsStart, j).trim();
  const c = t[j];
  if (c === undefined || c === '#') return { kind: 'none', start: j, end: j, props };
  if (c === '*') return { kind: 'alias', start: j, end: tokenEnd(t, j), props };
  if (c === '|' || c === '>') return { kind: 'block', start: j, end: tokenEnd(t, j), props };
  if (c === '"' || c === "'") {
    const close = findQuoteEnd(t, j, c);
    if (close < 0) return { kind: 'multiline', start: j, end: t.length, props, open: { quote: c } };
    return { kind: c === '"' ? 'double' : 'single', start: j, end: close + 1, props };
  }
  if (c === '{' || c === '[') {
    const flow = flowDepth(t, j, 0);
    return flow.end < 0
      ? { kind: 'flow', start: j, end: t.length, props, open: { depth: flow.depth } }
      : { kind: 'flow', start: j, end: flow.end, props };
  }
  let end = t.length;
  for (let k = j; k < t.length; k++) {
    if (t[k] === '#' && (t[k - 1] === ' ' || t[k - 1] === '\t')) {
      end = k;
      break;
    }
  }
  return { kind: 'plain', start: j, end: j + t.slice(j, end).trimEnd().length, props };
}

function tokenEnd(t: string, j: number): number {
  let k = j;
  while (k < t.length && t[k] !== ' ' && t[k] !== '\t') k++;
  return k;
}

/** Every key written more than once in the same mapping; the last occurrence is the one parsers keep. */
