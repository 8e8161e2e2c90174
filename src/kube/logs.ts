import http from 'node:http';
import https from 'node:https';
import { VERSION } from '../version.js';
import { LineScanner } from './lines.js';
import { errorFromResponse, parseStatus } from './map-error.js';
import { transportFailure } from './requests.js';
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

  const creds = await t.credentials(scope);
  const reqOpts: https.RequestOptions = {
    method: 'GET',
    headers: { ...creds.headers, Accept: '*/*', 'User-Agent': `ks-restore/${VERSION}` },
    agent: creds.agent,
  };

  return new Promise<LogResult>((resolve, reject) => {
    let settled = false;
    let didTimeOut = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: unknown): void => finish(() => reject(transportFailure(scope, err, didTimeOut)));
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        didTimeOut = true;
        req.destroy(new Error('request timed out'));
      }, t.timeoutMs);
    };

    const req = (url.protocol === 'http:' ? http : https).request(url, reqOpts, (res) => {
      arm();
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          finish(() => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 401) t.invalidateCredentials();
            const outcome = classifyLogError(res.statusCode ?? 0, body);
            if (outcome) resolve(outcome);
            else reject(errorFromResponse(scope, res.statusCode ?? 0, body));
          }),
        );
        return;
      }
      const scanner = new LineScanner(onLine);
      res.on('data', (c: Buffer) => {
        arm();
        try {
          scanner.push(c);
        } catch (err) {
          finish(() => reject(err)); // the caller's onLine threw: stop reading
          req.destroy();
        }
      });
      res.on('end', () =>
        finish(() => {
          try {
            scanner.end();
            resolve({ outcome: 'read', lines: scanner.lines, bytes: scanner.bytes });
          } catch (err) {
            reject(err);
          }
        }),
      );
    });
    req.on('error', fail);
    arm();
    req.end();
  });
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
