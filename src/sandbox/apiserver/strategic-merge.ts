/**
 * Strategic merge patch for the built-in fields that need it (apimachinery strategicpatch): lists merged by
 * their patchMergeKey, `$patch: replace|delete`, `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
 * `$setElementOrder/<f>` directives. Other lists are replaced, as atomic lists are.
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** patchMergeKey by field name; `ports` is containerPort in containers and port in services. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  imagePullSecrets: 'name',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  addresses: 'type',
  resourceClaims: 'name',
};

/** Primitive lists with patchStrategy merge: union instead of replace. */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, items: unknown[]): string | undefined {
  if (field === 'ports') {
    const sample = items.find(isObj);
    return sample && 'containerPort' in sample ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, original: unknown, patch: unknown[]): unknown[] {
  const base = Array.isArray(original) ? original : [];
  if (patch.some((p) => isObj(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObj(p) && p.$patch === 'replace'));
  }
  if (MERGED_PRIMITIVE_LISTS.has(field) && patch.every((p) => !isObj(p))) {
    return [...base, ...patch.filter((p) => !base.includes(p))];
  }
  const key = mergeKeyFor(field, [...patch, ...base]);
  if (!key) return patch.map((p) => (isObj(p) ? stripDirectives(p) : p));
  const result = [...base];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const at = result.findIndex((x) => isObj(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) result[at] = strategicMerge(result[at], item);
    else result.push(strategicMerge(undefined, item));
  }
  return result;
}

function stripDirectives(o: Obj): Obj {
  return strategicMerge(undefined, o) as Obj;
}

function orderBy(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const pos = (x: unknown): number => {
    const id = key && isObj(x) ? x[key] : x;
    const i = order.findIndex((o) => (key && isObj(o) ? o[key] : o) === id);
    return i < 0 ? order.length : i;
  };
  return [...list].sort((a, b) => pos(a) - pos(b));
}

export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'delete') return undefined;
  const replace = patch.$patch === 'replace';
  const result: Obj = isObj(original) && !replace ? { ...original } : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys') {
      const keep = new Set(Array.isArray(v) ? v.map(String) : []);
      for (const existing of Object.keys(result))
        if (!keep.has(existing) && !(existing in patch)) delete result[existing];
      continue;
    }
    if (k.startsWith('$setElementOrder/')) {
      orders.push([k.slice('$setElementOrder/'.length), Array.isArray(v) ? v : []]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = Array.isArray(v) ? v : [];
      if (Array.isArray(result[field]))
        result[field] = (result[field] as unknown[]).filter((x) => !drop.includes(x));
      continue;
    }
    if (v === null) delete result[k];
    else if (Array.isArray(v)) result[k] = mergeList(k, result[k], v);
    else if (isObj(v)) {
      const merged = strategicMerge(result[k], v);
      if (merged === undefined) delete result[k];
      else result[k] = merged;
    } else result[k] = v;
  }
  for (const [field, order] of orders) {
    if (Array.isArray(result[field]))
      result[field] = orderBy(result[field] as unknown[], order, mergeKeyFor(field, order));
  }
  return result;
}
