import type { Attributes, User } from './auth.js';
import { authorize } from './auth.js';
import type { ResourceRequest, ServerContext } from './context.js';
import { queryFlag } from './http-util.js';
import { handlePodLog } from './pod-logs.js';
import { handleGet, handleList } from './rest-read.js';
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handlePatch,
  handleUpdate,
} from './rest-write.js';
import type { Route } from './router.js';
import { handleScale } from './scale.js';
import { methodNotAllowed, noSuchResource } from './status.js';
import { resourceKey } from './types.js';
import { handleWatch } from './watch.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

type ResourceRoute = Extract<Route, { kind: 'resource' }>;

function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (route.name === undefined) return queryFlag(query, 'watch') ? 'watch' : 'list';
      return queryFlag(query, 'watch') ? 'watch' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}

/** Resolves a resource route against the registered types, authorizes it, and runs the handler. */
export async function handleResource(
  ctx: ServerContext,
  user: User,
  route: ResourceRoute,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const type = ctx.store.findType(route.group, route.version, route.resource);
  if (!type) throw noSuchResource();
  // A namespaced path for a cluster-scoped type (or the reverse for an object) is not served at all.
  if (route.namespace !== undefined && !type.namespaced) throw noSuchResource();
  if (route.namespace === undefined && type.namespaced && route.name !== undefined) throw noSuchResource();
  if (route.subresource !== undefined && !(type.subresources ?? []).includes(route.subresource))
    throw noSuchResource();
  const method = req.method ?? 'GET';
  const verb = verbOf(method, route, query);
  const attrs: Attributes = { verb, group: type.group, resource: type.resource };
  if (route.subresource) attrs.subresource = route.subresource;
  if (route.namespace) attrs.namespace = route.namespace;
  if (route.name) attrs.name = route.name;
  authorize(user, attrs);
  const r: ResourceRequest = { type, res: resourceKey(type), query, req, res_: res };
  if (route.namespace !== undefined) r.namespace = route.namespace;
  if (route.name !== undefined) r.name = route.name;
  if (route.subresource !== undefined) r.subresource = route.subresource;

  if (route.subresource === 'log') {
    if (verb !== 'get') throw methodNotAllowed(method);
    return handlePodLog(ctx, r);
  }
  if (route.subresource === 'scale') return handleScale(ctx, r);
  if (route.subresource === 'status' && !['get', 'update', 'patch'].includes(verb))
    throw methodNotAllowed(method);
  switch (verb) {
    case 'get':
      return handleGet(ctx, r);
    case 'list':
      return handleList(ctx, r);
    case 'watch':
      return handleWatch(ctx, r);
    case 'create':
      if (route.name !== undefined) throw methodNotAllowed(method);
      return handleCreate(ctx, r);
    case 'update':
      if (route.name === undefined) throw methodNotAllowed(method);
      return handleUpdate(ctx, r);
    case 'patch':
      if (route.name === undefined) throw methodNotAllowed(method);
      return handlePatch(ctx, r);
    case 'delete':
      return handleDelete(ctx, r);
    case 'deletecollection':
      return handleDeleteCollection(ctx, r);
    default:
      throw methodNotAllowed(method);
  }
}
