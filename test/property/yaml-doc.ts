/**
 * A model of block-style kubesphere.yaml documents, rendered to text by hand, so that a test knows every byte
 * and can compute what an edit must produce without asking the code under test. Edits are applied to the model
 * (the last of duplicate keys wins; missing keys are appended to the winning parent) and the new value is left as
 * a placeholder: the expected text is everything around it.
 */
export type Extra = { t: 'blank'; ws: string } | { t: 'comment'; col: number; text: string };

export type Node =
  /** A single-line plain or quoted scalar, or a flow collection; `sep`: spaces before it, `pad`: after it. */
  | { t: 'token'; token: string; sep?: string; pad?: string }
  /** `key:` and nothing else (null). */
  | { t: 'empty' }
  /** `step`: the indentation of this mapping's keys relative to its parent key, when not the document's. */
  | { t: 'map'; entries: Entry[]; step?: number }
  | { t: 'seq'; items: Node[]; compact: boolean }
  /** `key: |` and its lines, each indented one step deeper. */
  | { t: 'block'; header: string; body: string[] }
  /** A scalar continued on more-indented lines (plain or double-quoted). */
  | { t: 'multiline'; first: string; rest: string[] }
  /** Lines written one step deeper, each leading tab one more step; `maps`: how many block mappings they open. */
  | { t: 'raw'; lines: string[]; maps: number };

export interface Entry {
  /** The key as parsers read it. */
  key: string;
  /** The key as written, when not plain (`"jwtSecret"`), then any spaces before the colon. */
  keyText?: string;
  gap?: string;
  node: Node;
  /** A trailing comment on the key's line: the separator before `#`, then the text after it. */
  comment?: { sep: string; text: string };
  /** Blank and comment lines written before the key. */
  before: Extra[];
  /** The edit (its index) that added this entry, or that turned its `~`/`{}` value into a mapping. */
  inserted?: number;
  replaced?: number;
}

export interface Doc {
  eol: '\n' | '\r\n';
  /** Mixed line endings: bit k (mod 31) of the mask makes line k end in CRLF; `eol` is then ignored. */
  eolMask: number | undefined;
  /** A `---` line (maybe with a comment), written after `header`. */
  start: string | undefined;
  header: Extra[];
  root: Entry[];
  /** A `...` line after the root mapping. */
  end: boolean;
  trailing: Extra[];
  finalEol: boolean;
  step: number;
}

export const PLACEHOLDER = '\u0000VALUE\u0000';

interface Line {
  text: string;
  inserted?: number;
  replaced?: number;
}

export function render(doc: Doc): string {
  const lines: Line[] = [];
  extras(doc.header, lines);
  if (doc.start !== undefined) lines.push({ text: doc.start });
  for (const e of doc.root) entry(e, 0, doc.step, lines, undefined);
  if (doc.end) lines.push({ text: '...' });
  extras(doc.trailing, lines);
  const eols = lineEnds(doc, lines);
  return lines.map((l, i) => l.text + eols[i]).join('');
}

/**
 * Original lines keep their line breaks; added ones get the file's (the first line's). A line turned from
 * `key: ~` into `key:` hands its break to the last line added under it, as a splice of lines does.
 */
function lineEnds(doc: Doc, lines: Line[]): string[] {
  const originals = lines.filter((l) => l.inserted === undefined).length;
  const original = (k: number): string => {
    if (k === originals - 1 && !doc.finalEol) return '';
    if (doc.eolMask === undefined) return doc.eol;
    return (doc.eolMask >> (k % 31)) & 1 ? '\r\n' : '\n';
  };
  const fileEol = original(0) || '\n';
  const eols: string[] = [];
  const handedOn: Array<[number, string]> = [];
  let k = 0;
  lines.forEach((l, i) => {
    if (l.inserted !== undefined) eols[i] = fileEol;
    else if (l.replaced === undefined) eols[i] = original(k++);
    else {
      let j = i + 1;
      while (lines[j]?.inserted === l.replaced) j++;
      eols[i] = fileEol;
      handedOn.push([j - 1, original(k++)]);
    }
  });
  for (const [i, eol] of handedOn) eols[i] = eol;
  return eols.map((e, i) => (i === eols.length - 1 ? (doc.finalEol ? e : '') : e || fileEol));
}

