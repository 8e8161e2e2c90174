import type { Args, Cause, Finding } from '../kubesphere/checks/report.js';

/** All wording of findings lives here: a switch on the finding's code (publint's formatMessage). */
export interface Wording {
  summary: string;
  remedy?: string;
}

const s = (v: unknown): string => (v === null || v === undefined ? '?' : String(v));
const plural = (n: unknown, one: string, many = `${one}s`): string =>
  `${s(n)} ${Number(n) === 1 ? one : many}`;

export function describeFinding(f: Finding): Wording {
  const a: Args = f.args;
  switch (f.code) {
    case 'reachable':
      return { summary: `API server answers (Kubernetes ${s(a.kubernetesVersion)})` };
    case 'skipped':
      return { summary: skipReason(a.reason) };
    case 'config-ok':
      return {
        summary: `kubesphere-config found: KubeSphere ${s(a.version ?? 'version unknown')}, ${layoutName(a.layout)}`,
      };
    case 'config-ok-duplicates':
      return {
        summary: `kubesphere-config found: KubeSphere ${s(a.version ?? 'version unknown')}, ${layoutName(a.layout)}; duplicate keys (the last one wins): ${s(a.duplicates)}`,
      };
    case 'config-missing':
      return {
        summary:
          'ConfigMap kubesphere-system/kubesphere-config does not exist: this is not a KubeSphere cluster',
        remedy: 'Check that the context points at the cluster you mean (kubectl config get-contexts).',
      };
    case 'config-key-missing':
      return {
        summary: 'kubesphere-config has no kubesphere.yaml key',
        remedy: 'Check that KubeSphere is installed completely on this cluster.',
      };
    case 'config-unparseable':
      return {
        summary: `kubesphere.yaml does not parse: ${s(a.reason)}`,
        remedy:
          'Fix the YAML by hand (kubectl -n kubesphere-system edit cm kubesphere-config); repair will not edit it.',
      };
    case 'config-unreadable':
      return {
        summary: `cannot read kubesphere-config: ${s(a.message)}`,
        ...(a.hint ? { remedy: s(a.hint) } : {}),
      };
    case 'role-ok':
      return { summary: `cluster role is ${s(a.role)} (${s(a.source)})` };
    case 'role-unknown':
      return {
        summary: `cluster role not stated in kubesphere.yaml or the ClusterConfiguration (expected ${s(a.expected)})`,
      };
    case 'member-not-member':
      return {
        summary: `cluster role is ${s(a.role)} (${s(a.source)}), not member`,
        remedy:
          a.role === 'host'
            ? 'This context points at a host cluster. Check --member; repair refuses to change a host.'
            : 'ks-restore repair sets multicluster.clusterRole: member (in kubesphere.yaml, and on 3.x in the ClusterConfiguration).',
      };
    case 'host-not-host':
      return {
        summary: `cluster role is ${s(a.role ?? 'unset')} (${s(a.source)}), not host`,
        remedy: 'Check that --host names the host cluster.',
      };
    case 'secret-match':
      return { summary: `same jwtSecret as the host (fp ${s(a.memberFp)}, ${s(a.memberLength)} chars)` };
    case 'secret-env-override':
      return {
        summary: `same jwtSecret in kubesphere.yaml, but ${s(a.env)} is set on the ks-apiserver container and may override it`,
        remedy: 'Check that environment variable on the Deployment; it may hold a different secret.',
      };
    case 'secret-mismatch':
      return {
        summary: `jwtSecret differs from the host's (member fp ${s(a.memberFp)}, ${s(a.memberLength)} chars; host fp ${s(a.hostFp)}, ${s(a.hostLength)} chars)`,
        remedy: "ks-restore repair copies the host's jwtSecret to the member (never the other way round).",
      };
    case 'member-secret-empty':
      return {
        summary: a.emptyCrashes
          ? 'the member has no jwtSecret: ks-apiserver refuses to start ("JWT secret MUST not be empty")'
          : 'the member has no jwtSecret: KubeSphere 3.0 starts all the same (it never validates it) and rejects every token the host signs',
        remedy: "ks-restore repair sets it to the host's jwtSecret.",
      };
    case 'host-secret-unknown':
      return { summary: "the host's jwtSecret is unknown: nothing to compare with" };
    case 'durable-ok':
      return {
        summary:
          'the ClusterConfiguration and kubesphere-secret agree: ks-installer keeps this configuration',
      };
    case 'durable-not-applicable':
      return { summary: 'KubeSphere 4.x: no ks-installer re-renders the configuration' };
    case 'ks-core-no-self-heal':
      return {
        summary: `KubeSphere 4.x does not re-sync the jwtSecret by itself: the host injects its own only when it (re)installs ks-core on the member, ${
          a.resync === 'none'
            ? `and Cluster ${s(a.cluster)} gives it no reason to (KSCoreReady True, kubesphere.io/config-hash matches spec.config)`
            : "and the host's Cluster object for this member was not read, so whether a reinstall is due is unknown"
        }`,
        remedy: `ks-restore repair edits only kubesphere-config and restarts ks-agent. The upstream re-sync makes the host reinstall ks-core: on the host, kubectl annotate clusters.cluster.kubesphere.io ${s(a.cluster ?? 'CLUSTER')} kubesphere.io/config-hash- (or change the Cluster's spec.config). That is a Helm upgrade of ks-core on the member with the Cluster's spec.config as values: ks-agent restarts and every session is dropped.`,
      };
    case 'ks-core-resync-pending':
      return {
        summary: `the host will reinstall ks-core on Cluster ${s(a.cluster)} at its next sync (${
          a.trigger === 'ks-core-not-ready'
            ? 'KSCoreReady is not True'
            : 'spec.config no longer matches kubesphere.io/config-hash'
        }) and inject its jwtSecret: a Helm upgrade of ks-core on the member, which restarts ks-agent`,
        remedy:
          "Wait for the host's cluster controller (if KSCoreReady stays False, read the host's ks-controller-manager log), or run ks-restore repair, which edits only kubesphere-config and restarts ks-agent.",
      };
    case 'durable-no-cc':
      return {
        summary:
          'no ClusterConfiguration ks-installer found on a 3.x cluster; cannot tell whether ks-installer keeps the configuration',
      };
    case 'durable-cc-unreadable':
      return {
        summary: `cannot read ks-installer's ClusterConfiguration: ${s(a.message)}`,
        ...(a.hint ? { remedy: s(a.hint) } : {}),
      };
    case 'durable-secret-unreadable':
      return {
        summary:
          'kubesphere-secret could not be read, so whether ks-installer keeps this jwtSecret is unknown',
        remedy: a.hint
          ? s(a.hint)
          : 'Run with a context that may get secrets in kubesphere-system (repair needs it anyway).',
      };
    case 'durable-drift':
      return durableDrift(a);
    case 'devops-secret-match':
      return {
        summary: `ks-devops' copy of the jwtSecret (kubesphere-devops-system/devops-config) is the ${s(a.against)}'s (fp ${s(a.copyFp)})`,
      };
    case 'devops-secret-stale':
      return {
        summary: `ks-devops keeps its own copy of the jwtSecret in kubesphere-devops-system/devops-config (fp ${s(a.copyFp)}), not the ${s(a.against)}'s (fp ${s(a.wantFp)})${a.matchesKubesphereSecret ? '; it is what kubesphere-secret holds' : ''}: ks-devops cannot verify the host's tokens, so this member's DevOps pages fail`,
        remedy: devopsRemedy(a),
      };
    case 'devops-copy-unreadable':
      return {
        summary: `DevOps is enabled, but kubesphere-devops-system/devops-config (ks-devops' copy of the jwtSecret) could not be read, so whether it is stale is unknown: ${s(a.message)}`,
        remedy: s(
          a.hint ??
            'Run with a context that may get configmaps in kubesphere-devops-system, or compare its jwtSecret by hand.',
        ),
      };
    case 'devops-copy-unknown':
      return {
        summary:
          'DevOps is enabled, but kubesphere-devops-system/devops-config has no readable authentication.jwtSecret, so whether it is stale is unknown',
      };
    case 'devops-copy-missing':
      return {
        summary: `DevOps is enabled in the ClusterConfiguration, but kubesphere-devops-system/devops-config does not exist (status.devops: ${s(a.devopsStatus ?? 'unset')})`,
      };
    case 'devops-nothing-to-compare':
      return {
        summary:
          "ks-devops' copy of the jwtSecret was read, but neither the host's nor the member's is known",
      };
    case 'max-age-zero':
      return {
        summary: `accessTokenMaxAge is ${s(a.value)} (${s(a.path)}): the member does not look tokens up in its cache`,
      };
    case 'max-age-zero-no-clients':
      return {
        summary: `accessTokenMaxAge is ${s(a.value)}, but oauthOptions lists no clients, as ks-installer 3.2 renders members (ks-installer#1932): logging in on this member's own console fails; the host's console is not affected`,
        remedy:
          "Open the member through the host's console. A hand-added clients list lasts only until ks-installer runs again (3.2 ignores the ClusterConfiguration's oauthOptions for members).",
      };
    case 'max-age-nonzero':
      return {
        summary: `accessTokenMaxAge is ${s(a.value)} (${s(a.path)}): the member looks the host's tokens up in its own cache and rejects them`,
        remedy: 'ks-restore repair sets it to 0s on the member.',
      };
    case 'max-age-default':
      return {
        summary: `accessTokenMaxAge is not set (${s(a.path)}), so the default ${s(a.effective)} applies: the member looks the host's tokens up in its own cache`,
        remedy: 'ks-restore repair sets it to 0s on the member.',
      };
    case 'max-age-invalid':
      return {
        summary: `accessTokenMaxAge is ${s(a.value)} (${s(a.path)}), which is not a zero duration (a bare number means nanoseconds)`,
        remedy: 'ks-restore repair sets it to 0s on the member.',
      };
    case 'host-max-age-zero':
      return {
        summary: `the host's accessTokenMaxAge is ${s(a.value)}: its tokens never expire and logout revokes nothing`,
        remedy: `Set ${s(a.path)} on the host back to a duration such as 2h; only members need 0.`,
      };
    case 'host-max-age-zero-upstream':
      return {
        summary: `the host's accessTokenMaxAge is ${s(a.value)}, written by KubeSphere's own cluster controller (it re-encodes kubesphere.yaml to set multicluster.clusterName, and an oauthOptions without accessTokenMaxAge comes out as 0s; kubesphere#5596): not the cause of the console problem, but the host's tokens never expire`,
        remedy:
          "To keep an expiry, set spec.authentication.oauthOptions.accessTokenMaxAge (for example 2h) in the host's ClusterConfiguration: ks-installer renders it and the controller keeps it. ks-restore never changes the host.",
      };
    case 'host-cache-ok':
      return {
        summary: `host token cache: ${cacheName(a.cache)}, ${plural(a.replicas, 'ks-apiserver replica')}`,
      };
    case 'host-cache-unused':
      return {
        summary: `host token cache: ${cacheName(a.cache)}, ${plural(a.replicas, 'ks-apiserver replica')}, but the host's accessTokenMaxAge is 0, so it never looks tokens up there`,
      };
    case 'host-cache-in-memory':
      return {
        summary: `the host runs ${plural(a.replicas, 'ks-apiserver replica')} without Redis: each keeps its own token cache, so the host itself rejects tokens at random`,
        remedy:
          'Enable Redis on the host (or run one ks-apiserver replica); repairing a member cannot fix this.',
      };
    case 'no-pods':
      return { summary: 'no ks-apiserver pods to read logs from' };
    case 'logs-unreadable':
      return {
        summary: `cannot read ks-apiserver logs${a.unreadable ? ` of ${s(a.unreadable)} of ${plural(a.containers, 'container')}` : ''}: ${s(a.message)}`,
        ...(a.hint ? { remedy: s(a.hint) } : {}),
      };
    case 'log-clean':
      return {
        summary: `no token errors in ${plural(a.lines, 'log line')} from ${plural(a.containers, 'container')} (last ${s(a.since)})`,
      };
    case 'log-signature-invalid':
      return {
        summary: `${plural(a.signature, 'request')} rejected with "signature is invalid"${a.cacheMiss ? ` and ${s(a.cacheMiss)} with "token not found in cache"` : ''} in the last ${s(a.since)}${lastSeen(a.last)}: the jwtSecrets differ`,
        remedy: "ks-restore repair copies the host's jwtSecret to the member.",
      };
    case 'log-cache-miss':
      return {
        summary: `${plural(a.cacheMiss, 'request')} rejected with "token not found in cache" in the last ${s(a.since)}${lastSeen(a.last)}: accessTokenMaxAge is not 0 where the pods loaded it`,
        remedy: 'ks-restore repair sets accessTokenMaxAge to 0s and restarts ks-apiserver.',
      };
    case 'log-clock-skew':
      return {
        summary: `${plural(a.clockSkew, 'request')} rejected as issued in the future ("token used before issued", on 3.0/3.1 "token is not valid yet"): the clocks of host and member nodes disagree`,
        remedy: 'Synchronise the node clocks (NTP/chrony); repair does not change this.',
      };
    case 'clock-in-sync':
      return {
        summary: `clock ${skewText(a)} the host's (measured from the API servers' Date headers), within the ${s(a.allowedSeconds)} s tokens allow`,
      };
    case 'clock-behind':
    case 'clock-skew-uncertain':
      return {
        summary: `clock ${skewText(a)} the host's (measured from the API servers' Date headers), more than the ${s(a.allowedSeconds)} s allowed (maximumClockSkew ${s(a.maximumClockSkew)}): ${f.code === 'clock-behind' ? 'it rejects every new token from the host as "used before issued"' : 'too loose a measurement to be sure; run diagnose again'}`,
        remedy: CLOCK_REMEDY,
      };
    case 'clock-ahead':
      return {
        summary: `clock ${skewText(a)} the host's (measured from the API servers' Date headers): the host's tokens expire early here`,
        remedy: CLOCK_REMEDY,
      };
    case 'clock-ahead-expired':
      return {
        summary: `clock ${skewText(a)} the host's (measured from the API servers' Date headers), more than the tokens' ${s(a.tokenLifetimeSeconds)} s lifetime: every token from the host arrives expired`,
        remedy: CLOCK_REMEDY,
      };
    case 'log-host-rejections':
      return {
        summary: `the member's own log shows no token errors, but the host logged ${plural(a.hostRejections, 'request')} to ${s(a.address)} that it rejected ("Request unauthorized"; the host answers 511)`,
        remedy:
          "Read the member's ks-apiserver log around those times (kubectl -n kubesphere-system logs deploy/ks-agent -c ks-apiserver); run ks-restore diagnose again with a longer --since.",
      };
    case 'log-config-reload-failed':
      return {
        summary: `ks-apiserver could not reload kubesphere.yaml ("config reload error" ×${s(a.reloadErrors)}): it still runs with the configuration it had before the file changed`,
        remedy:
          'Fix what the error names in kubesphere-config (kubectl -n kubesphere-system logs deploy/ks-apiserver shows it), then run ks-restore diagnose again.',
      };
    case 'log-empty-secret':
      return {
        summary: 'ks-apiserver crashed with "JWT secret MUST not be empty"',
        remedy: "ks-restore repair sets the member's jwtSecret to the host's.",
      };
    case 'no-deployment':
      return { summary: 'no ks-apiserver (or ks-agent) Deployment in kubesphere-system' };
    case 'deployment-unreadable':
      return {
        summary: `cannot read the ks-apiserver (or ks-agent) Deployment: ${s(a.message)}`,
        ...(a.hint ? { remedy: s(a.hint) } : {}),
      };
    case 'pods-unreadable':
      return {
        summary: `cannot list the pods of ${s(a.deployment)}: ${s(a.message)}`,
        ...(a.hint ? { remedy: s(a.hint) } : {}),
      };
    case 'no-running-pods':
      return {
        summary: `Deployment ${s(a.deployment)} has no running pods`,
        remedy: `Check kubectl -n kubesphere-system get pods and the Deployment's events.`,
      };
    case 'restart-not-needed':
      return {
        summary: `all ${plural(a.pods, 'pod')} of ${s(a.deployment)} started after the last change of kubesphere-config`,
      };
    case 'restart-pending':
      return {
        summary: `${s(a.stale)} of ${plural(a.pods, 'pod')} of ${s(a.deployment)} started before kubesphere-config changed (${s(a.configWrittenAt)}): the fix is not loaded`,
        remedy: `ks-restore repair restarts ${s(a.deployment)} (or kubectl -n kubesphere-system rollout restart deploy ${s(a.deployment)}).`,
      };
    case 'restart-pending-hot-reload':
      return {
        summary: `${s(a.stale)} of ${plural(a.pods, 'pod')} of ${s(a.deployment)} started before kubesphere-config changed (${s(a.configWrittenAt)}); 3.3/3.4 reload the file after the kubelet syncs it, a restart makes sure`,
        remedy: `To load it now: kubectl -n kubesphere-system rollout restart deploy/${s(a.deployment)}`,
      };
    case 'no-route-no-context':
      return {
        summary: `no kubeconfig context reaches Cluster ${s(a.cluster)} (none has its API server URL or its name)`,
        remedy: `Add a context for it (--member ${s(a.cluster)}=CONTEXT), or pass --use-host-credentials to use the kubeconfig the host stores for it.`,
      };
    case 'no-route-proxy':
      return {
        summary: `Cluster ${s(a.cluster)} is joined through a proxy (tower) connection: its stored address only works inside the host's network`,
        remedy: `Add a kubeconfig context for the member itself (--member ${s(a.cluster)}=CONTEXT), or run ks-restore inside the host's network.`,
      };
    case 'no-route-unknown-cluster':
      return {
        summary: `the host has no Cluster named ${s(a.cluster)}`,
        remedy: 'Check the name with: kubectl get clusters.cluster.kubesphere.io (on the host).',
      };
    case 'not-joined':
      return { summary: 'no Cluster object on the host matches this member' };
    case 'host-sees-ready':
      return {
        summary: `the host sees Cluster ${s(a.cluster)} as ready (${s(a.connection)}, KubeSphere ${s(a.version)})`,
      };
    case 'host-sees-cert-expiring':
      return {
        summary: `the kubeconfig the host uses for Cluster ${s(a.cluster)} expires within seven days`,
        remedy: "Renew the member's certificate and update its kubeconfig on the host.",
      };
    case 'host-sees-not-ready':
      return {
        summary: `the host sees Cluster ${s(a.cluster)} as not ready (${s(a.conditions)})${a.message ? `: ${s(a.message)}` : ''}`,
        remedy:
          'Check the connection from the host to the member (kubectl get clusters on the host; the agent for proxy connections).',
      };
    default:
      if (f.code.startsWith('unreachable-')) {
        return { summary: s(a.message), ...(a.hint ? { remedy: s(a.hint) } : {}) };
      }
      return { summary: f.code };
  }
}

