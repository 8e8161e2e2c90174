import { describe, expect, it } from 'vitest';
import { colorLevel } from '../../src/output/color.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colorLevel', () => {
  it.each([
    ['a terminal', { stream: tty, env: { TERM: 'xterm' } }, 1],
    ['a pipe', { stream: pipe, env: { TERM: 'xterm' } }, 0],
    ['--no-color on a terminal', { color: false, stream: tty, env: {} }, 0],
    ['NO_COLOR on a terminal', { stream: tty, env: { NO_COLOR: '1' } }, 0],
    ['TERM=dumb on a terminal', { stream: tty, env: { TERM: 'dumb' } }, 0],
    ['FORCE_COLOR into a pipe', { stream: pipe, env: { FORCE_COLOR: '1' } }, 1],
    ['FORCE_COLOR=0 on a terminal', { stream: tty, env: { FORCE_COLOR: '0' } }, 0],
    ['NO_COLOR beats FORCE_COLOR', { stream: pipe, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }, 0],
    ['--no-color beats FORCE_COLOR', { color: false, stream: pipe, env: { FORCE_COLOR: '3' } }, 0],
  ])('%s', (_name, opts, level) => {
    expect(colorLevel(opts)).toBe(level);
  });
});
