/**
 * The time the simulated clusters see. Seeding pins it to moments in the past, so creationTimestamps and
 * managedFields times read like a cluster that has been running for weeks.
 */
/** A clock `offsetMs` off `base` (a node whose clock is not synchronised). */
export function offsetClock(base: () => Date, offsetMs: number): () => Date {
  return offsetMs === 0 ? base : () => new Date(base().getTime() + offsetMs);
}

export class SimClock {
  private pinned: Date | undefined;

  constructor(private readonly base: () => Date = () => new Date()) {}

  readonly now = (): Date => (this.pinned ? new Date(this.pinned) : this.base());

  /** Runs fn with the clock pinned to `at`. */
  at<T>(at: Date, fn: () => T): T {
    const previous = this.pinned;
    this.pinned = at;
    try {
      return fn();
    } finally {
      this.pinned = previous;
    }
  }

  ago(ms: number): Date {
    return new Date(this.base().getTime() - ms);
  }
}
