import { BUILTIN_GROUPS } from './builtins.js';
import type { ResourceRequest, ServerContext } from './context.js';
import { sendJson, wantsTable } from './http-util.js';
import { notFound } from './status.js';
import { toTable } from './table.js';
import type { IncludeObject } from './table.js';
import { groupVersion } from './types.js';
import type { KubeObject } from './types.js';

function includeObject(r: ResourceRequest): IncludeObject {
  const v = r.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export function getObject(ctx: ServerContext, r: ResourceRequest): KubeObject {
  const obj = ctx.store.get(r.res, r.namespace, r.name!);
  if (!obj) throw notFound(r.type.resource, r.type.group, r.name!);
  return obj;
}

export function handleGet(ctx: ServerContext, r: ResourceRequest): void {
  const obj = getObject(ctx, r);
  if (wantsTable(r.req.headers.accept)) {
    sendJson(
      r.res_,
      200,
      toTable(r.type, [obj], { now: ctx.now(), includeObject: includeObject(r) }),
      TABLE_CONTENT_TYPE,
    );
  } else {
    sendJson(r.res_, 200, obj);
  }
}

export function handleList(ctx: ServerContext, r: ResourceRequest): void {
  const resourceVersion = ctx.store.currentResourceVersion();
  const items = ctx.store.list(r.res, r.namespace, {
    labelSelector: r.query.get('labelSelector') ?? undefined,
    fieldSelector: r.query.get('fieldSelector') ?? undefined,
  });
  if (wantsTable(r.req.headers.accept)) {
    const table = toTable(r.type, items, {
      now: ctx.now(),
      includeObject: includeObject(r),
      resourceVersion,
    });
    sendJson(r.res_, 200, table, TABLE_CONTENT_TYPE);
    return;
  }
  // Typed lists of built-in kinds carry no per-item apiVersion/kind; unstructured CR lists do.
  if (BUILTIN_GROUPS.has(r.type.group)) {
    for (const item of items) {
      delete (item as Partial<KubeObject>).apiVersion;
      delete (item as Partial<KubeObject>).kind;
    }
  }
  sendJson(r.res_, 200, {
    kind: `${r.type.kind}List`,
    apiVersion: groupVersion(r.type),
    metadata: { resourceVersion },
    items,
  });
}
