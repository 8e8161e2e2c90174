import { UsageError } from '../../errors.js';
import { MAX_MEMBERS } from './plan.js';
import type { MemberSpec } from './plan.js';
import { KS_VERSIONS, versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

/** The preset `ks-restore sandbox --scenario mixed` runs: a fleet of members that differ from one another. */
export const MIXED = 'mixed';
export const MIXED_DESCRIPTION =
  'a fleet: members cycle through KubeSphere versions and the healthy, token-cache, secret-mismatch and both scenarios; the last two are joined through a proxy (no context) and unreachable (needs --members 4 or more; default 8)';
export const MIXED_MIN_MEMBERS = 4;
export const MIXED_DEFAULT_MEMBERS = 8;
export const MIXED_SCENARIOS = ['healthy', 'token-cache', 'secret-mismatch', 'both'] as const;

/** The member releases the preset cycles through: 3.2 to 3.4, or 4.1. */
const FLEET_VERSIONS: readonly KsVersion[] = ['3.2', '3.3', '3.4', '4.1'];

/**
 * Member releases a host of this release manages. A 4.x host installs its own ks-core (ks-agent) on every
 * cluster it adds, so its members run 4.x; a 3.x host joins 3.x members, not newer than itself.
 */
export function fleetVersions(host: KsVersion): KsVersion[] {
  const major = versionInfo(host).major;
  const rank = (v: KsVersion) => KS_VERSIONS.indexOf(v);
  const same = FLEET_VERSIONS.filter((v) => versionInfo(v).major === major && rank(v) <= rank(host));
  return same.length > 0 ? same : [host];
}

/**
 * `member-1`…`member-n`: versions and scenarios cycle over the reachable members; member n-1 is joined through a
 * proxy (token-cache, out of reach) and member n is unreachable (secret-mismatch). Throws UsageError for n < 4.
 */
export function mixedFleet(n: number, hostVersion: KsVersion = '3.4'): MemberSpec[] {
  if (!Number.isInteger(n) || n < MIXED_MIN_MEMBERS || n > MAX_MEMBERS) {
    throw new UsageError(
      `the ${MIXED} preset needs between ${MIXED_MIN_MEMBERS} and ${MAX_MEMBERS} members, not ${n}`,
      `For example: --scenario ${MIXED} --members ${MIXED_DEFAULT_MEMBERS}.`,
    );
  }
  const versions = fleetVersions(hostVersion);
  return Array.from({ length: n }, (_, i): MemberSpec => {
    const base = { name: `member-${i + 1}`, ksVersion: versions[i % versions.length]! };
    if (i === n - 2) return { ...base, scenario: 'token-cache', connection: 'proxy' };
    if (i === n - 1) return { ...base, scenario: 'secret-mismatch', unreachable: true };
    return { ...base, scenario: MIXED_SCENARIOS[i % MIXED_SCENARIOS.length]! };
  });
}
