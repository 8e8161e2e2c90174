/** For each key repair may change, whether a new (unquoted) value is the one it must write. */
export type Intended = Record<string, (value: string) => boolean>;

const KEY_LINE = /^(\s*)([A-Za-z]+):[ \t]*("[^"]*"|'[^']*'|[^\s#]*)([ \t]*(?:#.*)?)$/;

function parse(line: string) {
  const m = KEY_LINE.exec(line);
  if (!m) return undefined;
  return { indent: m[1]!, key: m[2]!, value: m[3]!.replace(/^(["'])(.*)\1$/, '$2'), rest: m[4]! };
}

/**
 * What differs between two versions of a document other than the intended edits, as readable problems (none:
 * every other byte is the same). A line may differ only where both versions have the same intended key at the
 * same indent with the same trailing comment, and the new value is the intended one; a line may be added only
 * if it sets an intended key to its intended value, or is the bare mapping key (`oauthOptions:`) right above one. Anything else — a line added, removed, moved or changed —
 * is a problem. Values are never quoted in the problems (they may be secrets).
 */
export function unintendedChanges(before: string, after: string, intended: Intended): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const problems: string[] = [];
  const ok = (p: ReturnType<typeof parse>) =>
    p !== undefined && Object.hasOwn(intended, p.key) && intended[p.key]!(p.value);
  const addsParentOf = (p: ReturnType<typeof parse>, next: ReturnType<typeof parse>) =>
    p !== undefined && p.value === '' && p.rest === '' && ok(next) && next!.indent.length > p.indent.length;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    const x = parse(a[i]!);
    const y = parse(b[j]!);
    if (x && y && x.key === y.key && x.indent === y.indent && x.rest === y.rest && ok(y)) {
      i++;
      j++;
    } else if (ok(y) || addsParentOf(y, parse(b[j + 1] ?? ''))) {
      j++; // an intended key that was absent, added (with the mapping that holds it, e.g. `oauthOptions:`)
    } else {
      problems.push(`line ${i + 1} changed, or a line was added, removed or moved there (now line ${j + 1})`);
      return problems;
    }
  }
  while (j < b.length && ok(parse(b[j]!))) j++;
  if (i < a.length) problems.push(`${a.length - i} line(s) removed at the end (from line ${i + 1})`);
  if (j < b.length) problems.push(`${b.length - j} line(s) added at the end (from line ${j + 1})`);
  return problems;
}
