/**
 * What to offer for the word being completed, as data: shell completion's plan step (no I/O). The shells call
 * `ks-restore __complete WORD…` (cobra's protocol, as kubectl's own completion does): the last word is the one
 * being typed, possibly empty.
 */
export interface OptionSpec {
  /** `--output`, and `-o` when it has a short form. */
  long: string;
  short?: string;
  takesValue: boolean;
  choices?: readonly string[];
}

export interface CommandSpec {
  name: string;
  options: OptionSpec[];
  /** Values for a positional argument (`completion bash|zsh|fish`). */
  args?: readonly string[];
}

/** Where a flag's values come from when they are not fixed choices. */
export type ValueSource = 'contexts' | 'clusters' | 'scenarios' | 'files' | 'none';

const SOURCES: Record<string, ValueSource> = {
  '--host': 'contexts',
  '--context': 'contexts',
  '--member': 'contexts',
  '--cluster': 'clusters',
  '--scenario': 'scenarios',
  '--kubeconfig': 'files',
  '--backup': 'files',
  '--backup-dir': 'files',
};

export type CompletionPlan =
  { kind: 'words'; words: string[]; prefix: string } | { kind: ValueSource; prefix: string; flag: string };

/** The flags given before the word being completed that say which kubeconfig and host to read. */
export interface GivenFlags {
  kubeconfig?: string;
  host?: string;
}

export function planCompletion(
  commands: CommandSpec[],
  globalOptions: OptionSpec[],
  words: string[],
): { plan: CompletionPlan; given: GivenFlags } {
  const typed = words.length === 0 ? [''] : words;
  const current = typed[typed.length - 1]!;
  const before = typed.slice(0, -1);
  const command = commands.find((c) => before.includes(c.name));
  const options = command ? [...command.options, ...globalOptions] : globalOptions;
  const find = (flag: string): OptionSpec | undefined =>
    options.find((o) => o.long === flag || o.short === flag);
  const given: GivenFlags = {};
  for (let i = 0; i < before.length; i++) {
    const [flag, inline] = splitInline(before[i]!);
    const value = inline ?? before[i + 1];
    if (flag === '--kubeconfig' && value !== undefined) given.kubeconfig = value;
    if ((flag === '--host' || flag === '--context') && value !== undefined) given.host = value;
  }

  const valueFor = (flag: string, prefix: string): CompletionPlan => {
    const opt = find(flag);
    if (opt?.choices) return { kind: 'words', words: [...opt.choices], prefix };
    return { kind: SOURCES[opt?.long ?? flag] ?? 'none', prefix, flag: opt?.long ?? flag };
  };

  const previous = before[before.length - 1];
  if (previous !== undefined && previous.startsWith('-') && !previous.includes('=')) {
    const opt = find(previous);
    if (opt?.takesValue) return { plan: valueFor(previous, ''), given };
  }
  if (current.startsWith('--') && current.includes('=')) {
    const [flag] = splitInline(current);
    return { plan: valueFor(flag, `${flag}=`), given };
  }
  if (current.startsWith('-')) {
    const names = options.flatMap((o) => [o.long, ...(o.short ? [o.short] : [])]);
    return { plan: { kind: 'words', words: [...new Set([...names, '--help'])], prefix: '' }, given };
  }
  if (!command) return { plan: { kind: 'words', words: commands.map((c) => c.name), prefix: '' }, given };
  return { plan: { kind: 'words', words: [...(command.args ?? [])], prefix: '' }, given };
}

function splitInline(word: string): [string, string | undefined] {
  const eq = word.indexOf('=');
  return word.startsWith('--') && eq > 0 ? [word.slice(0, eq), word.slice(eq + 1)] : [word, undefined];
}

/** cobra's ShellCompDirective bits that the scripts act on. */
export const DIRECTIVE = { default: 0, noSpace: 2, noFileComp: 4 } as const;
