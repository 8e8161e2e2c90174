/**
 * An API server's clock, read from the `Date` header of the responses a command makes anyway (no extra request).
 * Go's net/http stamps Date in whole seconds somewhere between our send and the arrival of the headers, so one
 * response bounds the offset (server clock − ours) to [date − receivedAt, date + 1 s − sentAt]: its midpoint is
 * date + 0.5 s − (sentAt + RTT/2), give or take RTT/2 + 0.5 s.
 */
export interface ClockSample {
  /** Our clock (epoch ms) when the request was sent, and when the response's headers arrived. */
  sentAt: number;
  receivedAt: number;
  /** The Date header (epoch ms, a whole second). */
  date: number;
}

export interface ClockReading {
  /** The server's clock minus ours, in ms (positive: the server is ahead). */
  offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs. */
  uncertaintyMs: number;
  /** Responses it was measured from. */
  samples: number;
}

const DATE_RESOLUTION_MS = 1000;

/** A sample from one response; undefined without a usable Date header. */
export function clockSample(
  sentAt: number,
  receivedAt: number,
  dateHeader: string | string[] | undefined,
): ClockSample | undefined {
  const text = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
  const date = text === undefined ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(date) || receivedAt < sentAt) return undefined;
  return { sentAt, receivedAt, date };
}

/** The offsets one sample allows, [lo, hi] in ms. */
export function offsetBounds(s: ClockSample): [number, number] {
  return [s.date - s.receivedAt, s.date + DATE_RESOLUTION_MS - s.sentAt];
}

/**
 * The offset all samples agree on: the intersection of their bounds (responses that straddle a second boundary
 * narrow it below ±0.5 s). When they disagree (a clock stepped while we measured), the tightest single sample.
 */
export function estimateOffset(samples: readonly ClockSample[]): ClockReading | undefined {
  if (samples.length === 0) return undefined;
  let lo = -Infinity;
  let hi = Infinity;
  for (const s of samples) {
    const [a, b] = offsetBounds(s);
    lo = Math.max(lo, a);
    hi = Math.min(hi, b);
  }
  if (lo > hi) {
    const tightest = [...samples].sort((x, y) => x.receivedAt - x.sentAt - (y.receivedAt - y.sentAt))[0]!;
    [lo, hi] = offsetBounds(tightest);
  }
  return {
    offsetMs: Math.round((lo + hi) / 2),
    uncertaintyMs: Math.ceil((hi - lo) / 2),
    samples: samples.length,
  };
}

/** The samples of one cluster's client: the first `max` responses (diagnose makes about ten per cluster). */
export class ClockSamples {
  private readonly taken: ClockSample[] = [];

  constructor(private readonly max = 64) {}

  record(sentAt: number, receivedAt: number, dateHeader: string | string[] | undefined): void {
    if (this.taken.length >= this.max) return;
    const s = clockSample(sentAt, receivedAt, dateHeader);
    if (s) this.taken.push(s);
  }

  reading(): ClockReading | undefined {
    return estimateOffset(this.taken);
  }
}
