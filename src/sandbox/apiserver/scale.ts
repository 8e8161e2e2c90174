import { fieldManager, isDryRun } from './context.js';
import type { ResourceRequest, ServerContext } from './context.js';
import { readBody, readJson, sendJson } from './http-util.js';
import { applyPatch } from './patch.js';
import { getObject } from './rest-read.js';
import { badRequest, methodNotAllowed } from './status.js';
import type { KubeObject } from './types.js';

type Obj = Record<string, unknown>;

function selectorString(sel: unknown): string {
  const s = (sel ?? {}) as Obj;
  const parts = Object.entries((s.matchLabels ?? {}) as Obj).map(([k, v]) => `${k}=${String(v)}`);
  return parts.join(',');
}

/** The autoscaling/v1 Scale view of a deployment or replicaset. */
function toScale(obj: KubeObject): Obj {
  const spec = (obj.spec ?? {}) as Obj;
  const status = (obj.status ?? {}) as Obj;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}

/** GET, PUT and PATCH on `/scale`: kubectl scale patches spec.replicas here. */
export async function handleScale(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const method = r.req.method ?? 'GET';
  const existing = getObject(ctx, r);
  const current = toScale(existing);
  let next: Obj;
  if (method === 'GET') {
    sendJson(r.res_, 200, current);
    return;
  } else if (method === 'PUT') next = (await readJson(r.req)) as Obj;
  else if (method === 'PATCH') {
    next = applyPatch(current, r.req.headers['content-type'] ?? '', await readBody(r.req), true) as Obj;
  } else throw methodNotAllowed(method);
  const replicas = ((next.spec ?? {}) as Obj).replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest('spec.replicas: Invalid value: must be a non-negative integer');
  }
  const obj = structuredClone(existing);
  (obj.spec as Obj).replicas = replicas;
  const rv = ((next.metadata ?? {}) as Obj).resourceVersion;
  obj.metadata.resourceVersion = typeof rv === 'string' ? rv : existing.metadata.resourceVersion;
  const updated = ctx.store.update(obj, { fieldManager: fieldManager(r), dryRun: isDryRun(r) });
  sendJson(r.res_, 200, toScale(updated));
}
