/**
 * What the kube layer tells the rest of the tool about its requests while they run: retries (shown on the
 * spinner and with -v) and finished requests (method, path, status, latency — never a body or a header).
 */
export interface RetryNotice {
  context: string;
  /** e.g. `get configmaps kubesphere-system/kubesphere-config` */
  operation: string;
  attempt: number;
  delayMs: number;
  cause: string;
}

export interface RequestNotice {
  context: string;
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** HTTP status, or the failure's name when there was no response. */
  status: number | string;
  ms: number;
}

export interface RequestObserver {
  retry?(n: RetryNotice): void;
  request?(n: RequestNotice): void;
}

let current: RequestObserver = {};

/** Sets the process's observer (the command being run); returns the previous one. */
export function observeRequests(o: RequestObserver): RequestObserver {
  const prev = current;
  current = o;
  return prev;
}

export function observer(): RequestObserver {
  return current;
}
