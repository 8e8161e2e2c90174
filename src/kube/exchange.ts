import http from 'node:http';
import https from 'node:https';

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
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: unknown): void => {
      finish(() => reject(timedOut ? new ExchangeTimeoutError() : err));
      request.destroy();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        fail(new ExchangeTimeoutError());
      }, req.timeoutMs);
      timer.unref?.();
    };
    const headers = { ...req.headers };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    const request = (req.url.protocol === 'http:' ? http : https).request(req.url, {
      method: req.method,
      headers,
      ...(req.agent ? { agent: req.agent } : {}),
    });
    request.on('error', fail);
    // Every request closes, most after they settled: no error (and its stack) is made for those.
    request.on('close', () => {
      if (settled) request.destroy();
      else fail(new IncompleteResponseError('headers'));
    });
    request.on('response', (res) => {
      if (opts.idleTimeout) arm();
      let sink: ReturnType<typeof onResponse>;
      try {
        sink = onResponse({ status: res.statusCode ?? 0, headers: res.headers });
      } catch (err) {
        fail(err);
        return;
      }
      const declared = Number(res.headers['content-length']);
      let received = 0;
      let ended = false;
      res.on('data', (c: Buffer) => {
        if (settled) return;
        if (opts.idleTimeout) arm();
        received += c.length;
        try {
          sink.chunk(c);
        } catch (err) {
          fail(err);
        }
      });
      res.on('end', () => {
        ended = true;
        // Node ends a body early when the server closes a Content-Length response short; that is a cut-off.
        if (Number.isFinite(declared) && received < declared) {
          fail(new IncompleteResponseError('body'));
          return;
        }
        finish(() => {
          try {
            resolve(sink.done());
          } catch (err) {
            reject(err);
          }
        });
      });
      res.on('error', (err) => fail(ended ? err : new IncompleteResponseError('body')));
      res.on('aborted', () => fail(new IncompleteResponseError('body')));
      res.on('close', () => {
        if (!ended) fail(new IncompleteResponseError('body'));
      });
    });
    arm();
    request.end(req.body);
  });
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
