/** A unified diff of two small texts (kubesphere.yaml is ~100 lines): LCS table, 3 lines of context. */
export function unifiedDiff(
  before: string,
  after: string,
  labels: { from: string; to: string },
  context = 3,
): string {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffOps(a, b);
  if (ops.every((o) => o.kind === 'same')) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]?.kind === 'same') {
      i++;
      continue;
    }
    const start = Math.max(0, i - context);
    let end = i;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (let j = i; j < ops.length; j++) {
      if (ops[j]?.kind !== 'same') end = j;
      else if (j - end > 2 * context) break;
    }
    end = Math.min(ops.length - 1, end + context);
    const hunk = ops.slice(start, end + 1);
    const aStart = (hunk[0]?.aIndex ?? 0) + 1;
    const bStart = (hunk[0]?.bIndex ?? 0) + 1;
    const aLen = hunk.filter((o) => o.kind !== 'add').length;
    const bLen = hunk.filter((o) => o.kind !== 'del').length;
    out.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind === 'same' ? ' ' : o.kind === 'add' ? '+' : '-'}${o.line}`);
    i = end + 1;
  }
  return `${out.join('\n')}\n`;
}

interface Op {
  kind: 'same' | 'add' | 'del';
  line: string;
  aIndex: number;
  bIndex: number;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: 'same', line: a[i]!, aIndex: i, bIndex: j });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: 'del', line: a[i]!, aIndex: i, bIndex: j });
      i++;
    } else {
      ops.push({ kind: 'add', line: b[j]!, aIndex: i, bIndex: j });
      j++;
    }
  }
  return ops;
}
