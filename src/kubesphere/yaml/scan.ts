/**
 * A line-level map of block-style YAML: where each mapping key sits (line, columns, path), what shape its value
 * has and where its block ends. js-yaml gives values but no positions, and keeps only the last of duplicate keys;
 * this scanner sees every occurrence, which config parsing reports and yaml-edit needs to change bytes in place.
 * It understands what templates and Go's encoder write: block mappings and sequences (also "compact" sequences at
 * the parent key's indentation), plain/quoted scalars, block scalars, comments, blank runs. Flow collections,
 * anchors and tags are recognised and marked, not descended into.
 */
import {
  findQuoteEnd,
  flowDepth,
  indentOf,
  isBlank,
  isDash,
  parseInline,
  parseKey,
  resolveKey,
  skipSpaces,
  splitLines,
  type InlineValue,
  type ScanLine,
} from './tokens.js';

export { splitLines } from './tokens.js';
export type { InlineKind, InlineValue, ScanLine } from './tokens.js';

export type PathSegment = string | number;

export interface ScanEntry {
  key: string;
  path: PathSegment[];
  /** 0-based line of the key. */
  line: number;
  /** Column of the key's first character. */
  indent: number;
  /** Column of the `:` after the key. */
  colon: number;
  value: InlineValue;
  /** `empty`: nothing inline and no nested block (YAML null). */
  shape: 'scalar' | 'map' | 'seq' | 'empty';
  /** Column of the nested keys when shape is `map`. */
  childIndent?: number;
  /** Last non-blank, non-comment line of this entry, nested content included. */
  endLine: number;
  /** The mapping this key belongs to. */
  mapId: number;
  /** The mapping that is this key's value, when shape is `map`. */
  childMapId?: number;
}

export interface YamlScan {
  ok: true;
  lines: ScanLine[];
  entries: ScanEntry[];
  /** Entries per mapping, in document order. */
  byMap: Map<number, ScanEntry[]>;
  /** Mappings that hold a `<<` merge key. */
  mergeMaps: Set<number>;
  /** Undefined when the document is empty or its root is not a block mapping. */
  rootMapId: number | undefined;
  rootIndent: number;
  /** -1 when the document has no content. */
  lastContentLine: number;
  /** The line break the file uses. */
  eol: string;
  /** Indentation step the file uses for nested mappings (2 when it can't tell). */
  indentStep: number;
}

export interface YamlScanFailure {
  ok: false;
  code: 'tab-indentation' | 'multiple-documents' | 'unsupported-structure';
  /** 1-based. */
  line: number;
  reason: string;
}

interface Frame {
  kind: 'map' | 'seq';
  indent: number;
  path: PathSegment[];
  owner: ScanEntry | undefined;
  id: number;
  items: number;
}

interface Pending {
  indent: number;
  path: PathSegment[];
  entry: ScanEntry | undefined;
}

type Mode =
  | { kind: 'block'; limit: number }
  | { kind: 'quote'; quote: '"' | "'" }
  | { kind: 'flow'; depth: number }
  | { kind: 'plain'; limit: number };

