import { AlreadyExistsError, ConflictError, InvalidError, NotFoundError, SelectorError } from './errors.js';
import type { ErrorDetails } from './errors.js';

/** A metav1.Status, the body of every error response a real API server sends. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: ErrorDetails & { uid?: string; causes?: { reason?: string; message: string; field?: string }[] };
  code: number;
}

/** An error that already knows its HTTP answer; thrown by handlers, rendered once by the server. */
export class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody['details'],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody['details'],
): StatusBody {
  const body: StatusBody = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  // Go omits empty details and an empty group.
  if (details) {
    const d = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(d).length > 0) body.details = d;
  }
  return body;
}

export function success(details: StatusBody['details']): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

/** `configmaps "x" not found`, with the details kubectl and client-node read (name, kind=resource, group). */
export function notFound(resource: string, group: string, name: string): HttpError {
  const display = group ? `${resource}.${group}` : resource;
  return new HttpError(404, 'NotFound', `${display} "${name}" not found`, { name, group, kind: resource });
}

/** What an API server answers for a path it does not serve. */
export function noSuchResource(): HttpError {
  return new HttpError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'BadRequest', message);
}

export function methodNotAllowed(method: string): HttpError {
  return new HttpError(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource`,
    {
      causes: [{ message: `method ${method} not allowed` }],
    },
  );
}

/** Turns anything a handler throws into the Status a real server would send. */
export function toStatus(err: unknown): StatusBody {
  if (err instanceof HttpError) return failure(err.code, err.reason, err.message, err.details);
  if (err instanceof NotFoundError) return failure(404, 'NotFound', err.message, err.details);
  if (err instanceof AlreadyExistsError) return failure(409, 'AlreadyExists', err.message, err.details);
  if (err instanceof ConflictError) return failure(409, 'Conflict', err.message, err.details);
  if (err instanceof SelectorError) return failure(400, 'BadRequest', err.message);
  if (err instanceof InvalidError) return failure(422, 'Invalid', err.message, err.details);
  return failure(
    500,
    'InternalError',
    `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
  );
}
