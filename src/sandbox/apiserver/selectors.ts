import { SelectorError } from './errors.js';
import type { KubeObject } from './types.js';

/** One parsed label requirement, as k8s.io/apimachinery/pkg/labels has them. */
export interface LabelRequirement {
  key: string;
  op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
  values: string[];
}

export type ObjectMatcher = (obj: KubeObject) => boolean;

const LABEL_TOKEN = /\s*(\(|\)|,|==|=|!=|!|<|>|[^\s,()=!<>]+)/y;

function lexLabels(input: string): string[] {
  const tokens: string[] = [];
  LABEL_TOKEN.lastIndex = 0;
  while (LABEL_TOKEN.lastIndex < input.length) {
    const start = LABEL_TOKEN.lastIndex;
    const m = LABEL_TOKEN.exec(input);
    if (!m) {
      if (input.slice(start).trim() === '') break;
      throw new SelectorError(`unable to parse requirement: invalid character at position ${start}`);
    }
    tokens.push(m[1]!);
  }
  return tokens;
}

const KEYWORDS = new Set(['in', 'notin']);
const OPERATORS = new Set(['(', ')', ',', '==', '=', '!=', '!', '<', '>']);

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3` into requirements; throws SelectorError on bad syntax. */
export function parseLabelSelector(input: string): LabelRequirement[] {
  const tokens = lexLabels(input);
  const out: LabelRequirement[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new SelectorError(`unable to parse requirement: ${what} in label selector "${input}"`);
  };
  const isIdent = (t: string | undefined): t is string => t !== undefined && !OPERATORS.has(t);
  while (i < tokens.length) {
    let negate = false;
    if (tokens[i] === '!') {
      negate = true;
      i++;
    }
    const key = tokens[i++];
    if (!isIdent(key) || KEYWORDS.has(key)) fail(`found '${key ?? 'end of string'}', expected: identifier`);
    const op = tokens[i];
    if (negate || op === undefined || op === ',') {
      out.push({ key: key!, op: negate ? '!exists' : 'exists', values: [] });
    } else if (op === '=' || op === '==' || op === '!=') {
      i++;
      let value = '';
      if (isIdent(tokens[i])) value = tokens[i++]!;
      out.push({ key: key!, op: op === '!=' ? '!=' : '=', values: [value] });
    } else if (op === '<' || op === '>') {
      i++;
      const value = tokens[i++];
      if (!isIdent(value) || !/^-?\d+$/.test(value))
        fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
      out.push({ key: key!, op: op === '>' ? 'gt' : 'lt', values: [value!] });
    } else if (op === 'in' || op === 'notin') {
      i++;
      if (tokens[i++] !== '(') fail(`found '${tokens[i - 1] ?? 'end of string'}', expected: '('`);
      const values: string[] = [];
      while (tokens[i] !== ')') {
        if (isIdent(tokens[i])) values.push(tokens[i++]!);
        else if (tokens[i] === ',') i++;
        else fail(`found '${tokens[i] ?? 'end of string'}', expected: ',', ')' or identifier`);
      }
      i++;
      out.push({ key: key!, op, values });
    } else {
      fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    if (i < tokens.length) {
      if (tokens[i] !== ',') fail(`found '${tokens[i]}', expected: ',' or 'end of string'`);
      i++;
      if (i === tokens.length) fail(`found 'end of string', expected: identifier`);
    }
  }
  return out;
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const ref = Number(r.values[0]);
        return r.op === 'gt' ? n > ref : n < ref;
      }
    }
  });
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Splits on unescaped commas; field selector values escape `\,`, `\=` and `\\`. */
function splitUnescaped(input: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');

export function parseFieldSelector(input: string): FieldRequirement[] {
  if (input.trim() === '') return [];
  return splitUnescaped(input, ',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${input}'; can't understand '${part}'`);
    return { field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: unescape(m[3]!.trim()) };
  });
}

/** Field labels a real API server supports, beyond metadata.name and metadata.namespace, per kind. */
const FIELD_LABELS: Record<string, string[]> = {
  Pod: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'status.podIP',
  ],
  Secret: ['type'],
  Node: ['spec.unschedulable'],
  ReplicaSet: ['status.replicas'],
  Event: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'source',
    'type',
  ],
};

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Checks the field labels against what the kind supports: an unknown one is a 400 on a real server too. */
export function fieldMatcher(reqs: FieldRequirement[], kind: string): ObjectMatcher {
  // status.phase is a field label for pods and namespaces on real servers; allowed everywhere here for leniency.
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    'status.phase',
    ...(FIELD_LABELS[kind] ?? []),
  ]);
  for (const r of reqs) {
    if (!allowed.has(r.field)) throw new SelectorError(`field label not supported: ${r.field}`);
  }
  return (obj) => reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}

/** Builds one predicate from both selectors; empty or missing selectors match everything. */
export function objectMatcher(kind: string, labelSelector?: string, fieldSelector?: string): ObjectMatcher {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldMatcher(fieldSelector ? parseFieldSelector(fieldSelector) : [], kind);
  return (obj) => matchesLabels(labels, obj.metadata.labels) && fields(obj);
}