class ScanError extends Error {
  constructor(
    readonly code: YamlScanFailure['code'],
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function scanYaml(text: string): YamlScan | YamlScanFailure {
  // Columns would shift by one on the first line; the API never serves one, so it is not worth the care.
  if (text.startsWith('\uFEFF')) {
    return {
      ok: false,
      code: 'unsupported-structure',
      line: 1,
      reason: 'the text starts with a byte order mark',
    };
  }
  try {
    return new Scanner(text).run();
  } catch (e) {
    if (e instanceof ScanError) return { ok: false, code: e.code, line: e.line + 1, reason: e.message };
    throw e;
  }
}

class Scanner {
  private readonly lines: ScanLine[];
  private readonly entries: ScanEntry[] = [];
  private readonly stack: Frame[] = [];
  private readonly mergeMaps = new Set<number>();
  private pending: Pending | undefined;
  private mode: Mode | undefined;
  /** The entry whose value continues on the following lines (block, quoted or flow scalar). */
  private continued: ScanEntry | undefined;
  private seenRoot = false;
  private nextId = 0;
  private rootMapId: number | undefined;
  private rootIndent = 0;
  private lastContentLine = -1;
  private seenContent = false;
  private docEnded = false;
  private readonly steps: number[] = [];

  constructor(text: string) {
    this.lines = splitLines(text);
  }

  run(): YamlScan {
    this.lines.forEach((line, i) => this.line(line.text, i));
    this.settlePending(-1, false);
    const byMap = new Map<number, ScanEntry[]>();
    for (const e of this.entries) {
      const list = byMap.get(e.mapId) ?? [];
      list.push(e);
      byMap.set(e.mapId, list);
    }
    return {
      ok: true,
      lines: this.lines,
      entries: this.entries,
      byMap,
      mergeMaps: this.mergeMaps,
      rootMapId: this.rootMapId,
      rootIndent: this.rootIndent,
      lastContentLine: this.lastContentLine,
      eol: this.lines.find((l) => l.eol !== '')?.eol ?? '\n',
      indentStep: mostCommon(this.steps) ?? 2,
    };
  }

  private line(t: string, li: number): void {
    const mode = this.mode;
    if (mode?.kind === 'block') {
      if (isBlank(t)) return;
      if (indentOf(t) > mode.limit) return this.touch(li);
      this.endMode();
    } else if (mode?.kind === 'quote') {
      this.touch(li);
      if (findQuoteEnd(t, -1, mode.quote) >= 0) this.endMode();
      return;
    } else if (mode?.kind === 'flow') {
      this.touch(li);
      mode.depth = flowDepth(t, 0, mode.depth).depth;
      if (mode.depth <= 0) this.endMode();
      return;
    }
    if (isBlank(t) || /^[ \t]*#/.test(t)) return;
    const ind = indentOf(t);
    if (t[ind] === '\t') {
      throw new ScanError('tab-indentation', li, 'a tab is used for indentation (YAML allows only spaces)');
    }
    if (ind === 0 && /^(---|\.\.\.)(\s|$)/.test(t)) return this.marker(t, li);
    if (ind === 0 && t[0] === '%' && !this.seenContent) return;
    if (this.docEnded) throw new ScanError('multiple-documents', li, 'content after the end of the document');
    if (mode?.kind === 'plain') {
      if (ind > mode.limit) {
        if (this.continued) this.continued.value.kind = 'multiline';
        return this.touch(li);
      }
      this.endMode();
    }
    this.seenContent = true;
    this.content(t, li, ind);
  }

  private marker(t: string, li: number): void {
    if (t.startsWith('...')) {
      this.docEnded = true;
      return;
    }
    if (this.seenContent) throw new ScanError('multiple-documents', li, 'a second YAML document starts here');
    const rest = t.slice(3).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      throw new ScanError('unsupported-structure', li, 'content on the "---" line');
    }
  }

  private endMode(): void {
    this.mode = undefined;
    this.continued = undefined;
  }

  private content(t: string, li: number, ind: number): void {
    const dash = isDash(t, ind);
    for (let top = this.top(); top; top = this.top()) {
      if (ind < top.indent || (ind === top.indent && top.kind === 'seq' && !dash)) this.stack.pop();
      else break;
    }
    if (this.settlePending(ind, dash)) {
      const p = this.pending as Pending;
      this.pending = undefined;
      this.push(dash ? 'seq' : 'map', ind, p.path, p.entry);
    } else if (this.stack.length === 0) {
      if (this.seenRoot) throw new ScanError('unsupported-structure', li, 'a second root node');
      this.seenRoot = true;
      this.rootIndent = ind;
      const frame = this.push(dash ? 'seq' : 'map', ind, [], undefined);
      if (!dash) this.rootMapId = frame.id;
    }
    const top = this.top();
    if (!top || top.indent !== ind) {
      throw new ScanError('unsupported-structure', li, 'indentation does not match any open block');
    }
    if (top.kind === 'seq') {
      if (!dash) throw new ScanError('unsupported-structure', li, 'expected a sequence entry');
      this.item(t, li, top);
    } else {
      if (dash) throw new ScanError('unsupported-structure', li, 'a sequence entry where a key was expected');
      this.key(t, li, ind, top);
    }
  }

  /** Decides whether the pending key/item gets a nested block from this line; true when it does. */
  private settlePending(ind: number, dash: boolean): boolean {
    const p = this.pending;
    if (!p) return false;
    if (ind > p.indent || (ind === p.indent && dash && p.entry !== undefined)) return true;
    if (p.entry) p.entry.shape = 'empty';
    this.pending = undefined;
    return false;
  }

  private push(
    kind: Frame['kind'],
    indent: number,
    path: PathSegment[],
    owner: ScanEntry | undefined,
  ): Frame {
    const frame: Frame = { kind, indent, path, owner, id: this.nextId++, items: 0 };
    if (owner) {
      owner.shape = kind;
      if (kind === 'map') {
        owner.childIndent = indent;
        owner.childMapId = frame.id;
        if (indent > owner.indent) this.steps.push(indent - owner.indent);
      }
    }
    this.stack.push(frame);
    return frame;
  }

  private top(): Frame | undefined {
    return this.stack[this.stack.length - 1];
  }

  private touch(li: number): void {
    this.lastContentLine = li;
    for (const f of this.stack) if (f.owner) f.owner.endLine = li;
    if (this.continued) this.continued.endLine = li;
  }

  private item(t: string, li: number, seq: Frame): void {
    const index = seq.items++;
    const path = [...seq.path, index];
    this.continued = undefined;
    this.touch(li);
    const col = skipSpaces(t, seq.indent + 1);
    if (col >= t.length || t[col] === '#') {
      this.pending = { indent: seq.indent, path, entry: undefined };
    } else if (isDash(t, col)) {
      const nested = this.push('seq', col, path, undefined);
      this.item(t, li, nested);
    } else if (parseKey(t, col)) {
      const frame = this.push('map', col, path, undefined);
      this.key(t, li, col, frame);
    } else {
      this.inlineMode(parseInline(t, col), seq.indent, undefined);
    }
  }

  private key(t: string, li: number, col: number, frame: Frame): void {
    const k = parseKey(t, col);
    if (!k) throw new ScanError('unsupported-structure', li, 'expected "key: value"');
    const key = resolveKey(t.slice(col, k.end));
    const value = parseInline(t, k.colon + 1);
    const entry: ScanEntry = {
      key,
      path: [...frame.path, key],
      line: li,
      indent: col,
      colon: k.colon,
      value,
      shape: value.kind === 'none' ? 'empty' : 'scalar',
      endLine: li,
      mapId: frame.id,
    };
    if (key === '<<') this.mergeMaps.add(frame.id);
    this.entries.push(entry);
    this.continued = entry;
    this.touch(li);
    if (value.kind === 'none') {
      this.continued = undefined;
      this.pending = { indent: col, path: entry.path, entry };
    } else {
      this.inlineMode(value, col, entry);
    }
  }

  private inlineMode(value: InlineValue, limit: number, entry: ScanEntry | undefined): void {
    this.continued = entry;
    const open = value.open;
    if (value.kind === 'block') this.mode = { kind: 'block', limit };
    else if (open && 'quote' in open) this.mode = { kind: 'quote', quote: open.quote };
    else if (open) this.mode = { kind: 'flow', depth: open.depth };
    else this.mode = { kind: 'plain', limit };
  }
}

function mostCommon(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

export function duplicateKeys(scan: YamlScan): Array<{ path: PathSegment[]; lines: number[] }> {
  const out: Array<{ path: PathSegment[]; lines: number[] }> = [];
  for (const list of scan.byMap.values()) {
    const seen = new Map<string, ScanEntry[]>();
    for (const e of list) seen.set(e.key, [...(seen.get(e.key) ?? []), e]);
    for (const group of seen.values()) {
      const last = group[group.length - 1];
      if (group.length > 1 && last) out.push({ path: last.path, lines: group.map((e) => e.line + 1) });
    }
  }
  return out.sort((a, b) => (a.lines[0] ?? 0) - (b.lines[0] ?? 0));
}

/**
 * Follows `path` through block mappings, taking the last occurrence of each key (the one that wins).
 * `chain` holds the entries found; it is shorter than `path` when a key is missing or a value on the way is not a
 * block mapping.
 */
export function resolvePath(scan: YamlScan, path: readonly string[]): ScanEntry[] {
  const chain: ScanEntry[] = [];
  let mapId = scan.rootMapId;
  for (const key of path) {
    if (mapId === undefined) break;
    const list = scan.byMap.get(mapId) ?? [];
    const found = list.filter((e) => e.key === key).pop();
    if (!found) break;
    chain.push(found);
    mapId = found.shape === 'map' ? found.childMapId : undefined;
  }
  return chain;
}
