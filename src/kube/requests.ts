import { HttpMethod, IsomorphicFetchHttpLibrary, RequestContext } from '@kubernetes/client-node';
import type { KubeConfig, ObservableMiddleware, ResponseContext } from '@kubernetes/client-node';
import { VERSION } from '../version.js';
import { withCredentials } from './auth.js';
import { ApiServerError } from './errors.js';
import type { KubeOperation } from './errors.js';
import { errorFromResponse, errorFromTransport } from './map-error.js';
import type { RequestScope } from './map-error.js';
import { timedOut, timeoutMiddleware } from './middleware.js';

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

  constructor(
    readonly kc: KubeConfig,
    readonly context: string,
    readonly server: string,
    readonly timeoutMs: number,
  ) {
    this.middleware = [timeoutMiddleware(timeoutMs)];
  }

  scope(operation: KubeOperation): RequestScope {
    return { context: this.context, server: this.server, operation, timeoutMs: this.timeoutMs };
  }

  /** Sends the request; returns the parsed 2xx body, or throws a typed error. */
  async json(operation: KubeOperation, req: RawRequest): Promise<unknown> {
    const scope = this.scope(operation);
    const ctx = new RequestContext(this.server + req.path, HttpMethod[req.method]);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) ctx.setQueryParam(k, String(v));
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('User-Agent', `ks-restore/${VERSION}`);
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(req.body));
    }
    await withCredentials(scope, this.kc, () => this.kc.applySecurityAuthentication(ctx));

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
