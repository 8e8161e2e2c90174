/**
 * Typed store errors. The HTTP layer turns each into the v1.Status a real API server sends; `details` carries
 * what that Status needs (`name`, `kind` = the resource plural, `group`).
 */
export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
}

export class StoreError extends Error {
  readonly details: ErrorDetails;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The update carried a stale metadata.resourceVersion (HTTP 409, reason Conflict). */
export class ConflictError extends StoreError {}

/** create of a name that exists (HTTP 409, reason AlreadyExists). */
export class AlreadyExistsError extends StoreError {}

/** No such object, or no such resource type (HTTP 404, reason NotFound). */
export class NotFoundError extends StoreError {}

/** A malformed label or field selector, or an unsupported field label (HTTP 400, reason BadRequest). */
export class SelectorError extends StoreError {}

/** The object fails validation: missing name, wrong namespace scope (HTTP 422, reason Invalid). */
export class InvalidError extends StoreError {}
