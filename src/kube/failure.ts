import { KsRestoreError } from '../errors.js';
import {
  AuthPluginError,
  ClusterUnreachableError,
  ForbiddenError,
  MissingPermissionsError,
  NotFoundError,
  RequestTimeoutError,
  UnauthorizedError,
} from './errors.js';

/** A failure to read something, already classified by the kube layer. Never carries a response body. */
export interface ReadFailure {
  kind:
    | 'unreachable'
    | 'unauthorized'
    | 'forbidden'
    | 'timeout'
    | 'not-found'
    | 'server'
    | 'auth-plugin'
    | 'other';
  message: string;
  hint?: string;
}

/** A kube error as data for findings: kind, message and next step — never a response body. */
export function describeFailure(err: unknown): ReadFailure {
  const kind: ReadFailure['kind'] =
    err instanceof ClusterUnreachableError
      ? 'unreachable'
      : err instanceof UnauthorizedError
        ? 'unauthorized'
        : err instanceof ForbiddenError || err instanceof MissingPermissionsError
          ? 'forbidden'
          : err instanceof RequestTimeoutError
            ? 'timeout'
            : err instanceof NotFoundError
              ? 'not-found'
              : err instanceof AuthPluginError
                ? 'auth-plugin'
                : err instanceof KsRestoreError
                  ? 'server'
                  : 'other';
  if (err instanceof KsRestoreError) {
    return { kind, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
  // Not one of ours: keep only the class name, since a foreign message may carry a response body.
  const name = err instanceof Error ? err.name : typeof err;
  return {
    kind,
    message: `unexpected ${name} while reading the cluster`,
    hint: 'Re-run with KS_RESTORE_DEBUG=1 and report it.',
  };
}