function durableDrift(a: Args): Wording {
  const problems = s(a.problems).split(',');
  const parts: string[] = [];
  if (problems.includes('cc-secret')) parts.push("the ClusterConfiguration's jwtSecret is not the host's");
  if (problems.includes('kubesphere-secret'))
    parts.push("kubesphere-secret does not hold the host's jwtSecret");
  if (problems.includes('kubesphere-secret-stale'))
    parts.push('kubesphere-secret is stale (the installer rewrites it from the ClusterConfiguration)');
  if (problems.includes('cc-role'))
    parts.push(
      `the ClusterConfiguration says clusterRole ${s(a.ccRole ?? 'unset')}, so ks-installer renders a non-zero accessTokenMaxAge`,
    );
  if (problems.includes('cc-max-age')) {
    parts.push(
      `the ClusterConfiguration sets authentication.oauthOptions.accessTokenMaxAge: ${s(a.ccMaxAge)}, which ks-installer renders into the file`,
    );
  }
  return {
    summary: `ks-installer will revert kubesphere-config at its next run: ${parts.join('; ')}`,
    remedy: 'ks-restore repair updates the ClusterConfiguration and kubesphere-secret too.',
  };
}

/** ks-installer refreshes ks-devops' copy only when roles/ks-devops runs (status.devops.status not "enabled"). */
function devopsRemedy(a: Args): string {
  const first = a.matchesKubesphereSecret
    ? "First make the member's jwtSecret the host's (ks-restore repair also rewrites kubesphere-secret, which still holds this old value). "
    : '';
  const rerun = a.installerRefreshes
    ? 'The ClusterConfiguration says DevOps is not installed yet, so the next ks-installer run refreshes the copy: '
    : 'No ks-installer run refreshes the copy, not even the one a repair starts through the ClusterConfiguration: ks-installer skips its ks-devops role while the ClusterConfiguration\'s status.devops.status is "enabled". To make it run: kubectl -n kubesphere-system patch cc ks-installer --type=json -p \'[{"op":"remove","path":"/status/devops"}]\', then ';
  return `${first}${rerun}kubectl -n kubesphere-system rollout restart deploy ks-installer (the role Helm-upgrades release devops with kubesphere-secret's value), then kubectl -n kubesphere-devops-system rollout restart deploy devops-apiserver devops-controller (the chart has no config checksum, so they keep the old file until restarted).`;
}

