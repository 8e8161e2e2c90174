import { VERSION } from '../version.js';
import type { KubeOperation } from './errors.js';
import { exchange } from './exchange.js';
import { LineScanner } from './lines.js';
import { observer } from './observe.js';
import type { Transport } from './requests.js';
import type { KubeObject } from './types.js';

/** The stream said it is over (an ERROR or DELETED event) or is not a watch stream. */
class WatchOver extends Error {}

/**
 * Watches one object, as `kubectl rollout status` does: GET <collection>?watch=1 with a field selector on its
 * name, from `resourceVersion`, and hands on the object of each ADDED or MODIFIED event. Best effort: it only
 * hurries what a poll also finds out (src/repair/rollout.ts), so it is never retried and never throws. It ends
 * on `signal`, on an error status, an ERROR or DELETED event, a line that is not an event, a silence longer
 * than the request timeout, or the end of the stream; the promise resolves then.
 */
export async function watchObject(
  t: Transport,
  operation: KubeOperation,
  collectionPath: string,
  name: string,
  resourceVersion: string | undefined,
  onObject: (obj: KubeObject) => void,
  signal: AbortSignal,
): Promise<void> {
  const url = new URL(t.server + collectionPath);
  url.searchParams.set('watch', '1');
  url.searchParams.set('fieldSelector', `metadata.name=${name}`);
  if (resourceVersion) url.searchParams.set('resourceVersion', resourceVersion);
  const started = Date.now();
  let status: number | string = 'error';
  try {
    const creds = await t.credentials(t.scope(operation));
    if (signal.aborted) return;
    const headers = { ...creds.headers, Accept: 'application/json', 'User-Agent': `ks-restore/${VERSION}` };
    await exchange(
      { url, method: 'GET', headers, agent: creds.agent, timeoutMs: t.timeoutMs, signal },
      (head) => {
        status = head.status;
        if (head.status !== 200) throw new WatchOver();
        const scanner = new LineScanner((line) => {
          if (line.trim() === '') return;
          const ev = JSON.parse(line) as { type?: unknown; object?: KubeObject };
          if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && ev.object?.metadata) onObject(ev.object);
          else if (ev.type !== 'BOOKMARK') throw new WatchOver();
        });
        return { chunk: (c) => scanner.push(c), done: () => scanner.end() };
      },
      { idleTimeout: true },
    );
  } catch (err) {
    if (signal.aborted && typeof status !== 'number') status = 'aborted';
    else if (typeof status !== 'number') status = err instanceof Error ? err.name : 'error';
  } finally {
    // -v=6 logs it as every other request, once it is over.
    observer().request?.({
      context: t.context,
      method: 'GET',
      path: url.pathname + url.search,
      status,
      ms: Date.now() - started,
    });
  }
}