function extras(list: Extra[], lines: Line[]): void {
  for (const x of list) lines.push({ text: x.t === 'blank' ? x.ws : `${' '.repeat(x.col)}#${x.text}` });
}

function entry(e: Entry, ind: number, step: number, lines: Line[], inserted: number | undefined): void {
  const ins = e.inserted ?? inserted;
  const push = (text: string, replaced?: number): void => {
    lines.push(ins === undefined ? { text, replaced } : { text, inserted: ins });
  };
  extras(e.before, lines);
  const head = `${' '.repeat(ind)}${e.keyText ?? e.key}${e.gap ?? ''}:`;
  const comment = e.comment ? `${e.comment.sep}#${e.comment.text}` : '';
  const n = e.node;
  switch (n.t) {
    case 'token':
      push(`${head}${n.sep ?? ' '}${n.token}${comment || (n.pad ?? '')}`);
      return;
    case 'empty':
      push(head + comment);
      return;
    case 'map':
      push(head + comment, e.replaced);
      for (const c of n.entries) entry(c, ind + (n.step ?? step), step, lines, ins);
      return;
    case 'seq':
      push(head + comment);
      for (const item of n.items) seqItem(item, n.compact ? ind : ind + step, step, lines);
      return;
    case 'block':
      push(`${head} ${n.header}${comment}`);
      for (const b of n.body) push(' '.repeat(ind + step) + b);
      return;
    case 'multiline':
      push(`${head} ${n.first}`);
      for (const r of n.rest) push(' '.repeat(ind + step) + r);
      return;
    case 'raw':
      push(head + comment);
      for (const r of n.lines)
        push(' '.repeat(ind + step) + r.replace(/^\t*/, (t) => ' '.repeat(t.length * step)));
  }
}

function seqItem(n: Node, col: number, step: number, lines: Line[]): void {
  if (n.t === 'map' && n.entries.length > 0) {
    const sub: Line[] = [];
    n.entries.forEach((c) => entry({ ...c, before: [] }, col + 2, step, sub, undefined));
    const first = (sub[0] as Line).text;
    lines.push({ text: `${' '.repeat(col)}- ${first.slice(col + 2)}` }, ...sub.slice(1));
  } else if (n.t === 'token') lines.push({ text: `${' '.repeat(col)}- ${n.token}` });
  else lines.push({ text: `${' '.repeat(col)}-` });
}

/**
 * The indentation step the editor infers for new mappings: the most common step of the non-empty block mappings
 * that are values of keys, the first seen on a tie; 2 when there is none.
 */
export function effectiveStep(doc: Doc): number {
  const counts = new Map<number, number>();
  const count = (s: number, n = 1): void => void counts.set(s, (counts.get(s) ?? 0) + n);
  const walk = (entries: Entry[]): void => {
    for (const e of entries) {
      const n = e.node;
      if (n.t === 'map' && n.entries.length > 0) {
        count(n.step ?? doc.step);
        walk(n.entries);
      } else if (n.t === 'raw') count(doc.step, n.maps);
      else if (n.t === 'seq') for (const i of n.items) if (i.t === 'map') walk(i.entries);
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
 * empty, `~`, `null` or `{}` becomes a block mapping. `editNo` tells this edit's added lines from another's.
 */
export function expectedEdit(doc: Doc, path: readonly string[], editNo = 0): Doc | undefined {
  const out = structuredClone(doc);
  const step = effectiveStep(doc);
  let entries = out.root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as string;
    const found = entries.filter((e) => e.key === key).pop();
    if (!found) {
      entries.push({ ...chain(path.slice(i), step), inserted: editNo });
      return out;
    }
    if (i === path.length - 1) {
      if (found.node.t === 'empty') found.node = { t: 'token', token: PLACEHOLDER };
      else if (found.node.t === 'token') found.node = { ...found.node, token: PLACEHOLDER };
      else return undefined;
      return out;
    }
    const n = found.node;
    if (n.t === 'map' && n.entries.length > 0) entries = n.entries;
    else if (n.t === 'empty' || (n.t === 'token' && /^(?:~|null|Null|NULL|\{ *\})$/.test(n.token))) {
      found.node = { t: 'map', entries: [], step };
      if (n.t === 'token') found.replaced = editNo;
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
