/**
 * The subset of Kubernetes JSONPath that CRD additionalPrinterColumns use: `.a.b`, `.a['b.c']`, escaped dots
 * (`.labels.cluster-role\.kubesphere\.io/host`), `[0]`, `[*]` and `[?(@.type=="Ready")]` filters.
 */
type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown; exists: boolean };

function parseLiteral(raw: string): unknown {
  const s = raw.trim();
  if (/^(["']).*\1$/.test(s)) return s.slice(1, -1);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s !== '' && !Number.isNaN(Number(s))) return Number(s);
  return s;
}

export function parseJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      i++;
      let name = '';
      while (i < s.length && s[i] !== '.' && s[i] !== '[') {
        if (s[i] === '\\' && i + 1 < s.length) i++;
        name += s[i++];
      }
      if (name) steps.push({ kind: 'field', name });
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new Error(`unterminated [ in ${expr}`);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      const filter = /^\?\(@((?:\.[\w-]+)+)\s*(?:(==|!=)\s*(.+))?\)$/.exec(inner);
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^(["']).*\1$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (filter) {
        steps.push({
          kind: 'filter',
          path: filter[1]!.split('.').filter(Boolean),
          op: (filter[2] as '==' | '!=') ?? '==',
          value: filter[3] === undefined ? undefined : parseLiteral(filter[3]),
          exists: filter[2] === undefined,
        });
      } else throw new Error(`unsupported JSONPath segment [${inner}] in ${expr}`);
    } else {
      throw new Error(`unexpected ${s[i]} in JSONPath ${expr}`);
    }
  }
  return steps;
}

const get = (v: unknown, key: string): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;

/** All values the path selects, in document order; empty when nothing matches. */
export function evalJsonPath(root: unknown, expr: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of parseJsonPath(expr)) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === 'field') {
        const x = get(v, step.name);
        if (x !== undefined) next.push(x);
      } else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const x = v[step.index < 0 ? v.length + step.index : step.index];
          if (x !== undefined) next.push(x);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          const x = step.path.reduce<unknown>((acc, k) => get(acc, k), item);
          if (step.exists ? x !== undefined : (x === step.value) === (step.op === '==')) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}
