import { Chalk, type ChalkInstance } from 'chalk';

export type Colors = ChalkInstance;

export interface ColorOptions {
  /** `--no-color` was given (commander sets color: false). */
  color?: boolean;
  /** The stream the colored text goes to. */
  stream: { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/**
 * Color is a parameter of the renderers, never global state. Rules, most specific first: --no-color and
 * NO_COLOR turn it off; FORCE_COLOR forces it (FORCE_COLOR=0 turns it off); TERM=dumb and non-TTY streams get none.
 */
export function colorLevel(opts: ColorOptions): 0 | 1 | 2 | 3 {
  if (opts.color === false) return 0;
  const { env } = opts;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined) {
    if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return 0;
    const n = Number(env.FORCE_COLOR);
    return n === 2 || n === 3 ? n : 1;
  }
  if (env.TERM === 'dumb') return 0;
  if (!opts.stream.isTTY) return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return env.TERM?.includes('256') ? 2 : 1;
}

export function createColors(opts: ColorOptions): Colors {
  return new Chalk({ level: colorLevel(opts) });
}
