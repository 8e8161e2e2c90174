import {
  ApiServerError,
  ClusterUnreachableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RequestTimeoutError,
  UnauthorizedError,
} from './errors.js';
import type { KubeError, KubeOperation, UnreachableProblem } from './errors.js';

/** Who was asked what: enough to name the context, the server and the operation in any error. */
export interface RequestScope {
  context: string;
  server: string;
  operation: KubeOperation;
  timeoutMs: number;
}

/** The only parts of a v1.Status we ever show; the apiserver's Status message carries no object data. */
export interface StatusSummary {
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string; group?: string };
}

const MAX_MESSAGE = 400;

/** Parses a response body as a v1.Status; anything else (an object, HTML, plain text) yields undefined. */
export function parseStatus(body: string | undefined): StatusSummary | undefined {
  if (!body) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const s = parsed as Record<string, unknown>;
  if (s.kind !== 'Status') return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const d = typeof s.details === 'object' && s.details !== null ? (s.details as Record<string, unknown>) : {};
  const details = { name: str(d.name), kind: str(d.kind), group: str(d.group) };
  const message = str(s.message);
  return {
    ...(typeof s.code === 'number' ? { code: s.code } : {}),
    ...(str(s.reason) ? { reason: str(s.reason) } : {}),
    ...(message ? { message: sanitizeMessage(message) } : {}),
    details,
  };
}

/** Field validation errors quote the rejected value (`Invalid value: "…"`): drop it, and keep one short line. */
export function sanitizeMessage(message: string): string {
  const oneLine = message
    .replace(/Invalid value: (?:"(?:[^"\\]|\\.)*"|[^\s,:]+)/g, 'Invalid value: (hidden)')
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE)}…` : oneLine;
}

/** Maps a non-2xx response to a typed error using only the Status fields, never the raw body. */
export function errorFromResponse(
  scope: RequestScope,
  httpStatus: number,
  body: string | undefined,
): KubeError {
  const status = parseStatus(body);
  const base = {
    context: scope.context,
    operation: scope.operation,
    status: httpStatus,
    ...(status?.reason ? { reason: status.reason } : {}),
  };
  switch (httpStatus) {
    case 401:
      return new UnauthorizedError({ ...base, reason: status?.reason ?? 'Unauthorized' });
    case 403:
      return new ForbiddenError({
        ...base,
        reason: status?.reason ?? 'Forbidden',
        ...(status?.message ? { statusMessage: status.message } : {}),
      });
    case 404:
      return new NotFoundError({
        ...base,
        reason: status?.reason ?? 'NotFound',
        // An object that is missing has its name in details; a type that is not served has none (or no Status).
        resourceTypeMissing: !(status?.details?.name && status.details.name === scope.operation.name),
      });
    case 409:
      return new ConflictError({ ...base, reason: status?.reason ?? 'Conflict' });
    default:
      return new ApiServerError({ ...base, ...(status?.message ? { statusMessage: status.message } : {}) });
  }
}

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check this machine's clock)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's self-signed certificate is not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is signed by an authority that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is signed by an authority that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is signed by an authority that is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is signed by an authority that is not trusted",
  CERT_SIGNATURE_FAILURE: "the server's certificate signature does not verify",
  CERT_UNTRUSTED: "the server's certificate is not trusted",
  CERT_REJECTED: "the server's certificate was rejected",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name the host in the server URL",
  EPROTO: 'the TLS handshake failed (is this an HTTPS port?)',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the TLS handshake failed (is this an HTTPS port?)',
};

const NET_CODES: Record<string, [UnreachableProblem, string]> = {
  ECONNREFUSED: ['refused', 'connection refused'],
  ENOTFOUND: ['dns', 'the host name does not resolve'],
  EAI_AGAIN: ['dns', 'the host name could not be resolved (DNS lookup failed)'],
  EHOSTUNREACH: ['unreachable', 'host unreachable'],
  ENETUNREACH: ['unreachable', 'network unreachable'],
  ETIMEDOUT: ['unreachable', 'the connection timed out'],
  ECONNRESET: ['reset', 'the connection was reset'],
  EPIPE: ['reset', 'the connection was closed'],
};

const HINTS: Record<UnreachableProblem, (context: string) => string> = {
  refused: () =>
    'check the server URL in the kubeconfig and that the API server is up and reachable from here (VPN, firewall)',
  dns: () => 'check the host name in the server URL, your DNS, and whether a VPN is needed',
  unreachable: () =>
    'check the server URL in the kubeconfig and your network route to it (VPN, firewall, proxy)',
  reset: () =>
    'something between here and the API server closed the connection: check proxies, load balancers and the VPN',
  tls: (context) =>
    `check certificate-authority / certificate-authority-data of context "${context}" in the kubeconfig, and that the server URL points at the right cluster`,
  other: () => 'check the server URL in the kubeconfig and your network',
};

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/**
 * Maps a transport failure (node-fetch FetchError, a Node socket/TLS error, an abort) to a typed error.
 * `timedOut` tells whether our own per-request timer fired.
 */
export function errorFromTransport(scope: RequestScope, err: unknown, timedOut: boolean): KubeError {
  const base = { context: scope.context, operation: scope.operation, cause: err };
  if (timedOut) return new RequestTimeoutError({ ...base, timeoutMs: scope.timeoutMs });
  const code = errorCode(err);
  const tls =
    code !== undefined &&
    (TLS_CODES[code] ??
      (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') ? 'TLS error' : undefined));
  if (code !== undefined && tls) {
    return new ClusterUnreachableError({
      ...base,
      server: scope.server,
      problem: 'tls',
      code,
      detail: `TLS: ${tls} (${code})`,
      hint: HINTS.tls(scope.context),
    });
  }
  const [problem, detail] = (code && NET_CODES[code]) || ['other', 'the request failed'];
  return new ClusterUnreachableError({
    ...base,
    server: scope.server,
    problem,
    ...(code ? { code } : {}),
    detail: code ? `${detail} (${code})` : detail,
    hint: HINTS[problem](scope.context),
  });
}
