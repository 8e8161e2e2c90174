import type { Args, Cause, Finding, MemberReport, SecretFingerprint } from '../kubesphere/checks/report.js';
import { describeFinding, skewText } from './messages.js';

/** Short wording for the fleet report: a table cell, a few words of evidence. The long forms are in messages.ts. */

const s = (v: unknown): string => (v === null || v === undefined ? '?' : String(v));

/** The CAUSE cell: what keeps the console out, in words; an unreadable member says why it was not read. */
export function causeLabel(m: MemberReport): string {
  const reach = m.checks.find((c) => c.id === 'reachable');
  switch (m.cause) {
    case 'healthy':
      return '-';
    case 'unreadable':
      if (reach?.status === 'error') return unreachableLabel(reach);
      // Its own reads worked: what failed is the host's.
      return m.checks.some((c) => c.status === 'error')
        ? 'could not be read completely'
        : 'not compared: the host could not be read';
    case 'no-route':
      return reach ? unreachableLabel(reach) : 'no way to reach it from here';
    case 'not-kubesphere':
      return 'not a KubeSphere cluster';
    case 'config-invalid':
      return 'kubesphere.yaml does not load';
    case 'wrong-role':
      return 'not configured as a member';
    case 'secret-mismatch-and-token-cache':
      return 'jwtSecret differs, and token cache on';
    case 'secret-mismatch':
      return "jwtSecret differs from the host's";
    case 'token-cache':
      return 'token cache on (accessTokenMaxAge not 0)';
    case 'installer-revert':
      return 'ks-installer will revert the fix';
    case 'restart-pending':
      return 'fixed, but ks-apiserver not restarted';
    case 'clock-skew':
      return "clock differs from the host's";
    case 'host-cache':
      return 'the host loses tokens (no Redis)';
    case 'stale-errors':
      return 'settings right, recent token errors';
    case 'host-sees-not-ready':
      return 'the host sees it not ready';
  }
}

const FAILURE_WORDS: Record<string, string> = {
  unauthorized: 'credentials rejected',
  forbidden: 'access forbidden',
  timeout: 'timed out',
  'not-found': 'not found',
  server: 'the API server failed',
  'auth-plugin': 'credential plugin failed',
  other: 'read failed',
};

/** Why a member could not be reached, in a few words: the reason after the message's last colon for a network failure. */
function unreachableLabel(f: Finding): string {
  switch (f.code) {
    case 'no-route-proxy':
      return 'not reachable: proxy connection, no context';
    case 'no-route-no-context':
      return 'not reachable: no kubeconfig context';
    case 'no-route-unknown-cluster':
      return 'no such Cluster on the host';
    case 'unreachable-unreachable': {
      const message = s(f.args.message);
      return `not reachable: ${message.slice(message.lastIndexOf(': ') + 2)}`;
    }
    default:
      return `not readable: ${FAILURE_WORDS[f.code.replace(/^unreachable-/, '')] ?? 'read failed'}`;
  }
}

/** The jwtSecret in a cluster's heading: its fingerprint, "no jwtSecret" when read and empty, else unknown. */
export function secretLabel(secret: SecretFingerprint, checks: Finding[]): string {
  if (secret.present) return `jwtSecret fp ${s(secret.fingerprint)}`;
  const read = checks.find((c) => c.id === 'kubesphere-config')?.status === 'pass';
  return read ? 'no jwtSecret' : 'jwtSecret unknown';
}

