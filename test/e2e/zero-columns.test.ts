import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

/** util-linux `script` gives the binary a real PTY; `stty cols 0` makes it report 0 columns, as some CI PTYs do. */
const hasScript = (() => {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
  } catch {
    return false;
  }
})();

const LIMIT = 5_000_000;

function runUnderPty(command: string): Promise<{ code: number | null; bytes: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let killed = false;
    const stop = () => {
      killed = true;
      // script passes SIGTERM on and kills the shell if it lingers.
      child.kill('SIGTERM');
    };
    const timer = setTimeout(stop, 25_000);
    const count = (d: Buffer) => {
      bytes += d.length;
      if (bytes > LIMIT && !killed) stop();
    };
    child.stdout.on('data', count);
    child.stderr.on('data', count);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, bytes, killed });
    });
  });
}

describe('on a terminal that reports 0 columns', () => {
  it.skipIf(!hasScript)('demo ends with a bounded amount of output and exit 0', async () => {
    const r = await runUnderPty(`stty cols 0; exec ${process.execPath} ${BIN} demo --no-color`);
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    // The narrated demo is a few KB; a spinner clearing lines forever wrote MBs per second.
    expect(r.bytes).toBeLessThan(200_000);
  });
});