function cacheName(type: unknown): string {
  return type === 'redis'
    ? 'Redis'
    : type === 'none'
      ? 'in-memory (no cache configured)'
      : type === 'in-memory'
        ? 'in-memory'
        : s(type);
}

const CLOCK_REMEDY =
  "Synchronise the nodes' clocks with NTP (chronyd or systemd-timesyncd) on host and member; repair does not change this.";

/** "45.2 s (± 0.6 s) behind" from a clock-skew finding's args. */
export function skewText(a: Args): string {
  const skew = Number(a.skewSeconds);
  const way = skew < 0 ? 'behind' : 'ahead of';
  return `${Number.isFinite(skew) ? Math.abs(skew) : '?'} s (± ${s(a.uncertaintySeconds)} s) ${way}`;
}

function lastSeen(last: unknown): string {
  if (typeof last !== 'string') return '';
  return ` (last at ${last.replace(/\.\d+Z$/, 'Z')})`;
}

function layoutName(layout: unknown): string {
  return layout === 'v4' ? 'layout 4.x (authentication.issuer)' : 'layout 3.x (authentication.oauthOptions)';
}

function skipReason(reason: unknown): string {
  switch (reason) {
    case 'unreachable':
      return 'skipped: the cluster could not be read';
    case 'config':
      return 'skipped: kubesphere-config could not be used';
    case 'host':
      return "skipped: the host's configuration could not be read";
    case 'no-write-time':
      return 'skipped: the time kubesphere-config last changed is not recorded (no managedFields), so whether the pods predate it is unknown';
    default:
      return 'skipped';
  }
}

