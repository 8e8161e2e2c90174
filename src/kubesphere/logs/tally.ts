/**
 * Counts token failures per kind across ks-apiserver log lines — requests, not lines: one failed request logs a
 * chain of 2–4 lines (3.0: jwt.go, token.go, jwt_token.go, authentication.go; 3.2+: issuer.go then jwt.go;
 * 4.1 adds authentication.go). Lines of one chain come from different source lines of the same process within
 * microseconds, so a line joins an open chain of its kind that has not yet seen its source (chains.ts).
 */
import { maskSecrets, maskTokens } from '../config/fingerprint.js';
import { Chains, type WorkCounter } from './chains.js';
import {
  classifyLogLine,
  LOG_EVENT_KINDS,
  type LogEvent,
  type LogEventKind,
  type MemberReason,
} from './line.js';

export interface LogOrigin {
  pod: string;
  container?: string;
}

export interface LogTallyOptions {
  /** Gives klog timestamps, which carry no year, their year. */
  now: Date;
  /** Lines of one request are at most this far apart (default 20 ms). */
  chainWindowMs?: number;
  /** Masked in sample lines. */
  secrets?: readonly string[];
  /** Sample lines kept per kind (default 3). */
  maxSamples?: number;
}

export interface KindTally {
  requests: number;
  lines: number;
  /** ISO 8601, UTC. */
  firstSeen?: string;
  lastSeen?: string;
  /** The first line of the newest few requests, oldest first, secrets and tokens masked. */
  samples: string[];
  pods: string[];
  /** `host-unauthorized` only: what the members answered. */
  causes: Partial<Record<MemberReason, number>>;
  /** `host-unauthorized` only: requests per member address (`host:` of the line), at most MAX_HOSTS. */
  byHost: Record<string, number>;
}

/** Distinct member addresses kept from a host's log: the text is the cluster's, so its size is bounded. */
const MAX_HOSTS = 256;

export interface LogTallyResult {
  linesSeen: number;
  linesMatched: number;
  kinds: Record<LogEventKind, KindTally>;
}

/** A candidate sample: lines with a time rank by it, lines without one before them by arrival. */
interface Sample {
  ms: number;
  order: number;
  line: string;
}

/** Without timestamps, lines of one chain are assumed at most this many lines apart. */
const MAX_LINE_GAP = 4;

interface KindState {
  requests: number;
  lines: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
  /** The newest requests' first lines, oldest first; at most maxSamples. */
  samples: Sample[];
  pods: Set<string>;
  causes: Partial<Record<MemberReason, number>>;
  byHost: Map<string, number>;
}

export class LogTally {
  private readonly now: Date;
  private readonly windowMs: number;
  private readonly secrets: readonly string[];
  private readonly maxSamples: number;
  private readonly kinds = new Map<LogEventKind, KindState>();
  /** Open chains per stream (pod, container) and kind. */
  private readonly chains = new Map<string, Chains>();
  private readonly seq = new Map<string, number>();
  private readonly work: WorkCounter = { steps: 0 };
  private linesSeen = 0;
  private linesMatched = 0;
  private requestsSeen = 0;
  /** The last origin's key: a stream's lines come one after another, so it is rarely built anew. */
  private lastOrigin: { pod: string; container: string; key: string } | undefined;

  constructor(opts: LogTallyOptions) {
    this.now = opts.now;
    this.windowMs = opts.chainWindowMs ?? 20;
    this.secrets = opts.secrets ?? [];
    this.maxSamples = opts.maxSamples ?? 3;
    for (const k of LOG_EVENT_KINDS) {
      this.kinds.set(k, {
        requests: 0,
        lines: 0,
        firstMs: undefined,
        lastMs: undefined,
        samples: [],
        pods: new Set(),
        causes: {},
        byHost: new Map(),
      });
    }
  }

