/** A line longer than this is passed on in pieces, so one runaway line cannot grow memory without bound. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines as it arrives. Splits on the byte 0x0A, which never occurs inside a UTF-8
 * sequence, so a character cut between two chunks is decoded whole. Drops one trailing CR.
 */
export class LineScanner {
  lines = 0;
  bytes = 0;
  private parts: Buffer[] = [];
  private pending = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.emit(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.parts.push(rest);
      this.pending += rest.length;
      if (this.pending >= this.maxLineBytes) this.emit(Buffer.alloc(0));
    }
  }

  /** Passes on a last line that had no newline (e.g. cut by limitBytes). */
  end(): void {
    if (this.pending > 0) this.emit(Buffer.alloc(0));
  }

  private emit(tail: Buffer): void {
    const buf = this.parts.length > 0 ? Buffer.concat([...this.parts, tail]) : tail;
    this.parts = [];
    this.pending = 0;
    let line = buf.toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.lines++;
    this.onLine(line);
  }
}
