import type { ClusterFacts } from '../cluster/facts.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import { DEFAULT_MAXIMUM_CLOCK_SKEW } from '../config/duration.js';
import type { Finding } from './report.js';

/**
 * `clock-skew`: the member's clock against the host's, measured from their API servers' Date headers. The host
 * issues the console's tokens and the member checks them, so (kubesphere `pkg/apiserver/authentication/token/`):
 * - 3.2+ (`issuer.go` Verify) rejects a token whose `iat` is later than its own now + `maximumClockSkew`
 *   ("jwt: token used before issued"), and one past `exp` with no leeway at all;
 * - 3.0/3.1 (`jwt.go`) have the *issuer* backdate `iat` and `nbf` by its `maximumClockSkew`, and the member checks
 *   them with jwt-go's `StandardClaims.Valid()`, which allows none ("token is not valid yet").
 * A member behind the host by more than that rejects every fresh token; one ahead sees tokens expire early, and
 * all of them once it is ahead by the token's lifetime. No row without a reading of both clocks.
 */
export function checkClockSkew(
  host: ClusterSnapshot,
  hostFacts: ClusterFacts,
  member: ClusterSnapshot,
  memberFacts: ClusterFacts,
): Finding | undefined {
  if (!host.clock || !member.clock) return undefined;
  const id = 'clock-skew';
  const skewMs = member.clock.offsetMs - host.clock.offsetMs;
  const uncertaintyMs = member.clock.uncertaintyMs + host.clock.uncertaintyMs;
  const memberSkewMs = maximumClockSkewMs(memberFacts);
  const allowedMs = (checksIatStrictly(memberFacts) ? 0 : memberSkewMs) + backdateMs(hostFacts);
  const lifetimeMs = tokenLifetimeMs(hostFacts);
  const args = {
    skewSeconds: seconds(skewMs),
    uncertaintySeconds: seconds(uncertaintyMs),
    allowedSeconds: seconds(allowedMs),
    maximumClockSkew: maximumClockSkewText(memberFacts),
    tokenLifetimeSeconds: lifetimeMs === undefined ? null : seconds(lifetimeMs),
  };
  // JSON shows the evidence, not the args: the measured skew goes in with both readings.
  const evidence = {
    ...args,
    host: host.clock,
    member: member.clock,
    source: 'the Date headers of both API servers',
  };
  const behindMs = -skewMs;
  if (behindMs - uncertaintyMs > allowedMs)
    return { id, status: 'fail', code: 'clock-behind', args, evidence };
  if (lifetimeMs !== undefined && skewMs - uncertaintyMs > lifetimeMs)
    return { id, status: 'fail', code: 'clock-ahead-expired', args, evidence };
  // Measured beyond the allowance, but not provably so: the reading is too loose to name a cause.
  if (behindMs > allowedMs) return { id, status: 'warn', code: 'clock-skew-uncertain', args, evidence };
  if (skewMs - uncertaintyMs > memberSkewMs)
    return { id, status: 'warn', code: 'clock-ahead', args, evidence };
  return { id, status: 'pass', code: 'clock-in-sync', args, evidence };
}

/** 3.0/3.1 verify with jwt-go's Valid(), which has no leeway; unknown versions are taken as 3.2+. */
function checksIatStrictly(f: ClusterFacts): boolean {
  return f.version?.major === 3 && f.version.minor <= 1;
}

function maximumClockSkewMs(f: ClusterFacts): number {
  const d = f.config.state === 'ok' ? f.config.settings.maximumClockSkew.duration : undefined;
  const nanos = d?.ok ? d.nanos : DEFAULT_MAXIMUM_CLOCK_SKEW.nanos;
  return Number(nanos / 1_000_000n);
}

function maximumClockSkewText(f: ClusterFacts): string {
  const s = f.config.state === 'ok' ? f.config.settings.maximumClockSkew : undefined;
  return s?.valid ? s.effectiveText : DEFAULT_MAXIMUM_CLOCK_SKEW.text;
}

/** A 3.0/3.1 host issues tokens with iat and nbf its maximumClockSkew in the past (jwt.go IssueTo). */
function backdateMs(host: ClusterFacts): number {
  return checksIatStrictly(host) ? maximumClockSkewMs(host) : 0;
}

/** How long the host's tokens live (its accessTokenMaxAge); undefined when they carry no exp or it is unknown. */
function tokenLifetimeMs(host: ClusterFacts): number | undefined {
  if (host.config.state !== 'ok') return undefined;
  const d = host.config.settings.accessTokenMaxAge.duration;
  if (!d.ok || d.zero) return undefined;
  return Number(d.nanos / 1_000_000n) - backdateMs(host);
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;
