import { VERSION } from '../version.js';
import { describeOperation } from './errors.js';
import { bufferedBody, exchange, ExchangeTimeoutError, IncompleteResponseError } from './exchange.js';
import type { ExchangeHead } from './exchange.js';
import { LineScanner } from './lines.js';
import { errorFromResponse, parseStatus } from './map-error.js';
import { observer } from './observe.js';
import { transportFailure } from './requests.js';
import { defaultRetryPolicy, isRetryableStatus, parseRetryAfter, withRetries } from './retry.js';
import type { Transport } from './requests.js';
import type { LogOptions, LogResult } from './types.js';

const MAX_ERROR_BODY = 64 * 1024;

/**
 * GET pods/{pod}/log, scanned line by line as it arrives. Not client-node's `Log` class: it turns every
 * transport error into a bare "500 Error occurred in log request" and drops the body of a 400, which is where
 * "previous terminated container … not found" is. Auth, CA and proxy come from the same KubeConfig as every
 * other request (one cached credential set). The timeout applies to the wait for the response and to each silence while it streams.
 */
export async function streamPodLog(
  t: Transport,
  namespace: string,
  pod: string,
  container: string,
  opts: LogOptions,
  onLine: (line: string) => void,
): Promise<LogResult> {
  const scope = t.scope({ verb: 'get', resource: 'pods/log', namespace, name: pod });
  const url = new URL(
    `${t.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
  );
  url.searchParams.set('container', container);
  if (opts.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(opts.sinceSeconds));
  if (opts.tailLines !== undefined) url.searchParams.set('tailLines', String(opts.tailLines));
  if (opts.limitBytes !== undefined) url.searchParams.set('limitBytes', String(opts.limitBytes));
  if (opts.previous) url.searchParams.set('previous', 'true');
  if (opts.timestamps) url.searchParams.set('timestamps', 'true');

  // Retried (429, 5xx, a reset) only until the first line was handed on: a retry would repeat lines.
  let delivered = false;
  return withRetries(
    defaultRetryPolicy(t.timeoutMs),
    async () => {
      const creds = await t.credentials(scope);
      const headers = { ...creds.headers, Accept: '*/*', 'User-Agent': `ks-restore/${VERSION}` };
      // -v=6 logs this request as every other one: once it is over, with the status it got.
      const started = Date.now();
      let status: number | undefined;
      const notice = (s: number | string) =>
        observer().request?.({
          context: t.context,
          method: 'GET',
          path: url.pathname + url.search,
          status: s,
          ms: Date.now() - started,
        });
      const result = exchange(
        { url, method: 'GET', headers, agent: creds.agent, timeoutMs: t.timeoutMs },
        (head) => {
          status = head.status;
          if (head.status !== 200) {
            const body = bufferedBody(head, MAX_ERROR_BODY);
            return { chunk: body.chunk, done: () => errorOutcome(body.done()) };
          }
          const scanner = new LineScanner((line) => {
            delivered = true;
            onLine(line);
          });
          return {
            chunk: (c) => scanner.push(c),
            done: (): LogResult => {
              scanner.end();
              return { outcome: 'read', lines: scanner.lines, bytes: scanner.bytes };
            },
          };
        },
        { idleTimeout: true },
      );
      return result.then(
        (r) => {
          notice(status ?? 200);
          return r;
        },
        (err: unknown) => {
          notice(status ?? (err instanceof Error ? err.name : 'error'));
          throw err;
        },
      );
    },
    (err) => {
      if (delivered) return undefined;
      if (err instanceof LogStatus)
        return isRetryableStatus(err.status)
          ? {
              kind: 'status',
              status: err.status,
              ...(err.retryAfterMs === undefined ? {} : { retryAfterMs: err.retryAfterMs }),
            }
          : undefined;
      return err instanceof IncompleteResponseError ? { kind: 'reset' } : undefined;
    },
    (e) => observer().retry?.({ context: t.context, operation: describeOperation(scope.operation), ...e }),
  ).catch((err: unknown) => {
    if (err instanceof LogStatus) {
      if (err.status === 401) t.invalidateCredentials();
      throw errorFromResponse(scope, err.status, err.body);
    }
    throw transportFailure(scope, err, err instanceof ExchangeTimeoutError);
  });
}

/** A non-200 answer to a log read: a container state (resolved), or an error to map (thrown). */
class LogStatus extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly status: number,
    readonly body: string,
    retryAfter: string | string[] | undefined,
  ) {
    super(`HTTP ${status}`);
    this.retryAfterMs = parseRetryAfter(retryAfter);
  }
}

function errorOutcome(res: ExchangeHead & { body: string }): LogResult {
  const outcome = classifyLogError(res.status, res.body);
  if (outcome) return outcome;
  throw new LogStatus(res.status, res.body, res.headers['retry-after']);
}

/** The two 400s that describe a container's state rather than a bad request. */
function classifyLogError(status: number, body: string): LogResult | undefined {
  if (status !== 400) return undefined;
  const message = parseStatus(body)?.message ?? '';
  if (/previous terminated container .* not found/i.test(message))
    return { outcome: 'no-previous-container' };
  if (/is waiting to start/i.test(message)) return { outcome: 'container-not-started' };
  return undefined;
}
