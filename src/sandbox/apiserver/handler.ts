import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { authenticate, unauthorized } from './auth.js';
import type { Tokens } from './auth.js';
import type { ServerContext } from './context.js';
import { aggregated, coreVersions, group, groupList, resourceList } from './discovery.js';
import { parseAccept, resetExchange, sendJson, sendText } from './http-util.js';
import { applyFault } from './faults.js';
import type { FaultInjector } from './faults.js';
import { serveOpenApi } from './openapi.js';
import { handleResource } from './resources.js';
import { parseRoute } from './router.js';
import { noSuchResource, toStatus } from './status.js';

export interface HandlerOptions extends Tokens {
  latencyMs?: number;
  faults?: FaultInjector;
  intercept?: (
    req: IncomingMessage,
  ) => Promise<'continue' | { status: number; body?: unknown; destroy?: boolean }>;
}

/** The aggregated-discovery version the client accepts, if any: kubectl 1.32 asks for v2 then v2beta1. */
function aggregatedVersion(accept: string | undefined): string | undefined {
  for (const r of parseAccept(accept)) {
    if (r.type !== 'application/json') continue;
    if (r.params.g === 'apidiscovery.k8s.io' && r.params.as === 'APIGroupDiscoveryList') {
      if (r.params.v === 'v2' || r.params.v === 'v2beta1') return r.params.v;
    } else if (!r.params.as) return undefined;
  }
  return undefined;
}

function versionInfo(ctx: ServerContext): unknown {
  const [major, minor] = ctx.kubernetesVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: ctx.kubernetesVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-01-17T13:38:41Z',
    goVersion: 'go1.20.13',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

async function route(
  ctx: ServerContext,
  o: HandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const r = parseRoute(url.pathname);
  const hasCredentials = req.headers.authorization !== undefined;
  const user = authenticate(req, o);
  // Anonymous requests may read health and version (system:public-info-viewer); a bad token never may.
  if (!user && (hasCredentials || (r.kind !== 'health' && r.kind !== 'version'))) throw unauthorized();
  // Every registered type, copied: only discovery needs them all.
  const types = () => ctx.store.types();
  const accept = req.headers.accept;
  switch (r.kind) {
    case 'health':
      return sendText(res, 200, 'ok');
    case 'version':
      return sendJson(res, 200, versionInfo(ctx));
    case 'coreVersions':
    case 'groups': {
      const v = aggregatedVersion(accept);
      if (v) {
        const body = aggregated(types(), r.kind === 'coreVersions', `apidiscovery.k8s.io/${v}`);
        return sendJson(
          res,
          200,
          body,
          `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
        );
      }
      return sendJson(
        res,
        200,
        r.kind === 'coreVersions'
          ? coreVersions(req.socket.localAddress + ':' + req.socket.localPort)
          : groupList(types()),
      );
    }
    case 'group': {
      const body = group(types(), r.group);
      if (!body) throw noSuchResource();
      return sendJson(res, 200, body);
    }
    case 'resourceList': {
      const body = resourceList(types(), r.group, r.version);
      if (!body) throw noSuchResource();
      return sendJson(res, 200, body);
    }
    case 'openapi':
      return serveOpenApi(r.path, accept, res, ctx.kubernetesVersion);
    case 'resource':
      return handleResource(ctx, user!, r, url.searchParams, req, res);
    default:
      throw noSuchResource();
  }
}

/** One request: latency, the fault-injection seam, then routing; any error becomes a v1.Status. */
export async function handleRequest(
  ctx: ServerContext,
  o: HandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  res.setHeader('Audit-Id', randomUUID());
  // Go's net/http stamps Date from the server's clock: the cluster's, which a scenario may skew.
  res.setHeader('Date', ctx.now().toUTCString());
  res.setHeader('Cache-Control', 'no-cache, private');
  try {
    if (o.latencyMs) await new Promise((resolve) => setTimeout(resolve, o.latencyMs));
    if (o.intercept) {
      const verdict = await o.intercept(req);
      if (verdict !== 'continue') {
        if (verdict.destroy) {
          resetExchange(req);
          return;
        }
        return sendJson(res, verdict.status, verdict.body ?? {});
      }
    }
    const fault = o.faults?.match(
      ctx.name,
      req.method ?? 'GET',
      new URL(req.url ?? '/', 'https://localhost').pathname,
    );
    const action = fault ? applyFault(fault, req, res, ctx.store) : 'route';
    if (action === 'handled') return;
    if (action === 'route') return await route(ctx, o, req, res);
    try {
      await route(ctx, o, req, action.res);
    } catch (err) {
      const status = toStatus(err);
      sendJson(action.res, status.code, status);
    }
    action.finish();
  } catch (err) {
    if (res.headersSent) {
      res.end();
      return;
    }
    const status = toStatus(err);
    sendJson(res, status.code, status);
  }
}
