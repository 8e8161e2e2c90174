/**
 * Wrapping text reports to the terminal's width. Only plain (uncolored) text is wrapped; callers color each line
 * afterwards, so an escape sequence is never split.
 */

/** Narrower than this, a hanging indent leaves no room: lines get this many columns of text all the same. */
const MIN_TEXT = 30;

/**
 * The width to wrap at: `$COLUMNS` when set to a positive number, else the terminal's width when stdout is one;
 * undefined (no wrapping) in a pipe, so that scripts grep whole lines.
 */
export function outputWidth(
  stream: { isTTY?: boolean; columns?: number },
  env: NodeJS.ProcessEnv,
): number | undefined {
  const fromEnv = Number(env.COLUMNS);
  if (env.COLUMNS !== undefined && Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0)
    return stream.columns;
  return undefined;
}

/**
 * An escape made by terminalSafe (`\u001b`, `\t`): a word too long for a line is split between characters,
 * never inside one of these, so that every escape still reads whole.
 */
const ESCAPE = /\\u[0-9a-fA-F]{4}|\\[tnr]|[\s\S]/gu;

/** Splits a word longer than `max` into pieces of at most `max` columns, keeping escapes whole. */
function splitLong(word: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const unit of word.match(ESCAPE) ?? []) {
    if (piece.length > 0 && [...piece].length + [...unit].length > max) {
      pieces.push(piece);
      piece = '';
    }
    piece += unit;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * Breaks plain text at spaces into lines of at most `first` columns (the first line) and `rest` columns (the
 * others). Undefined widths: one line, as given.
 */
export function wrapWords(
  text: string,
  first: number | undefined,
  rest: number | undefined = first,
): string[] {
  if (first === undefined || rest === undefined) return [text];
  const lines: string[] = [];
  let line = '';
  const room = () => Math.max(lines.length === 0 ? first : rest, MIN_TEXT);
  const len = (s: string) => [...s].length;
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (len(candidate) <= room()) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    const pieces = len(word) > room() ? splitLong(word, room()) : [word];
    // Every piece but the last fills a line of its own.
    for (const piece of pieces.slice(0, -1)) lines.push(piece);
    line = pieces.at(-1) ?? '';
  }
  lines.push(line);
  return lines;
}

/**
 * `prefix` then `text` wrapped with a hanging indent: continuation lines start `indent` columns in. `prefix` may
 * be colored; `prefixWidth` is its visible width. `paint` colors each piece of the text.
 */
export function hanging(
  prefix: string,
  prefixWidth: number,
  text: string,
  opts: { width: number | undefined; indent?: number; paint?: (s: string) => string },
): string[] {
  const indent = opts.indent ?? prefixWidth;
  const paint = opts.paint ?? ((s: string) => s);
  const w = opts.width;
  const pieces = wrapWords(text, w === undefined ? w : w - prefixWidth, w === undefined ? w : w - indent);
  return pieces.map((p, i) => (i === 0 ? prefix : ' '.repeat(indent)) + paint(p));
}

/**
 * A shell command wrapped for copying: lines end in ` \` and continue indented, breaking only between the
 * words (shell-quoted words hold no spaces that matter here: a quoted word is never split).
 */
export function wrapCommand(words: string[], indent: number, width: number | undefined): string[] {
  const lead = ' '.repeat(indent);
  if (width === undefined) return [lead + words.join(' ')];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line === '' ? word : `${line} ${word}`;
    // Room for the trailing " \" on every line but the last.
    if (line !== '' && indent + candidate.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `  ${word}`;
    } else line = candidate;
  }
  lines.push(line);
  return lines.map((l) => lead + l);
}
