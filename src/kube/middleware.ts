import { Observable } from '@kubernetes/client-node';
import type { ObservableMiddleware } from '@kubernetes/client-node';

/**
 * Aborts a request that has not finished after `ms` (client-node 1.x has no timeout option). Observable-style:
 * the generated clients call `.toPromise()` on what `pre`/`post` return, so a plain async function fails with
 * "toPromise is not a function". Works in a configuration's `middleware` list and combined with setHeaderOptions.
 */
export function timeoutMiddleware(ms: number): ObservableMiddleware {
  return {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(ctx));
    },
    post: (rsp) => new Observable(Promise.resolve(rsp)),
  };
}

/** True when the request's signal was aborted by AbortSignal.timeout, not by anything else. */
export function timedOut(signal: AbortSignal | undefined): boolean {
  return (
    signal?.aborted === true && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError'
  );
}