/** One sentence naming why the member fails, for the verdict line. */
export function describeCause(cause: Cause, context: string): string {
  switch (cause) {
    case 'healthy':
      return `${context} accepts the host's tokens.`;
    case 'unreadable':
      return `${context} could not be fully read; see the errors above.`;
    case 'not-kubesphere':
      return `${context} does not look like a KubeSphere cluster.`;
    case 'config-invalid':
      return `${context}'s kubesphere.yaml does not load in ks-apiserver; fix the file (see above).`;
    case 'wrong-role':
      return `${context} is not configured as a member cluster.`;
    case 'secret-mismatch-and-token-cache':
      return `${context} verifies tokens with a different jwtSecret than the host signs them with, and also looks them up in its own token cache.`;
    case 'secret-mismatch':
      return `${context} verifies tokens with a different jwtSecret than the host signs them with ("signature is invalid").`;
    case 'token-cache':
      return `${context} looks the host's tokens up in its own cache because accessTokenMaxAge is not 0 ("token not found in cache").`;
    case 'installer-revert':
      return `${context} works now, but ks-installer will revert the fix at its next run.`;
    case 'restart-pending':
      return `${context}'s configuration is fixed but ks-apiserver has not reloaded it.`;
    case 'clock-skew':
      return `${context}'s clock and the host's disagree by more than ks-apiserver tolerates: it rejects the host's tokens.`;
    case 'host-cache':
      return `${context}'s own settings are right, but the host loses its tokens between its ks-apiserver replicas (no Redis): the console bounces at random until the host is fixed.`;
    case 'stale-errors':
      return `${context}'s configuration is right but its ks-apiserver still rejected tokens recently.`;
    case 'no-route':
      return `${context} could not be reached from here; see how to reach it above.`;
    case 'host-sees-not-ready':
      return `${context} accepts the host's tokens, but the host sees the cluster as not ready.`;
  }
}
