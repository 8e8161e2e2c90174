/**
 * The open request chains of one log stream and kind (see tally.ts). A line joins the oldest open chain that has
 * not yet seen its source line, else it opens a new chain. Amortised O(1) per line whatever the input: every
 * chain is created once and removed once, and a line looks at no chain it does not join or remove.
 *
 * Two facts make that possible. (1) The chains that have seen a source are a prefix of the open chains in
 * creation order (a line always joins the oldest chain without its source), so the chain to join is the one
 * after the newest chain with that source. (2) Lines of one stream come in time order, so the chains touched
 * longest ago are the first to close: they are removed from the front of a touch-ordered list.
 */

/** Where a line is: its time (ms) when it has one, and its position in its stream. */
export interface ChainPoint {
  ms: number | undefined;
  seq: number;
}

interface Chain {
  lastMs: number | undefined;
  lastSeq: number;
  /** Never searched (the prefix property says which chains have a source): a list is enough. */
  sources: string[];
  /** Creation order. */
  prev: Chain | undefined;
  next: Chain | undefined;
  /** Touch order: `older` was touched before this one. */
  older: Chain | undefined;
  newer: Chain | undefined;
}

export interface ChainLimits {
  /** Lines of one request with times are at most this far apart. */
  windowMs: number;
  /** Lines of one request without times are at most this many lines apart. */
  maxLineGap: number;
}

/** Counts the chains looked at, so tests can check the work per line without timing anything. */
export interface WorkCounter {
  steps: number;
}

export class Chains {
  private first: Chain | undefined;
  private last: Chain | undefined;
  private stalest: Chain | undefined;
  private freshest: Chain | undefined;
  /**
   * Per source, the newest open chain that has seen it; undefined once none has. A source is not deleted when its
   * last chain closes: V8's Map.delete is slow on a map it shrinks, and a stream opens and closes a chain per
   * request. The undefined ones are swept when they may outnumber the rest, so memory stays bounded.
   */
  private newestWith = new Map<string, Chain | undefined>();
  /** Sources set to undefined since the last sweep (an upper bound: some may have been set again since). */
  private cleared = 0;
  private count = 0;

  constructor(
    private readonly limits: ChainLimits,
    private readonly work: WorkCounter,
  ) {}

  /** Open chains held. */
  get size(): number {
    return this.count;
  }

  /** Sources remembered, for the test that memory stays bounded. */
  get sources(): number {
    return this.newestWith.size;
  }

  /** Adds a line; true when it joins a chain, i.e. belongs to a request already counted. */
  add(source: string, at: ChainPoint): boolean {
    while (this.stalest && !this.isOpen(this.stalest, at)) this.remove(this.stalest);
    const newest = this.newestWith.get(source);
    let chain = newest ? newest.next : this.first;
    // Only out-of-order lines find a closed chain here; it would have closed earlier in a stream in order.
    while (chain && !this.isOpen(chain, at)) {
      const next = chain.next;
      this.remove(chain);
      chain = next;
    }
    if (chain) {
      this.work.steps++;
      chain.sources.push(source);
      chain.lastMs = at.ms;
      chain.lastSeq = at.seq;
      this.touch(chain);
      this.newestWith.set(source, chain);
      return true;
    }
    this.append(source, at);
    return false;
  }

  private isOpen(c: Chain, at: ChainPoint): boolean {
    return at.ms !== undefined && c.lastMs !== undefined
      ? Math.abs(at.ms - c.lastMs) <= this.limits.windowMs
      : at.seq - c.lastSeq <= this.limits.maxLineGap;
  }

  private append(source: string, at: ChainPoint): void {
    this.work.steps++;
    const chain: Chain = {
      lastMs: at.ms,
      lastSeq: at.seq,
      sources: [source],
      prev: this.last,
      next: undefined,
      older: this.freshest,
      newer: undefined,
    };
    if (this.last) this.last.next = chain;
    else this.first = chain;
    this.last = chain;
    if (this.freshest) this.freshest.newer = chain;
    else this.stalest = chain;
    this.freshest = chain;
    this.newestWith.set(source, chain);
    this.count++;
  }

  /** Keeps only the sources an open chain has seen. */
  private sweep(): void {
    const kept = new Map<string, Chain | undefined>();
    for (const [source, chain] of this.newestWith) if (chain) kept.set(source, chain);
    this.newestWith = kept;
    this.cleared = 0;
  }

  /** Moves a chain to the fresh end of the touch order. */
  private touch(c: Chain): void {
    if (this.freshest === c) return;
    this.unlinkTouch(c);
    c.older = this.freshest;
    c.newer = undefined;
    if (this.freshest) this.freshest.newer = c;
    else this.stalest = c;
    this.freshest = c;
  }

  private unlinkTouch(c: Chain): void {
    if (c.older) c.older.newer = c.newer;
    else this.stalest = c.newer;
    if (c.newer) c.newer.older = c.older;
    else this.freshest = c.older;
  }

  private remove(c: Chain): void {
    this.work.steps++;
    // The chains before this one have all its sources (the prefix property): the previous one takes its place.
    for (const s of c.sources) {
      this.work.steps++;
      if (this.newestWith.get(s) !== c) continue;
      this.newestWith.set(s, c.prev);
      if (!c.prev) this.cleared++;
    }
    if (this.cleared > 64 && this.cleared * 2 > this.newestWith.size) this.sweep();
    if (c.prev) c.prev.next = c.next;
    else this.first = c.next;
    if (c.next) c.next.prev = c.prev;
    else this.last = c.prev;
    this.unlinkTouch(c);
    this.count--;
  }
}
