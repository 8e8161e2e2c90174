import { BUILTIN_GROUPS } from './builtins.js';
import { fieldManager, isDryRun } from './context.js';
import type { ResourceRequest, ServerContext } from './context.js';
import { readBody, readJson, sendJson } from './http-util.js';
import { applyPatch } from './patch.js';
import { getObject } from './rest-read.js';
import { objectMatcher } from './selectors.js';
import { HttpError, badRequest, notFound, success } from './status.js';
import { groupVersion } from './types.js';
import type { KubeObject } from './types.js';

const hasStatus = (r: ResourceRequest): boolean => (r.type.subresources ?? []).includes('status');

/** The body must be an object of this resource's kind, in the URL's namespace and (for PUT) with its name. */
function checkBody(r: ResourceRequest, body: unknown): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('the object provided is unrecognized (must be of type Object)');
  }
  const obj = body as KubeObject;
  const expected = groupVersion(r.type);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== r.type.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${r.type.kind})`);
  }
  obj.apiVersion = expected;
  obj.kind = r.type.kind;
  obj.metadata = { ...(obj.metadata ?? {}) } as KubeObject['metadata'];
  if (r.type.namespaced) {
    if (obj.metadata.namespace && obj.metadata.namespace !== r.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = r.namespace;
  }
  if (r.name !== undefined && obj.metadata.name !== r.name) {
    throw badRequest(
      `the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${r.name})`,
    );
  }
  return obj;
}

export async function handleCreate(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const obj = checkBody(r, await readJson(r.req));
  // Status is the controllers' to write: a create through the main resource never sets it.
  if (hasStatus(r)) delete obj.status;
  const created = ctx.store.create(obj, { fieldManager: fieldManager(r), dryRun: isDryRun(r) });
  sendJson(r.res_, 201, created);
}

/** PUT and PATCH end here: main-resource writes keep status, /status writes change only status. */
function write(ctx: ServerContext, r: ResourceRequest, existing: KubeObject, next: KubeObject): KubeObject {
  if (r.subresource === 'status') {
    return ctx.store.update(next, {
      subresource: 'status',
      fieldManager: fieldManager(r),
      dryRun: isDryRun(r),
    });
  }
  if (hasStatus(r)) {
    if (existing.status === undefined) delete next.status;
    else next.status = existing.status;
  }
  return ctx.store.update(next, { fieldManager: fieldManager(r), dryRun: isDryRun(r) });
}

export async function handleUpdate(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const obj = checkBody(r, await readJson(r.req));
  const existing = getObject(ctx, r);
  sendJson(r.res_, 200, write(ctx, r, existing, obj));
}

export async function handlePatch(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const body = await readBody(r.req);
  const existing = getObject(ctx, r);
  const builtin = BUILTIN_GROUPS.has(r.type.group);
  const patched = applyPatch(existing, r.req.headers['content-type'] ?? '', body, builtin) as KubeObject;
  if (
    patched === null ||
    typeof patched !== 'object' ||
    typeof patched.metadata !== 'object' ||
    patched.metadata === null
  ) {
    throw badRequest('the patch produced an object without metadata');
  }
  if (patched.metadata.name !== existing.metadata.name) {
    throw badRequest(
      `the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${r.name})`,
    );
  }
  sendJson(r.res_, 200, write(ctx, r, existing, patched));
}

interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

export async function handleDelete(ctx: ServerContext, r: ResourceRequest): Promise<void> {
  const raw = await readBody(r.req);
  const opts = (raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}) as DeleteOptions;
  const existing = getObject(ctx, r);
  const pre = opts.preconditions ?? {};
  if (pre.uid && pre.uid !== existing.metadata.uid) {
    throw new HttpError(
      409,
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      {
        name: r.name,
        group: r.type.group,
        kind: r.type.resource,
      },
    );
  }
  if (pre.resourceVersion && pre.resourceVersion !== existing.metadata.resourceVersion) {
    throw new HttpError(
      409,
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      { name: r.name, group: r.type.group, kind: r.type.resource },
    );
  }
  const deleted = ctx.store.delete(r.res, r.namespace, r.name!, { dryRun: isDryRun(r) });
  if (!deleted) throw notFound(r.type.resource, r.type.group, r.name!);
  sendJson(
    r.res_,
    200,
    success({
      name: r.name,
      group: r.type.group || undefined,
      kind: r.type.resource,
      uid: deleted.metadata.uid,
    }),
  );
}

export function handleDeleteCollection(ctx: ServerContext, r: ResourceRequest): void {
  const matches = objectMatcher(
    r.type.kind,
    r.query.get('labelSelector') ?? undefined,
    r.query.get('fieldSelector') ?? undefined,
  );
  const items = ctx.store.list(r.res, r.namespace).filter(matches);
  const deleted = items.map((o) =>
    ctx.store.delete(r.res, o.metadata.namespace, o.metadata.name, { dryRun: isDryRun(r) })!,
  );
  sendJson(r.res_, 200, {
    kind: `${r.type.kind}List`,
    apiVersion: groupVersion(r.type),
    metadata: { resourceVersion: ctx.store.currentResourceVersion() },
    items: deleted,
  });
}
