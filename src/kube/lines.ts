/** A line longer than this is passed on in pieces, so one runaway line cannot grow memory without bound. */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Splits a byte stream into lines as it arrives. Splits on the byte 0x0A, which never occurs inside a UTF-8
 * sequence, so a character cut between two chunks is decoded whole, and a chunk's lines decode as one text.
 * Drops one trailing CR.
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
    const last = chunk.lastIndexOf(10);
    let start = 0;
    if (last !== -1 && this.pending > 0) {
      // The first line ends what earlier chunks began.
      const nl = chunk.indexOf(10);
      this.emit(chunk.subarray(0, nl));
      start = nl + 1;
    }
    if (last !== -1 && start <= last) {
      // The chunk's whole lines in one decode (not one per line): most of the cost of a long log.
      const text = chunk.toString('utf8', start, last);
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        this.line(text.slice(from, nl));
        from = nl + 1;
      }
      this.line(text.slice(from));
      start = last + 1;
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
    this.line(buf.toString('utf8'));
  }

  private line(text: string): void {
    this.lines++;
    this.onLine(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}
