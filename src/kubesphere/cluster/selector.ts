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
