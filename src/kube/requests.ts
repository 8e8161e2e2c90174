import type http from 'node:http';
import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig, ObservableMiddleware, ResponseContext } from '@kubernetes/client-node';
import { VERSION } from '../version.js';
import { withCredentials } from './auth.js';
import { ApiServerError } from './errors.js';
import type { KubeOperation } from './errors.js';
import { errorFromResponse, errorFromTransport } from './map-error.js';
import type { RequestScope } from './map-error.js';
import { timedOut, timeoutMiddleware } from './middleware.js';

const CREDENTIALS_TTL_MS = 60_000;

export interface Credentials {
  headers: Record<string, string>;
  agent: http.Agent;
}

export interface RawRequest {
  method: 'GET' | 'PUT' | 'PATCH';
  /** Absolute API path: `/api/v1/namespaces/x/configmaps/y` */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
}

/**
 * Sends raw JSON requests through client-node's own auth and HTTP stack, so responses stay exactly as the API
 * server sent them: the generated typed clients turn timestamps into Dates, drop fields their models lack, and
 * their serializer throws on a plain object whose timestamps are strings.
 */
export class Transport {
  private readonly http = new IsomorphicFetchHttpLibrary();
  private readonly middleware: ObservableMiddleware[];
  private cached: { at: number; value: Credentials } | undefined;
  private inflight: Promise<Credentials> | undefined;

  constructor(
    readonly kc: KubeConfig,
    readonly context: string,
    readonly server: string,
    readonly timeoutMs: number,
  ) {
    this.middleware = [timeoutMiddleware(timeoutMs)];
  }

  /**
   * The Authorization header and TLS agent for this context, shared by concurrent requests and kept for a minute:
   * client-node runs an exec plugin again for every request when its credential has no expirationTimestamp.
   */
  async credentials(scope: RequestScope): Promise<Credentials> {
    if (this.cached && Date.now() - this.cached.at < CREDENTIALS_TTL_MS) return this.cached.value;
    this.inflight ??= (async () => {
      const probe = new RequestContext(this.server, HttpMethod.GET);
      await withCredentials(scope, this.kc, () => this.kc.applySecurityAuthentication(probe));
      const value = { headers: { ...probe.getHeaders() }, agent: probe.getAgent() as Credentials['agent'] };
      this.cached = { at: Date.now(), value };
      return value;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget cached credentials (after a 401 they may have expired). */
  invalidateCredentials(): void {
    this.cached = undefined;
  }

  scope(operation: KubeOperation): RequestScope {
    return { context: this.context, server: this.server, operation, timeoutMs: this.timeoutMs };
  }

  /** Sends the request; returns the parsed 2xx body, or throws a typed error. */
  async json(operation: KubeOperation, req: RawRequest): Promise<unknown> {
    const scope = this.scope(operation);
    const ctx = new RequestContext(this.server + req.path, HttpMethod[req.method]);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) ctx.setQueryParam(k, String(v));
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', `ks-restore/${VERSION}`);
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(req.body));
    }
    const creds = await this.credentials(scope);
    for (const [k, v] of Object.entries(creds.headers)) ctx.setHeaderParam(k, v);
    ctx.setAgent(creds.agent);

    let prepared = ctx;
    for (const m of this.middleware) prepared = await m.pre(prepared).toPromise();
    let status: number;
    let text: string;
    try {
      let rsp: ResponseContext = await this.http.send(prepared).toPromise();
      for (const m of [...this.middleware].reverse()) rsp = await m.post(rsp).toPromise();
      status = rsp.httpStatusCode;
      text = await rsp.body.text();
    } catch (err) {
      throw transportFailure(scope, err, timedOut(prepared.getSignal() as AbortSignal | undefined));
    }
    if (status === 401) this.invalidateCredentials();
    if (status < 200 || status > 299) throw errorFromResponse(scope, status, text);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiServerError({ context: this.context, operation, status, reason: 'response is not JSON' });
    }
  }
}

/** Transport errors become typed errors; anything else (a bug) is rethrown as it is. */
export function transportFailure(scope: RequestScope, err: unknown, didTimeOut: boolean): unknown {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  const isTransport =
    didTimeOut || e?.name === 'FetchError' || e?.name === 'AbortError' || typeof e?.code === 'string';
  return isTransport ? errorFromTransport(scope, err, didTimeOut) : err;
}
