import { request as httpRequest } from 'node:http';
import type { Agent as HttpAgent } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpResult {
  status: number;
  body: string;
}

export interface HttpCall {
  method: string;
  /** An https.Agent for https: URLs (keep-alive, the cluster's CA). */
  agent?: HttpAgent;
  headers?: Record<string, string>;
  /** Sent as is; Content-Type application/json and its Content-Length are added. */
  body?: string;
  /** No answer (or no more of it) for this long: the request fails. */
  timeoutMs: number;
}

type CallError = Error & { code?: string; staleSocket?: boolean };

/** One exchange, the whole answer read as text. A failure names the method and path, never the query. */
function once(url: URL, c: HttpCall): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const what = `${c.method} ${url.pathname}`;
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(c.body);
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: c.method, headers, ...(c.agent ? { agent: c.agent } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (err) => reject(named(err, what, false)));
      },
    );
    req.setTimeout(c.timeoutMs, () => req.destroy(new Error(`no answer in ${c.timeoutMs / 1000} s`)));
    req.on('error', (err: CallError) => {
      // Before any answer, on a connection kept alive from an earlier request: the server closed it while idle
      // (kube-apiserver closes one after 90 s) as this request went out, so the server never read it.
      const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      reject(named(err, what, stale));
    });
    req.end(c.body);
  });
}

function named(err: CallError, what: string, staleSocket: boolean): CallError {
  return Object.assign(new Error(`${what}: ${err.message}`, { cause: err }), {
    ...(err.code !== undefined ? { code: err.code } : {}),
    staleSocket,
  });
}

/**
 * An HTTP(S) request of the real tier's own clients (start-up probes, the simulation's controllers). A request
 * that met a kept-alive connection the server had just closed is sent once more on a new one, as Node's
 * documentation advises for `reusedSocket` and Go's transport (client-go's) does for a connection closed idle.
 */
export async function httpCall(url: string, c: HttpCall): Promise<HttpResult> {
  const u = new URL(url);
  try {
    return await once(u, c);
  } catch (err) {
    if (!(err as CallError).staleSocket) throw err;
    return once(u, c);
  }
}
