/**
 * A model of block-style kubesphere.yaml documents, rendered to text by hand, so that a test knows every byte
 * and can compute what an edit must produce without asking the code under test. Edits are applied to the model
 * (the last of duplicate keys wins; missing keys are appended to the winning parent) and the new value is left as
 * a placeholder: the expected text is everything around it.
 */
export type Extra = { t: 'blank'; ws: string } | { t: 'comment'; col: number; text: string };

export type Node =
  /** A single-line plain or quoted scalar, or a flow collection, written as is. */
  | { t: 'token'; token: string }
  /** `key:` and nothing else (null). */
  | { t: 'empty' }
  /** `step`: the indentation of this mapping's keys relative to its parent key, when not the document's. */
  | { t: 'map'; entries: Entry[]; step?: number }
  | { t: 'seq'; items: Node[]; compact: boolean }
  /** `key: |` and its lines, each indented one step deeper. */
  | { t: 'block'; header: string; body: string[] }
  /** A scalar continued on more-indented lines (plain or double-quoted). */
  | { t: 'multiline'; first: string; rest: string[] };

export interface Entry {
  key: string;
  node: Node;
  /** A trailing comment on the key's line: the separator before `#`, then the text after it. */
  comment?: { sep: string; text: string };
  /** Blank and comment lines written before the key. */
  before: Extra[];
}

export interface Doc {
  eol: '\n' | '\r\n';
  /** A `---` line (maybe with a comment), written after `header`. */
  start: string | undefined;
  header: Extra[];
  root: Entry[];
  trailing: Extra[];
  finalEol: boolean;
  step: number;
}

export const PLACEHOLDER = '\u0000VALUE\u0000';

export function render(doc: Doc): string {
  const lines: string[] = [];
  extras(doc.header, lines);
  if (doc.start !== undefined) lines.push(doc.start);
  for (const e of doc.root) entry(e, 0, doc.step, lines);
  extras(doc.trailing, lines);
  return lines.join(doc.eol) + (doc.finalEol ? doc.eol : '');
}

function extras(list: Extra[], lines: string[]): void {
  for (const x of list) lines.push(x.t === 'blank' ? x.ws : `${' '.repeat(x.col)}#${x.text}`);
}

function entry(e: Entry, ind: number, step: number, lines: string[]): void {
  extras(e.before, lines);
  const head = `${' '.repeat(ind)}${e.key}:`;
  const comment = e.comment ? `${e.comment.sep}#${e.comment.text}` : '';
  const n = e.node;
  switch (n.t) {
    case 'token':
      lines.push(`${head} ${n.token}${comment}`);
      return;
    case 'empty':
      lines.push(head + comment);
      return;
    case 'map':
      lines.push(head + comment);
      for (const c of n.entries) entry(c, ind + (n.step ?? step), step, lines);
      return;
    case 'seq':
      lines.push(head + comment);
      for (const item of n.items) seqItem(item, n.compact ? ind : ind + step, step, lines);
      return;
    case 'block':
      lines.push(`${head} ${n.header}${comment}`);
      for (const b of n.body) lines.push(' '.repeat(ind + step) + b);
      return;
    case 'multiline':
      lines.push(`${head} ${n.first}`);
      for (const r of n.rest) lines.push(' '.repeat(ind + step) + r);
  }
}

function seqItem(n: Node, col: number, step: number, lines: string[]): void {
  if (n.t === 'map' && n.entries.length > 0) {
    const sub: string[] = [];
    n.entries.forEach((c) => entry({ ...c, before: [] }, col + 2, step, sub));
    const first = sub[0] as string;
    lines.push(`${' '.repeat(col)}- ${first.slice(col + 2)}`, ...sub.slice(1));
  } else if (n.t === 'token') lines.push(`${' '.repeat(col)}- ${n.token}`);
  else lines.push(`${' '.repeat(col)}-`);
}

/**
 * The indentation step the editor infers for new mappings: the most common step of the non-empty block mappings
 * that are values of keys, the first seen on a tie; 2 when there is none.
 */
export function effectiveStep(doc: Doc): number {
  const counts = new Map<number, number>();
  const walk = (entries: Entry[]): void => {
    for (const e of entries) {
      const n = e.node;
      if (n.t === 'map' && n.entries.length > 0) {
        const s = n.step ?? doc.step;
        counts.set(s, (counts.get(s) ?? 0) + 1);
        walk(n.entries);
      } else if (n.t === 'seq') for (const i of n.items) if (i.t === 'map') walk(i.entries);
    }
  };
  walk(doc.root);
  let best: number | undefined;
  for (const [s, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = s;
  return best ?? 2;
}

/**
 * The model after setting `path` to the placeholder, as the edit is specified: the last of duplicate keys is the
 * one changed; a missing key (and missing parents) is appended to the winning parent mapping; a parent that is
 * empty, `~`, `null` or `{}` becomes a block mapping. Returns undefined when the model cannot take the edit.
 */
export function expectedEdit(doc: Doc, path: readonly string[]): Doc | undefined {
  const out = structuredClone(doc);
  const step = effectiveStep(doc);
  let entries = out.root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const last = i === path.length - 1;
    const found = entries.filter((e) => e.key === key).pop();
    if (!found) {
      entries.push(chain(path.slice(i), step));
      return out;
    }
    if (last) {
      if (found.node.t !== 'token' && found.node.t !== 'empty') return undefined;
      found.node = { t: 'token', token: PLACEHOLDER };
      return out;
    }
    const n = found.node;
    if (n.t === 'map' && n.entries.length > 0) entries = n.entries;
    else if (n.t === 'empty' || (n.t === 'token' && /^(?:~|null|Null|NULL|\{ *\})$/.test(n.token))) {
      found.node = { t: 'map', entries: [], step };
      entries = found.node.entries;
    } else return undefined;
  }
  return out;
}

function chain(keys: readonly string[], step: number): Entry {
  const [key, ...rest] = keys as [string, ...string[]];
  const node: Node =
    rest.length === 0 ? { t: 'token', token: PLACEHOLDER } : { t: 'map', entries: [chain(rest, step)], step };
  return { key, node, before: [] };
}

/** Splits `actual` along the placeholders of `expected`: the single-line tokens written in their places. */
export function matchAround(expected: string, actual: string): string[] | undefined {
  const parts = expected.split(PLACEHOLDER);
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  if (!actual.startsWith(head) || !actual.endsWith(tail) || actual.length < head.length + tail.length) {
    return undefined;
  }
  let rest = actual.slice(head.length, actual.length - tail.length);
  const tokens: string[] = [];
  for (const mid of parts.slice(1, -1)) {
    const at = rest.indexOf(mid);
    if (at < 0) return undefined;
    tokens.push(rest.slice(0, at));
    rest = rest.slice(at + mid.length);
  }
  tokens.push(rest);
  return tokens.every((t) => t !== '' && !/[\r\n]/.test(t)) ? tokens : undefined;
}
