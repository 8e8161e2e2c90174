/**
 * Counts token failures per kind across ks-apiserver log lines — requests, not lines: one failed request logs a
 * chain of 2–4 lines (3.0: jwt.go, token.go, jwt_token.go, authentication.go; 3.2+: issuer.go then jwt.go;
 * 4.1 adds authentication.go). Lines of one chain come from different source lines of the same process within
 * microseconds, so a line joins an open chain of its kind that has not yet seen its source.
 */
import { maskSecrets, maskTokens } from '../config/fingerprint.js';
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
  /** The first line of the first few requests, secrets and tokens masked. */
  samples: string[];
  pods: string[];
  /** `host-unauthorized` only: what the members answered. */
  causes: Partial<Record<MemberReason, number>>;
}

export interface LogTallyResult {
  linesSeen: number;
  linesMatched: number;
  kinds: Record<LogEventKind, KindTally>;
}

interface Chain {
  lastMs: number | undefined;
  lastSeq: number;
  sources: Set<string>;
}

/** Without timestamps, lines of one chain are assumed at most this many lines apart. */
const MAX_LINE_GAP = 4;

export class LogTally {
  private readonly now: Date;
  private readonly windowMs: number;
  private readonly secrets: readonly string[];
  private readonly maxSamples: number;
  private readonly kinds = new Map<LogEventKind, KindTally>();
  private readonly chains = new Map<string, Chain[]>();
  private readonly seq = new Map<string, number>();
  private linesSeen = 0;
  private linesMatched = 0;

  constructor(opts: LogTallyOptions) {
    this.now = opts.now;
    this.windowMs = opts.chainWindowMs ?? 20;
    this.secrets = opts.secrets ?? [];
    this.maxSamples = opts.maxSamples ?? 3;
    for (const k of LOG_EVENT_KINDS)
      this.kinds.set(k, { requests: 0, lines: 0, samples: [], pods: [], causes: {} });
  }

  /** Adds one line; returns its classification (undefined for lines that say nothing about tokens). */
  add(line: string, origin: LogOrigin): LogEvent | undefined {
    this.linesSeen++;
    const originKey = `${origin.pod}\u0000${origin.container ?? ''}`;
    const seq = (this.seq.get(originKey) ?? 0) + 1;
    this.seq.set(originKey, seq);
    const ev = classifyLogLine(line);
    if (!ev) return undefined;
    this.linesMatched++;
    const tally = this.kinds.get(ev.kind) as KindTally;
    tally.lines++;
    if (!tally.pods.includes(origin.pod)) tally.pods.push(origin.pod);
    const seenMs = ev.timestamp ? rfc3339Ms(ev.timestamp) : klogMs(ev, this.now);
    if (seenMs !== undefined) {
      const iso = new Date(seenMs).toISOString();
      if (tally.firstSeen === undefined || iso < tally.firstSeen) tally.firstSeen = iso;
      if (tally.lastSeen === undefined || iso > tally.lastSeen) tally.lastSeen = iso;
    }
    if (this.joinsChain(`${originKey}\u0000${ev.kind}`, ev, seq)) return ev;
    tally.requests++;
    if (ev.kind === 'host-unauthorized' && ev.cause) {
      tally.causes[ev.cause] = (tally.causes[ev.cause] ?? 0) + 1;
    }
    if (tally.samples.length < this.maxSamples) {
      tally.samples.push(maskTokens(maskSecrets(line, this.secrets)));
    }
    return ev;
  }

  /** True when the line belongs to a request already counted. */
  private joinsChain(key: string, ev: LogEvent, seq: number): boolean {
    const t = klogMs(ev, this.now) ?? (ev.timestamp ? rfc3339Ms(ev.timestamp) : undefined);
    const source = ev.klog?.source ?? `message:${ev.message}`;
    const open = (this.chains.get(key) ?? []).filter((c) =>
      t !== undefined && c.lastMs !== undefined
        ? Math.abs(t - c.lastMs) <= this.windowMs
        : seq - c.lastSeq <= MAX_LINE_GAP,
    );
    const chain = open.find((c) => !c.sources.has(source));
    if (chain) {
      chain.sources.add(source);
      chain.lastMs = t;
      chain.lastSeq = seq;
    } else {
      open.push({ lastMs: t, lastSeq: seq, sources: new Set([source]) });
    }
    this.chains.set(key, open);
    return chain !== undefined;
  }

  result(): LogTallyResult {
    const kinds = {} as Record<LogEventKind, KindTally>;
    for (const [k, v] of this.kinds) {
      kinds[k] = { ...v, samples: [...v.samples], pods: [...v.pods], causes: { ...v.causes } };
    }
    return { linesSeen: this.linesSeen, linesMatched: this.linesMatched, kinds };
  }
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
  const at = (year: number): number =>
    Date.UTC(year, k.month - 1, k.day, k.hour, k.minute, k.second) + k.micros / 1000;
  const year = now.getUTCFullYear();
  const ms = at(year);
  return ms > now.getTime() + 86_400_000 ? at(year - 1) : ms;
}
