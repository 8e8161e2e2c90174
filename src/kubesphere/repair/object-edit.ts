import { editConfigText } from './config-edit.js';
import type { ObjectJson } from '../cluster/snapshot.js';

/**
 * One intended change to one object, replayable on a fresh copy: after a 409 the executor re-reads the object
 * and applies the same edits again, so whatever someone else changed meanwhile is kept.
 */
export type ObjectEdit =
  /** A value inside the YAML document held in a ConfigMap key, edited as text. */
  | { kind: 'config-yaml'; key: string; path: string[]; value: string; secret: boolean }
  /** A field of the object itself, e.g. spec.multicluster.clusterRole. */
  | { kind: 'field'; path: string[]; value: string }
  /** A Secret's data key, base64-encoded here. */
  | { kind: 'secret-data'; key: string; value: string };

export type EditOutcome = { ok: true; after: ObjectJson; changed: boolean } | { ok: false; reason: string };

export function applyObjectEdits(obj: ObjectJson, edits: ObjectEdit[]): EditOutcome {
  const after = structuredClone(obj) as ObjectJson & { data?: Record<string, string> };
  let changed = false;
  const yamlKeys = [...new Set(edits.filter((e) => e.kind === 'config-yaml').map((e) => e.key))];
  for (const key of yamlKeys) {
    const text = after.data?.[key];
    if (typeof text !== 'string') return { ok: false, reason: `the ConfigMap has no ${key} key` };
    const mine = edits.filter(
      (e): e is Extract<ObjectEdit, { kind: 'config-yaml' }> => e.kind === 'config-yaml' && e.key === key,
    );
    const edited = editConfigText(text, mine);
    if (!edited.ok) return edited;
    if (edited.text !== text) {
      after.data = { ...after.data, [key]: edited.text };
      changed = true;
    }
  }
  for (const e of edits) {
    if (e.kind === 'field') {
      if (valueAt(after, e.path) !== e.value) {
        setAt(after, e.path, e.value);
        changed = true;
      }
    } else if (e.kind === 'secret-data') {
      const encoded = Buffer.from(e.value, 'utf8').toString('base64');
      if (after.data?.[e.key] !== encoded) {
        after.data = { ...(after.data ?? {}), [e.key]: encoded };
        changed = true;
      }
    }
  }
  return { ok: true, after, changed };
}

export function valueAt(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setAt(obj: object, path: string[], value: unknown): void {
  let cur = obj as Record<string, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}
