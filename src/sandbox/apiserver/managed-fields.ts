import type { KubeObject, ManagedFieldsEntry } from './types.js';

/**
 * Builds a FieldsV1 set the way the server-side-apply machinery does, close enough for `kubectl get -o yaml
 * --show-managed-fields` to look real: maps as `f:` keys, lists of named items as `k:{"name":…}`, other lists
 * atomic. It does not take ownership away from other managers.
 */
export function fieldsV1Of(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const item of value) {
      if (item && typeof item === 'object' && typeof (item as Record<string, unknown>).name === 'string') {
        out[`k:${JSON.stringify({ name: (item as Record<string, unknown>).name })}`] = {
          '.': {},
          ...fieldsV1Of(item),
        };
      }
    }
    return out;
  }
  if (value === null || typeof value !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const isMap = v !== null && typeof v === 'object';
    out[`f:${k}`] = isMap ? { ...(Object.keys(v).length > 0 ? { '.': {} } : {}), ...fieldsV1Of(v) } : {};
  }
  return out;
}

function ownedFields(obj: KubeObject, subresource: string | undefined): Record<string, unknown> {
  if (subresource === 'status') return fieldsV1Of({ status: obj.status ?? {} });
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && k !== 'status') rest[k] = v;
  }
  const meta: Record<string, unknown> = {};
  for (const k of ['labels', 'annotations', 'ownerReferences', 'finalizers', 'generateName'] as const) {
    if (obj.metadata[k] !== undefined) meta[k] = obj.metadata[k];
  }
  return fieldsV1Of(Object.keys(meta).length > 0 ? { metadata: meta, ...rest } : rest);
}

/** Returns managedFields with the (manager, Update, subresource) entry replaced by a fresh one. */
export function withManagerEntry(
  current: ManagedFieldsEntry[] | undefined,
  obj: KubeObject,
  manager: string,
  time: string,
  subresource?: string,
): ManagedFieldsEntry[] {
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Update',
    apiVersion: obj.apiVersion,
    time,
    fieldsType: 'FieldsV1',
    fieldsV1: ownedFields(obj, subresource),
    ...(subresource ? { subresource } : {}),
  };
  const others = (current ?? []).filter(
    (e) => !(e.manager === manager && e.operation === 'Update' && e.subresource === subresource),
  );
  return [...others, entry];
}
