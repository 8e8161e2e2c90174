/** What a member's (or host's) log tally says about why tokens are rejected, per kubesphere.md. */
import { LogTally, type LogTallyResult } from './tally.js';

/**
 * - `secret-mismatch`: "signature is invalid" — the member verifies with another jwtSecret.
 * - `token-cache`: "token not found in cache" — the member's accessTokenMaxAge is not zero. Evidence of a cache
 *   lookup, not proof of a mismatch.
 * - `in-memory-cache`: cache misses on a host with several replicas and no Redis: a different fix.
 * - `clock-skew`: "token used before issued" (3.2+), "token is not valid yet" (3.0/3.1) — node clocks differ
 *   by more than maximumClockSkew.
 * - `empty-jwt-secret`, `config-load-failed` (also 3.0 without a Redis address): ks-apiserver does not start.
 * - `expired-only`: only expired sessions, harmless alone.
 */
export type AuthEvidence =
  | 'empty-jwt-secret'
  | 'config-load-failed'
  | 'secret-mismatch'
  | 'clock-skew'
  | 'in-memory-cache'
  | 'token-cache'
  | 'expired-only'
  | 'none';

export interface EvidenceContext {
  /** Role of the cluster whose log this is, when known. */
  role?: 'host' | 'member' | 'none';
  /** ks-apiserver replicas of that cluster. */
  replicas?: number;
}

/** Every cause the log supports, strongest first; `['none']` when it shows no token failure. */
export function listAuthEvidence(
  input: LogTally | LogTallyResult,
  context: EvidenceContext = {},
): AuthEvidence[] {
  const { kinds } = input instanceof LogTally ? input.result() : input;
  const causes = kinds['host-unauthorized'].causes;
  const count = (k: keyof typeof causes): number => kinds[k].requests + (causes[k] ?? 0);
  const out: AuthEvidence[] = [];
  if (count('empty-jwt-secret') > 0) out.push('empty-jwt-secret');
  if (kinds['config-load-failed'].requests > 0) out.push('config-load-failed');
  if (count('signature-invalid') > 0) out.push('secret-mismatch');
  if (count('clock-skew') > 0) out.push('clock-skew');
  if (count('cache-miss') > 0) {
    const multiReplicaHost =
      context.role === 'host' && (context.replicas === undefined || context.replicas > 1);
    out.push(kinds['in-memory-cache'].requests > 0 && multiReplicaHost ? 'in-memory-cache' : 'token-cache');
  }
  if (out.length === 0 && count('token-expired') > 0) out.push('expired-only');
  return out.length > 0 ? out : ['none'];
}

export function classifyAuthEvidence(
  input: LogTally | LogTallyResult,
  context: EvidenceContext = {},
): AuthEvidence {
  return listAuthEvidence(input, context)[0] ?? 'none';
}
