import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { Http2Sessions } from './http2.js';

/**
 * One HTTP exchange on Node's own client, with the agent (CA, client certificate, proxy) client-node built for
 * the context. Every way it can end settles the promise exactly once: a complete response, a socket error, a
 * reset or a body cut off before its declared length (`IncompleteResponseError`), or the deadline, which covers
 * connecting, the headers and the whole body (a server that sends headers and then stalls cannot hang us).
 */

export class IncompleteResponseError extends Error {
  readonly code = 'ECONNRESET';
  constructor(readonly phase: 'headers' | 'body') {
    super(phase === 'body' ? 'the response body was cut off' : 'the connection closed before a response');
    this.name = 'IncompleteResponseError';
  }
}

export class ExchangeAbortedError extends Error {
  constructor() {
    super('request aborted');
    this.name = 'ExchangeAbortedError';
  }
}

export class ExchangeTimeoutError extends Error {
  constructor() {
    super('request timed out');
    this.name = 'ExchangeTimeoutError';
  }
}

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  agent?: http.Agent;
  timeoutMs: number;
  /** Ends the exchange (the stream or connection is reset) with ExchangeAbortedError. */
  signal?: AbortSignal;
}

export interface ExchangeHead {
  status: number;
  headers: http.IncomingHttpHeaders;
}

/**
 * Sends the request; `onResponse` gets the head and a sink for the body: it returns a function fed each chunk
 * (throwing from it aborts the exchange with that error). The promise resolves with `onResponse`'s `done()`
 * value after the body ended complete. With `idleTimeout`, the deadline restarts with every chunk (streams).
 */
export function exchange<T>(
  req: ExchangeRequest,
  onResponse: (head: ExchangeHead) => { chunk: (c: Buffer) => void; done: () => T },
  opts: { idleTimeout?: boolean } = {},
): Promise<T> {
  const sessions = (req.agent as { http2?: Http2Sessions } | undefined)?.http2;
  return sessions && req.url.protocol === 'https:'
    ? exchangeNegotiated(sessions, req, onResponse, opts)
    : exchangeHttp1(req, onResponse, opts);
}

type Sink<T> = { chunk: (c: Buffer) => void; done: () => T };

/**
 * One settle-once frame for both protocols: the deadline (connecting, the head, the whole body; restarted per
 * chunk with `idleTimeout`), the head handed to `onResponse`, the body fed to its sink and checked against its
 * Content-Length. `start` sends the request and reports through the frame; it returns the abort function.
 */
function settleOnce<T>(
  req: ExchangeRequest,
  onResponse: (head: ExchangeHead) => Sink<T>,
  opts: { idleTimeout?: boolean },
  start: (frame: Frame) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let abort: () => void = () => {};
    let sink: Sink<T> | undefined;
    let declared = NaN;
    let received = 0;
    const aborted = (): void => fail(new ExchangeAbortedError());
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', aborted);
      fn();
    };
    const fail = (err: unknown): void => {
      finish(() => reject(timedOut ? new ExchangeTimeoutError() : err));
      abort();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        fail(new ExchangeTimeoutError());
      }, req.timeoutMs);
      timer.unref?.();
    };
    const frame: Frame = {
      get settled() {
        return settled;
      },
      get headed() {
        return sink !== undefined;
      },
      onAbort: (fn) => {
        abort = fn;
      },
      fail,
      head: (head) => {
        if (settled) return;
        if (opts.idleTimeout) arm();
        try {
          sink = onResponse(head);
        } catch (err) {
          fail(err);
          return;
        }
        declared = Number(head.headers['content-length']);
      },
      chunk: (c) => {
        if (settled || !sink) return;
        if (opts.idleTimeout) arm();
        received += c.length;
        try {
          sink.chunk(c);
        } catch (err) {
          fail(err);
        }
      },
      end: () => {
        if (settled || !sink) return;
        // A body that ends short of its declared length is a cut-off.
        if (Number.isFinite(declared) && received < declared) {
          fail(new IncompleteResponseError('body'));
          return;
        }
        const s = sink;
        finish(() => {
          try {
            resolve(s.done());
          } catch (err) {
            reject(err);
          }
        });
      },
    };
    if (req.signal?.aborted) {
      aborted();
      return;
    }
    req.signal?.addEventListener('abort', aborted, { once: true });
    arm();
    start(frame);
  });
}

interface Frame {
  readonly settled: boolean;
  /** The head arrived (a failure from now on is a cut-off body). */
  readonly headed: boolean;
  onAbort(fn: () => void): void;
  fail(err: unknown): void;
  head(head: ExchangeHead): void;
  chunk(c: Buffer): void;
  end(): void;
}

