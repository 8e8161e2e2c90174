import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { HttpError, badRequest } from './status.js';
import { strategicMerge } from './strategic-merge.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

function unsupported(builtin: boolean): HttpError {
  const accepted = builtin ? [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH] : [JSON_PATCH, MERGE_PATCH];
  return new HttpError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

/**
 * Applies a PATCH body by its Content-Type. Custom resources refuse strategic merge with 415, as real
 * servers do; server-side apply is not simulated and answers 415 too.
 */
export function applyPatch(original: unknown, contentType: string, body: Buffer, builtin: boolean): unknown {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type !== JSON_PATCH && type !== MERGE_PATCH && !(type === STRATEGIC_MERGE_PATCH && builtin))
    throw unsupported(builtin);
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  if (type === JSON_PATCH) {
    try {
      return applyJsonPatch(original, patch);
    } catch (err) {
      if (!(err instanceof JsonPatchError)) throw err;
      // apiserver's patcher wraps this in NewGenericServerResponse(422): a fixed message, the cause dropped.
      throw new HttpError(422, 'Invalid', 'the server rejected our request due to an error in our request');
    }
  }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw badRequest('the body of the request was in an unknown format: a merge patch must be a JSON object');
  }
  return type === MERGE_PATCH ? mergePatch(original, patch) : strategicMerge(original, patch);
}
