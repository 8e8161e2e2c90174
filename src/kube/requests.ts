import type http from 'node:http';
import { HttpMethod, RequestContext } from './client-node.js';
import type { KubeConfig } from './client-node.js';
import { VERSION } from '../version.js';
import { keepAliveAgent } from './agent.js';
import { withCredentials } from './auth.js';
import { ApiServerError, describeOperation } from './errors.js';
import type { KubeOperation } from './errors.js';
import { bufferedBody, exchange, ExchangeTimeoutError, IncompleteResponseError } from './exchange.js';
import type { ExchangeHead } from './exchange.js';
import { errorFromResponse, errorFromTransport } from './map-error.js';
import type { RequestScope } from './map-error.js';
import { ClockSamples } from './clock.js';
import { observer } from './observe.js';
import { defaultRetryPolicy, isRetryableStatus, parseRetryAfter, withRetries } from './retry.js';

const CREDENTIALS_TTL_MS = 60_000;

export interface Credentials {
  headers: Record<string, string>;
  /** Keeps connections open between requests. */
  agent: http.Agent;
  /**
   * client-node's own agent, a new connection per request: for a write that may not be repeated, which must not
   * meet a kept-alive connection the server has just closed (a reset there could not be retried).
   */
  freshAgent: http.Agent;
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
 * Sends raw JSON requests with client-node's own credentials and agent (CA, client certificate, exec plugins,
 * proxy-url) over Node's HTTP client, so responses stay exactly as the API server sent them (the generated
 * typed clients turn timestamps into Dates and drop fields their models lack) and every way an exchange can
 * end settles (client-node's fetch never settles a body read once the socket is destroyed mid-body).
 */
export class Transport {
  /** The API server's clock, from the Date header of every response (see clock.ts). */
  readonly clock = new ClockSamples();
  private cached: { at: number; value: Credentials } | undefined;
  private inflight: Promise<Credentials> | undefined;

  constructor(
    readonly kc: KubeConfig,
    readonly context: string,
    readonly server: string,
    readonly timeoutMs: number,
  ) {}

  /**
   * The Authorization header and TLS agent for this context, shared by concurrent requests and kept for a minute:
   * client-node runs an exec plugin again for every request when its credential has no expirationTimestamp.
   */
  async credentials(scope: RequestScope): Promise<Credentials> {
    if (this.cached && Date.now() - this.cached.at < CREDENTIALS_TTL_MS) return this.cached.value;
    this.inflight ??= (async () => {
      const probe = new RequestContext(this.server, HttpMethod.GET);
      await withCredentials(scope, this.kc, () => this.kc.applySecurityAuthentication(probe));
      const freshAgent = probe.getAgent() as Credentials['agent'];
      const value = { headers: { ...probe.getHeaders() }, agent: keepAliveAgent(freshAgent), freshAgent };
      // The previous agent's HTTP/2 connections close once their streams are done (a long repair would
      // otherwise keep one more open per cluster every minute).
      retire(this.cached?.value.agent);
      this.cached = { at: Date.now(), value };
      return value;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Forget cached credentials (after a 401 they may have expired). */
  invalidateCredentials(): void {
    retire(this.cached?.value.agent);
    this.cached = undefined;
  }

  scope(operation: KubeOperation): RequestScope {
    return { context: this.context, server: this.server, operation, timeoutMs: this.timeoutMs };
  }

  /**
   * Sends the request; returns the parsed 2xx body, or throws a typed error. Reads are retried on 429, 5xx,
   * resets and cut-off replies (see retry.ts); a write only when `replayable` says repeating it is safe: a PUT
   * with its resourceVersion precondition, a dry run, or a patch that sets fixed values. A write answered 429
   * was not applied and is always retried.
   */
  async json(
    operation: KubeOperation,
    req: RawRequest,
    opts: { replayable?: boolean } = {},
  ): Promise<unknown> {
    const scope = this.scope(operation);
    const url = new URL(this.server + req.path);
    for (const [k, v] of Object.entries(req.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const isRead = req.method === 'GET';
    const described = describeOperation(operation);
    const res = await withRetries(
      defaultRetryPolicy(this.timeoutMs),
      () => this.attempt(scope, url, req, body, isRead || opts.replayable === true),
      (err) => {
        if (err instanceof StatusResponse) {
          if (err.status === 401) return undefined;
          const retryable =
            isRetryableStatus(err.status) && (isRead || opts.replayable || err.status === 429);
          return retryable
            ? {
                kind: 'status',
                status: err.status,
                ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
              }
            : undefined;
        }
        if (err instanceof IncompleteResponseError || isReset(err))
          return isRead || opts.replayable ? { kind: 'reset' } : undefined;
        return undefined;
      },
      (e) => observer().retry?.({ context: this.context, operation: described, ...e }),
    ).catch((err: unknown) => {
      if (err instanceof StatusResponse) {
        if (err.status === 401) this.invalidateCredentials();
        throw errorFromResponse(scope, err.status, err.body);
      }
      throw transportFailure(scope, err, err instanceof ExchangeTimeoutError);
    });
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw new ApiServerError({
        context: this.context,
        operation,
        status: res.status,
        reason: 'response is not JSON',
      });
    }
  }

  private async attempt(
    scope: RequestScope,
    url: URL,
    req: RawRequest,
    body: string | undefined,
    replayable: boolean,
  ): Promise<ExchangeHead & { body: string }> {
    const creds = await this.credentials(scope);
    const headers: Record<string, string> = {
      ...creds.headers,
      Accept: 'application/json',
      'User-Agent': `ks-restore/${VERSION}`,
      ...(body === undefined ? {} : { 'Content-Type': req.contentType ?? 'application/json' }),
    };
    const started = Date.now();
    const path = url.pathname + url.search;
    try {
      const res = await exchange(
        {
          url,
          method: req.method,
          headers,
          agent: replayable ? creds.agent : creds.freshAgent,
          timeoutMs: this.timeoutMs,
          ...(body === undefined ? {} : { body }),
        },
        (head) => {
          this.clock.record(started, Date.now(), head.headers.date);
          return bufferedBody(head, MAX_RESPONSE_BYTES);
        },
      );
      observer().request?.({
        context: this.context,
        method: req.method,
        path,
        status: res.status,
        ms: Date.now() - started,
      });
      if (res.status < 200 || res.status > 299) throw new StatusResponse(res);
      return res;
    } catch (err) {
      if (!(err instanceof StatusResponse))
        observer().request?.({
          context: this.context,
          method: req.method,
          path,
          status: err instanceof Error ? err.name : 'error',
          ms: Date.now() - started,
        });
      throw err;
    }
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A complete non-2xx response, kept only until it is mapped to a typed error (its body is never shown). */
class StatusResponse extends Error {
  readonly status: number;
  readonly body: string;
  readonly retryAfterMs: number | undefined;
  constructor(res: ExchangeHead & { body: string }) {
    super(`HTTP ${res.status}`);
    this.status = res.status;
    this.body = res.body;
    this.retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  }
}

function retire(agent: http.Agent | undefined): void {
  (agent as { http2?: { close(): void } } | undefined)?.http2?.close();
}

function isReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
}

/** Transport errors become typed errors; anything else (a bug) is rethrown as it is. */
export function transportFailure(scope: RequestScope, err: unknown, didTimeOut: boolean): unknown {
  const e = err as { name?: unknown; code?: unknown } | undefined;
  const isTransport =
    didTimeOut ||
    err instanceof IncompleteResponseError ||
    e?.name === 'FetchError' ||
    e?.name === 'AbortError' ||
    typeof e?.code === 'string';
  return isTransport ? errorFromTransport(scope, err, didTimeOut) : err;
}