/** Over HTTP/2 where the server negotiated it (http2.ts), else over HTTP/1.1. */
function exchangeNegotiated<T>(
  sessions: Http2Sessions,
  req: ExchangeRequest,
  onResponse: (head: ExchangeHead) => Sink<T>,
  opts: { idleTimeout?: boolean },
): Promise<T> {
  return settleOnce(req, onResponse, opts, (frame) => {
    sessions.get(req.url, req.timeoutMs).then(
      (session) => {
        if (frame.settled) return;
        if (!session) {
          requestHttp1(req, frame);
          return;
        }
        streamOn(sessions, session, req, frame);
      },
      (err: unknown) => frame.fail(err),
    );
  });
}

/** Streams in flight per session: while there are any, the session holds the process open. */
const inFlight = new WeakMap<http2.ClientHttp2Session, number>();

function streamOn(
  sessions: Http2Sessions,
  session: http2.ClientHttp2Session,
  req: ExchangeRequest,
  frame: Frame,
): void {
  const headers: http2.OutgoingHttpHeaders = {
    ':method': req.method,
    ':path': req.url.pathname + req.url.search,
  };
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
  let stream: http2.ClientHttp2Stream;
  try {
    stream = session.request(headers, { endStream: req.body === undefined });
  } catch {
    // The session closed between the lookup and now (GOAWAY, a reset): nothing was sent.
    sessions.drop(req.url, session);
    frame.fail(new IncompleteResponseError('headers'));
    return;
  }
  // A stream in flight holds the process open (the session is unref'd while idle).
  inFlight.set(session, (inFlight.get(session) ?? 0) + 1);
  session.ref();
  frame.onAbort(() => {
    if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
  });
  stream.on('response', (h) => {
    const { ':status': status, ...rest } = h;
    frame.head({ status: Number(status ?? 0), headers: rest as http.IncomingHttpHeaders });
  });
  stream.on('data', (c: Buffer) => frame.chunk(c));
  stream.on('end', () => frame.end());
  // RST_STREAM, a GOAWAY that did not cover this stream, the connection lost: 'close' follows, and reports it
  // as the reset it is, retried where the request may be repeated.
  stream.on('error', () => {});
  stream.on('close', () => {
    const left = (inFlight.get(session) ?? 1) - 1;
    inFlight.set(session, left);
    if (left === 0 && !session.destroyed) session.unref();
    if (!frame.settled) frame.fail(new IncompleteResponseError(frame.headed ? 'body' : 'headers'));
  });
  if (req.body !== undefined) stream.end(req.body);
}

function exchangeHttp1<T>(
  req: ExchangeRequest,
  onResponse: (head: ExchangeHead) => Sink<T>,
  opts: { idleTimeout?: boolean },
): Promise<T> {
  return settleOnce(req, onResponse, opts, (frame) => requestHttp1(req, frame));
}

function requestHttp1(req: ExchangeRequest, frame: Frame): void {
  const headers = { ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  const request = (req.url.protocol === 'http:' ? http : https).request(req.url, {
    method: req.method,
    headers,
    ...(req.agent ? { agent: req.agent } : {}),
  });
  frame.onAbort(() => request.destroy());
  request.on('error', (err) => frame.fail(err));
  // Every request closes, most after they settled: no error (and its stack) is made for those.
  request.on('close', () => {
    if (frame.settled) request.destroy();
    else frame.fail(new IncompleteResponseError(frame.headed ? 'body' : 'headers'));
  });
  request.on('response', (res) => {
    frame.head({ status: res.statusCode ?? 0, headers: res.headers });
    let ended = false;
    res.on('data', (c: Buffer) => frame.chunk(c));
    // Node ends a body early when the server closes a Content-Length response short: the frame checks that.
    res.on('end', () => {
      ended = true;
      frame.end();
    });
    res.on('error', (err) => frame.fail(ended ? err : new IncompleteResponseError('body')));
    res.on('aborted', () => frame.fail(new IncompleteResponseError('body')));
    res.on('close', () => {
      if (!ended) frame.fail(new IncompleteResponseError('body'));
    });
  });
  request.end(req.body);
}

/** Reads a whole response body as text (bounded: a larger one is an error, never a hang or an OOM). */
export function bufferedBody(
  head: ExchangeHead,
  maxBytes: number,
): { chunk: (c: Buffer) => void; done: () => ExchangeHead & { body: string } } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    chunk: (c) => {
      size += c.length;
      if (size > maxBytes) throw new Error(`response larger than ${maxBytes} bytes`);
      chunks.push(c);
    },
    done: () => ({ ...head, body: Buffer.concat(chunks).toString('utf8') }),
  };
}
