/**
 * How the user started the program, for the commands it suggests: `ks-restore`, or `kubectl ks-restore` when
 * kubectl ran the kubectl-ks_restore plugin (a krew install puts only that on PATH). Set once by the CLI entry.
 */
let name = 'ks-restore';

export function setProgramName(value: string): void {
  name = value;
}

export function programName(): string {
  return name;
}

/** A command line to suggest: the program as started, then the words, each quoted for a POSIX shell. */
export function suggestCommand(words: readonly string[]): string {
  return [name, ...words.map(shellWord)].join(' ');
}

/** A word a POSIX shell reads back unchanged: bare when safe, else single-quoted. */
export function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
