import type { ObjectJson } from './snapshot.js';

interface SelectorJson {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A Deployment's `spec.selector` as a label-selector query string; `undefined` when it selects nothing. */
export function selectorString(deployment: ObjectJson): string | undefined {
  const sel = (deployment as { spec?: { selector?: SelectorJson } }).spec?.selector;
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    switch (e.operator) {
      case 'In':
        parts.push(`${e.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${e.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(e.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${e.key}`);
        break;
      default:
        return undefined;
    }
  }
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Whether labels match a Deployment's `spec.selector` (matchLabels and matchExpressions, as Kubernetes does). */
export function selectorMatches(deployment: ObjectJson, labels: Record<string, string> | undefined): boolean {
  const sel = (deployment as { spec?: { selector?: SelectorJson } }).spec?.selector;
  if (!sel) return false;
  const l = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(l, k);
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (!has(k) || l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    const ok =
      e.operator === 'In'
        ? has(e.key) && values.includes(l[e.key]!)
        : e.operator === 'NotIn'
          ? !has(e.key) || !values.includes(l[e.key]!)
          : e.operator === 'Exists'
            ? has(e.key)
            : e.operator === 'DoesNotExist'
              ? !has(e.key)
              : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * Whether every pod a Deployment's selector matches carries `key` with one of `values`: then a list of the pods
 * with `key in (values)`, read before the Deployment was, holds all of its pods.
 */
export function selectorRequires(deployment: ObjectJson, key: string, values: readonly string[]): boolean {
  const sel = (deployment as { spec?: { selector?: SelectorJson } }).spec?.selector;
  const label = sel?.matchLabels?.[key];
  if (label !== undefined && values.includes(label)) return true;
  return (sel?.matchExpressions ?? []).some(
    (e) => e.key === key && e.operator === 'In' && (e.values ?? []).every((v) => values.includes(v)),
  );
}
