import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterStore } from './store.js';
import { parseRoute } from './router.js';
import { resourceKey } from './types.js';
import { resetExchange } from './http-util.js';

/**
 * Fault injection: how a hostile network or an overloaded API server treats a client. A rule picks requests by
 * cluster, method, path and occurrence and does one thing to them. Written for the tests' fault matrix and for
 * trying the tool by hand (`ks-restore sandbox --fault …`).
 */
export const FAULT_KINDS = [
  'status', // answer with a v1.Status of `status` (403, 409, 429, 500, 503 …), Retry-After when `retryAfter`
  'reset', // close the connection before any response
  'hang', // never answer (the connection stays open)
  'stall', // send the headers of a 200, then nothing
  'truncate', // process the request, send the headers and half the body, then close
  'malformed', // process the request, answer 200 with a body that is not JSON
  'html', // a proxy's 502 page (text/html)
  'concurrent-edit', // someone edits the object just before this write reaches it
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  /** Cluster name (host, member, member-2 …); any when absent. */
  cluster?: string;
  /** HTTP method; any when absent. */
  method?: string;
  /**
   * Substring of the request path (without query); ending in `$`, the end of the path (`/deployments$` is the
   * collection, not `/deployments/ks-apiserver`); any when absent.
   */
  path?: string;
  /** The first matching request to fault (1-based); default 1. */
  nth?: number;
  /** How many matching requests from `nth` on to fault; default 1; 0 = every one. */
  times?: number;
  kind: FaultKind;
  status?: number;
  /** Seconds, sent as Retry-After with `status`. */
  retryAfter?: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/**
 * Parses `key=value,…` (keys: cluster, method, path, nth, times, kind, status, retry-after). A bare status
 * (`kind=503`) is short for `kind=status,status=503`.
 */
export function parseFaultRule(text: string): FaultRule {
  const rule: Partial<FaultRule> & Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`fault rule "${text}": "${part}" is not key=value`);
    const key = part.slice(0, i).trim();
    const value = part.slice(i + 1).trim();
    switch (key) {
      case 'cluster':
      case 'path':
        rule[key] = value;
        break;
      case 'method':
        rule.method = value.toUpperCase();
        break;
      case 'nth':
      case 'times':
      case 'status':
      case 'retry-after': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0)
          throw new Error(`fault rule "${text}": ${key} must be a whole number`);
        rule[key === 'retry-after' ? 'retryAfter' : key] = n;
        break;
      }
      case 'kind':
        if (/^\d{3}$/.test(value)) {
          rule.kind = 'status';
          rule.status = Number(value);
        } else if ((FAULT_KINDS as readonly string[]).includes(value)) rule.kind = value as FaultKind;
        else
          throw new Error(
            `fault rule "${text}": kind must be one of ${FAULT_KINDS.join(', ')} or a status code`,
          );
        break;
      default:
        throw new Error(`fault rule "${text}": unknown key "${key}"`);
    }
  }
  if (!rule.kind) throw new Error(`fault rule "${text}": kind= is required`);
  if (rule.kind === 'status' && !rule.status) throw new Error(`fault rule "${text}": status= is required`);
  return rule as FaultRule;
}

/** A request as the fault matcher and the request log see it. */
export interface SeenRequest {
  cluster: string;
  method: string;
  path: string;
}

function pathMatches(rule: string, path: string): boolean {
  return rule.endsWith('$') ? path.endsWith(rule.slice(0, -1)) : path.includes(rule);
}

/** The faults of one sandbox: shared by its clusters, counting matches per rule. Records every request. */
export class FaultInjector {
  readonly seen: SeenRequest[] = [];
  private rules: FaultRule[] = [];
  private counts: number[] = [];
  /** Faults actually injected, for tests to check that a rule fired. */
  fired = 0;

  constructor(rules: FaultRule[]) {
    this.set(rules);
  }

  /** Replaces the rules; occurrences count from here on. */
  set(rules: FaultRule[]): void {
    this.rules = [...rules];
    this.counts = rules.map(() => 0);
    this.fired = 0;
  }

