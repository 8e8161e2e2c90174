/**
 * Characters that act on a terminal instead of being shown: C0 controls (ESC starts CSI/OSC sequences: clear
 * screen, window title, OSC 52 clipboard writes), DEL, C1 controls (U+009B is a one-byte CSI), the bidi
 * embeddings, overrides, isolates and marks that reorder what is read (U+202A–U+202E, U+2066–U+2069, U+200E,
 * U+200F, U+061C), and the Unicode line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text from a cluster or another program (log lines, object names, server messages, exec-plugin stderr) as a
 * terminal may safely print it: each unsafe character becomes a visible escape, `\t` `\n` `\r` for tab, line
 * feed and carriage return, `\u001b`-style (as JSON writes it) for the rest, so the line still reads as written
 * and copies back. `keepNewlines` leaves line feeds for messages made of several lines. Text renderers only:
 * JSON and YAML output carry the exact text.
 */
export function terminalSafe(text: string, opts: { keepNewlines?: boolean } = {}): string {
  return text.replace(UNSAFE, (c) =>
    c === '\n' && opts.keepNewlines ? c : (NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}
