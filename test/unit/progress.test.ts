import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, silentProgress } from '../../src/output/progress.js';

/** A stand-in for process.stderr that counts what is written and gives up past a bound. */
function fakeStream(columns: number | undefined, isTTY = true) {
  const chunks: string[] = [];
  let bytes = 0;
  const stream = {
    isTTY,
    columns,
    rows: 24,
    write(chunk: string | Uint8Array): boolean {
      bytes += chunk.length;
      chunks.push(String(chunk));
      // Without a bound, a spinner that loops on a 0-column terminal would hang the test instead of failing it.
      if (bytes > 1_000_000) throw new Error(`runaway output: ${bytes} bytes`);
      return true;
    },
    cursorTo: () => true,
    moveCursor: () => true,
    clearLine: () => true,
    on: () => stream,
    removeListener: () => stream,
  };
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    written: () => chunks.join(''),
    bytes: () => bytes,
  };
}

describe('createProgress', () => {
  beforeEach(() => {
    // ora animates only where it sees an interactive terminal: not under CI, not on TERM=dumb.
    vi.stubEnv('CI', undefined);
    vi.stubEnv('TERM', 'xterm');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('shows no spinner on a TTY that reports 0 columns, and writes nothing', () => {
    const s = fakeStream(0);
    const p = createProgress({ stream: s.stream, enabled: true, color: false });
    expect(p).toBe(silentProgress);
    p.start('Reading 2 clusters…');
    p.update('Read host (1/2)');
    p.note('retrying after 503');
    p.succeed('done');
    p.stop();
    expect(s.bytes()).toBe(0);
  });

  it.each([
    ['no column count', fakeStream(undefined)],
    ['not a TTY', fakeStream(80, false)],
  ])('shows no spinner with %s', (_name, s) => {
    expect(createProgress({ stream: s.stream, enabled: true, color: false })).toBe(silentProgress);
  });

  it('shows no spinner when disabled (-o json), even on a real-sized TTY', () => {
    expect(createProgress({ stream: fakeStream(80).stream, enabled: false, color: false })).toBe(
      silentProgress,
    );
  });

  it('spins on a TTY with columns, and note() adds to the current step until the next update', async () => {
    const s = fakeStream(80);
    const p = createProgress({ stream: s.stream, enabled: true, color: false });
    expect(p).not.toBe(silentProgress);
    p.start('Reading 2 clusters…');
    p.note('retrying host after 503');
    await new Promise((r) => setTimeout(r, 250));
    const afterNote = s.written();
    p.update('Read host (1/2)');
    await new Promise((r) => setTimeout(r, 250));
    const afterUpdate = s.written().slice(afterNote.length);
    p.stop();
    expect(afterNote).toContain('Reading 2 clusters… (retrying host after 503)');
    expect(afterUpdate).toContain('Read host (1/2)');
    expect(afterUpdate).not.toContain('retrying');
  });
});