/** A finding as a few words of evidence (a fleet report line lists several); else its summary. */
export function briefFinding(f: Finding): string {
  const a: Args = f.args;
  switch (f.code) {
    case 'secret-mismatch':
      return `jwtSecret fp ${s(a.memberFp)}, host's ${s(a.hostFp)}`;
    case 'member-secret-empty':
      return 'jwtSecret empty';
    case 'max-age-nonzero':
    case 'max-age-invalid':
      return `accessTokenMaxAge ${s(a.value)}`;
    case 'max-age-default':
      return `accessTokenMaxAge unset (default ${s(a.effective)})`;
    case 'max-age-zero-no-clients':
      return "oauthOptions has no clients (ks-installer 3.2): the member's own console login fails";
    case 'member-not-member':
    case 'host-not-host':
      return `clusterRole ${s(a.role ?? 'unset')}`;
    case 'durable-drift':
      return 'ks-installer would revert a fix';
    case 'log-signature-invalid':
      return `${s(a.signature)}× "signature is invalid" in ${s(a.since)}`;
    case 'log-cache-miss':
      return `${s(a.cacheMiss)}× "token not found in cache" in ${s(a.since)}`;
    case 'log-clock-skew':
      return `${s(a.clockSkew)}× "token used before issued"`;
    case 'log-config-reload-failed':
      return `${s(a.reloadErrors)}× "config reload error"`;
    case 'log-empty-secret':
      return '"JWT secret MUST not be empty"';
    case 'log-host-rejections':
      return `the host logged ${s(a.hostRejections)} rejected requests`;
    case 'restart-pending':
    case 'restart-pending-hot-reload':
      return `${s(a.stale)} of ${s(a.pods)} pods predate the configuration`;
    case 'clock-behind':
    case 'clock-ahead':
    case 'clock-ahead-expired':
    case 'clock-skew-uncertain':
      return `clock ${skewText(a)} the host's`;
    case 'host-sees-not-ready':
      return `the host sees Cluster ${s(a.cluster)} not ready`;
    case 'host-sees-cert-expiring':
      return "the host's kubeconfig for it expires within 7 days";
    case 'devops-secret-stale':
      return "ks-devops' jwtSecret copy is stale";
    case 'ks-core-no-self-heal':
      return 'KubeSphere 4.x does not re-sync the jwtSecret by itself';
    case 'ks-core-resync-pending':
      return 'the host will reinstall ks-core at its next sync';
    case 'host-max-age-zero':
      return `accessTokenMaxAge is ${s(a.value)}: the host's tokens never expire`;
    case 'host-max-age-zero-upstream':
      return `accessTokenMaxAge is ${s(a.value)}, set by KubeSphere's cluster controller (kubesphere#5596): the host's tokens never expire (not the console's problem)`;
    case 'host-cache-in-memory':
      return `${s(a.replicas)} ks-apiserver replicas without Redis: the host rejects its own tokens at random`;
    default:
      return describeFinding(f).summary;
  }
}

/** What to do about a cause that `ks-restore repair` does not fix on the member. */
export function outsideRemedy(cause: Cause | string): string {
  switch (cause) {
    case 'host-cache':
      return "Fix the host: enable Redis in its ClusterConfiguration (or run one ks-apiserver replica), so that all of the host's replicas share one token cache.";
    case 'clock-skew':
      return "Synchronise the nodes' clocks (NTP or chrony on the host's and the member's nodes), then log in again.";
    case 'host-sees-not-ready':
      return "Look at the member's Cluster object on the host (kubectl get cluster NAME -o yaml): its conditions say why the host does not use it.";
    default:
      return 'Run ks-restore diagnose -v for the evidence, then log out and in again on the host console.';
  }
}

/** Causes whose remedy is on the finding that decided them (how to reach the member, what to fix by hand). */
const REMEDY_ON_FINDING: ReadonlySet<Cause> = new Set<Cause>([
  'unreadable',
  'no-route',
  'not-kubesphere',
  'config-invalid',
  'wrong-role',
]);

/** For a member `repair` will not fix: the next step, from its first failed check or else by its cause. */
export function memberRemedy(m: MemberReport): string {
  const ownError = m.checks.some((c) => c.status === 'error');
  if (m.cause === 'unreadable' && !ownError)
    return 'Make the host readable (its error is above), then run ks-restore diagnose again.';
  if (REMEDY_ON_FINDING.has(m.cause)) {
    const first = m.checks.find((c) => c.status === 'error' || c.status === 'fail');
    const remedy = first ? describeFinding(first).remedy : undefined;
    if (remedy) return remedy.charAt(0).toUpperCase() + remedy.slice(1);
  }
  return outsideRemedy(m.cause);
}