  /** Adds one line; returns its classification (undefined for lines that say nothing about tokens). */
  add(line: string, origin: LogOrigin): LogEvent | undefined {
    this.linesSeen++;
    const originKey = this.keyOf(origin);
    const seq = (this.seq.get(originKey) ?? 0) + 1;
    this.seq.set(originKey, seq);
    const ev = classifyLogLine(line);
    if (!ev) return undefined;
    this.linesMatched++;
    const state = this.kinds.get(ev.kind) as KindState;
    state.lines++;
    state.pods.add(origin.pod);
    // Each time once: the runtime's (what is shown) and klog's (what chains lines of one request).
    const runtimeMs = ev.timestamp ? rfc3339Ms(ev.timestamp) : undefined;
    const headerMs = klogMs(ev, this.now);
    const seenMs = ev.timestamp ? runtimeMs : headerMs;
    if (seenMs !== undefined) {
      if (state.firstMs === undefined || seenMs < state.firstMs) state.firstMs = seenMs;
      if (state.lastMs === undefined || seenMs > state.lastMs) state.lastMs = seenMs;
    }
    if (this.joinsChain(`${originKey}\u0000${ev.kind}`, ev, seq, headerMs ?? runtimeMs)) return ev;
    state.requests++;
    if (ev.kind === 'host-unauthorized' && ev.cause) {
      state.causes[ev.cause] = (state.causes[ev.cause] ?? 0) + 1;
    }
    if (ev.kind === 'host-unauthorized' && ev.host) {
      const n = state.byHost.get(ev.host);
      if (n !== undefined || state.byHost.size < MAX_HOSTS) state.byHost.set(ev.host, (n ?? 0) + 1);
    }
    this.keepSample(state, {
      ms: seenMs ?? Number.NEGATIVE_INFINITY,
      order: this.requestsSeen++,
      line,
    });
    return ev;
  }

  private keyOf(origin: LogOrigin): string {
    const container = origin.container ?? '';
    const last = this.lastOrigin;
    if (last && last.pod === origin.pod && last.container === container) return last.key;
    const key = `${origin.pod}\u0000${container}`;
    this.lastOrigin = { pod: origin.pod, container, key };
    return key;
  }

  /** True when the line belongs to a request already counted. `ms`: klog's time, else the runtime's. */
  private joinsChain(key: string, ev: LogEvent, seq: number, ms: number | undefined): boolean {
    const source = ev.klog?.source ?? `message:${ev.message}`;
    let chains = this.chains.get(key);
    if (!chains) {
      chains = new Chains({ windowMs: this.windowMs, maxLineGap: MAX_LINE_GAP }, this.work);
      this.chains.set(key, chains);
    }
    return chains.add(source, { ms, seq });
  }

  /**
   * Keeps the newest `maxSamples` requests: streams of several pods arrive interleaved, so "newest" is by time
   * and only then by arrival. Insertion is O(maxSamples); lines are masked only when shown (result()).
   */
  private keepSample(state: KindState, sample: Sample): void {
    const kept = state.samples;
    if (this.maxSamples <= 0) return;
    if (kept.length >= this.maxSamples) {
      if (older(sample, kept[0]!)) return;
      kept.shift();
    }
    let i = kept.length;
    while (i > 0 && older(sample, kept[i - 1]!)) i--;
    kept.splice(i, 0, sample);
  }

  result(): LogTallyResult {
    const kinds = {} as Record<LogEventKind, KindTally>;
    for (const [k, v] of this.kinds) {
      kinds[k] = {
        requests: v.requests,
        lines: v.lines,
        ...(v.firstMs !== undefined ? { firstSeen: new Date(v.firstMs).toISOString() } : {}),
        ...(v.lastMs !== undefined ? { lastSeen: new Date(v.lastMs).toISOString() } : {}),
        samples: v.samples.map((s) => maskTokens(maskSecrets(s.line, this.secrets))),
        pods: [...v.pods],
        causes: { ...v.causes },
        byHost: Object.fromEntries(v.byHost),
      };
    }
    return { linesSeen: this.linesSeen, linesMatched: this.linesMatched, kinds };
  }

  /** How much matching work was done, and how many chains and sources are held: for tests of linearity and memory. */
  stats(): { chainSteps: number; openChains: number; sources: number } {
    let openChains = 0;
    let sources = 0;
    for (const c of this.chains.values()) {
      openChains += c.size;
      sources += c.sources;
    }
    return { chainSteps: this.work.steps, openChains, sources };
  }
}

/** Module-level, not a closure per call: the build keeps function names, which costs every closure made. */
function older(a: Sample, b: Sample): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.order < b.order);
}

function rfc3339Ms(ts: string): number | undefined {
  const m = /^(.{19})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return undefined;
  const base = Date.parse(`${m[1]}${m[3]}`);
  return Number.isNaN(base) ? undefined : base + Number(`0.${m[2] ?? '0'}`) * 1000;
}

/** klog prints month and day without a year: take `now`'s, or last year's when that would lie in the future. */
function klogMs(ev: LogEvent, now: Date): number | undefined {
  const k = ev.klog;
  if (!k) return undefined;
  const year = now.getUTCFullYear();
  const ms = klogAt(k, year);
  return ms > now.getTime() + 86_400_000 ? klogAt(k, year - 1) : ms;
}

function klogAt(k: NonNullable<LogEvent['klog']>, year: number): number {
  return Date.UTC(year, k.month - 1, k.day, k.hour, k.minute, k.second) + k.micros / 1000;
}