  /** The rule that faults this request, if any (counting it as seen). */
  match(cluster: string, method: string, path: string): FaultRule | undefined {
    this.seen.push({ cluster, method, path });
    let hit: FaultRule | undefined;
    this.rules.forEach((r, i) => {
      if (r.cluster !== undefined && r.cluster !== cluster) return;
      if (r.method !== undefined && r.method !== method) return;
      if (r.path !== undefined && !pathMatches(r.path, path)) return;
      const n = ++this.counts[i]!;
      const first = r.nth ?? 1;
      const times = r.times ?? 1;
      if (!hit && n >= first && (times === 0 || n < first + times)) hit = r;
    });
    if (hit) this.fired++;
    return hit;
  }
}

/**
 * Does what the rule says. Returns 'handled' when the response is dealt with (or deliberately never will be),
 * 'route' when the request should go on to the API server as usual (after a concurrent edit), or a wrapper
 * for faults that mangle the real response: route into it, then call `finish`.
 */
export function applyFault(
  rule: FaultRule,
  req: IncomingMessage,
  res: ServerResponse,
  store: ClusterStore,
): 'handled' | 'route' | { res: ServerResponse; finish: () => void } {
  switch (rule.kind) {
    case 'status': {
      const code = rule.status ?? 500;
      const reason = REASONS[code] ?? 'InternalError';
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `injected fault: ${code}`,
        reason,
        code,
      });
      res.writeHead(code, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        ...(rule.retryAfter !== undefined ? { 'Retry-After': String(rule.retryAfter) } : {}),
      });
      res.end(body);
      return 'handled';
    }
    case 'reset':
      resetExchange(req);
      return 'handled';
    case 'hang':
      req.resume();
      return 'handled';
    case 'stall':
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 4096 });
      res.flushHeaders();
      return 'handled';
    case 'html': {
      const page =
        '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>';
      res.writeHead(502, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(page) });
      res.end(page);
      return 'handled';
    }
    case 'concurrent-edit':
      concurrentEdit(store, req);
      return 'route';
    case 'truncate':
    case 'malformed':
      return capture(res, rule.kind);
  }
}

/** Another client's edit of the object this write targets: an annotation, so its resourceVersion moves on. */
function concurrentEdit(store: ClusterStore, req: IncomingMessage): void {
  const r = parseRoute(new URL(req.url ?? '/', 'https://localhost').pathname);
  if (r.kind !== 'resource' || !r.name || r.subresource) return;
  const key = resourceKey({ group: r.group, resource: r.resource });
  if (!store.findType(r.group, r.version, r.resource)) return;
  const obj = store.get(key, r.namespace, r.name);
  if (!obj) return;
  const annotations = { ...(obj.metadata.annotations ?? {}), 'example.com/concurrent-edit': 'kept' };
  store.update({ ...obj, metadata: { ...obj.metadata, annotations } });
}

/** Lets the real handler write its response into a buffer, then sends a mangled version of it. */
function capture(
  res: ServerResponse,
  kind: 'truncate' | 'malformed',
): { res: ServerResponse; finish: () => void } {
  let status = 200;
  let headers: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  const proxy = Object.create(res) as ServerResponse;
  proxy.writeHead = ((code: number, h?: Record<string, unknown>) => {
    status = code;
    headers = { ...headers, ...(h ?? {}) };
    return proxy;
  }) as ServerResponse['writeHead'];
  proxy.setHeader = ((k: string, v: unknown) => {
    headers[k] = v;
    return proxy;
  }) as ServerResponse['setHeader'];
  proxy.write = ((c: string | Buffer) => {
    chunks.push(Buffer.from(c));
    return true;
  }) as ServerResponse['write'];
  proxy.end = ((c?: string | Buffer) => {
    if (c !== undefined && typeof c !== 'function') chunks.push(Buffer.from(c));
    return proxy;
  }) as ServerResponse['end'];
  Object.defineProperty(proxy, 'headersSent', { get: () => false });
  return {
    res: proxy,
    finish: () => {
      const body = Buffer.concat(chunks);
      if (kind === 'malformed') {
        const bad = Buffer.from('{"kind":"Status","apiVersion":"v1",');
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': bad.length });
        res.end(bad);
        return;
      }
      delete headers['Transfer-Encoding'];
      res.writeHead(status, { ...headers, 'Content-Length': body.length } as Record<string, string | number>);
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      setImmediate(() => resetExchange(res.req));
    },
  };
}
