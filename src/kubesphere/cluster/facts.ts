import { KS_CONFIG_KEY } from './gateway.js';
import { valueAt } from '../repair/object-edit.js';
import { parseGoDuration } from '../config/duration.js';
import type { ClusterSnapshot, ObjectJson, ReadFailure } from './snapshot.js';
import { isFailure, present } from './snapshot.js';
import {
  ccMaxAgeRule,
  detectLayout,
  ksVersionFromImage,
  parseKubesphereYaml,
  readAuthSettings,
  readsEnvOverrides,
} from '../config/index.js';
import type { AuthSettings, KsVersionInfo } from '../config/index.js';

/** Per-cluster facts derived from a snapshot: the vocabulary the checks speak. Pure. */
export interface ClusterFacts {
  version: KsVersionInfo | undefined;
  /** '3.0-3.2' | '3.3-3.4' | '4.x', from the image, else from the config layout. */
  family: VersionFamily | undefined;
  layout: 'v3' | 'v4' | undefined;
  config:
    | { state: 'ok'; settings: AuthSettings; duplicateKeys: string[] }
    | { state: 'missing-configmap' }
    | { state: 'missing-key' }
    | { state: 'unparseable'; reason: string }
    | { state: 'unreadable' };
  role: { value: string | undefined; source: 'kubesphere.yaml' | 'ClusterConfiguration' | 'none' };
  clusterConfiguration:
    | {
        jwtSecret: string | undefined;
        clusterRole: string | undefined;
        /** spec.authentication.oauthOptions.accessTokenMaxAge: rendered into the file by some 3.x templates. */
        accessTokenMaxAge: { raw: string; zero: boolean } | undefined;
        /** spec.authentication.oauthOptions is set: 3.1 then renders it instead of a member's 0. */
        hasOAuthOptions: boolean;
      }
    | undefined;
  /** `kubesphere-secret`'s `secret`, decoded; undefined when absent. */
  installerSecret: string | undefined;
  /** The Secret could not be read (RBAC often denies Secrets to viewers): durability is then unknown. */
  installerSecretUnreadable: boolean;
  /** ks-installer's ClusterConfiguration could not be read (not: there is none): why, and what to check. */
  clusterConfigurationUnreadable?: { message: string; hint?: string };
  /** What to run to check the permission, when it could not be read (the kube layer's hint). */
  installerSecretHint?: string;
  deployment: { name: string; replicas: number; paused: boolean } | undefined;
  /** Why the Deployment could not be read: then `deployment` is unknown, not absent. */
  deploymentUnreadable: ReadFailure | undefined;
  /** The Deployment's live pods, or why they could not be listed (a failed list is never an empty one). */
  runningPods: PodFact[] | { failure: ReadFailure };
  /** When kubesphere-config was last written (latest managedFields time, else creation). */
  configWrittenAt: Date | undefined;
  /** `KUBESPHERE_AUTHENTICATION_*` variables on the ks-apiserver container, where the version reads them (3.2+). */
  envOverrides: string[];
}

export type VersionFamily = '3.0-3.2' | '3.3-3.4' | '4.x';

export interface PodFact {
  name: string;
  startedAt: Date | undefined;
  ready: boolean;
}

export function deriveFacts(snap: ClusterSnapshot): ClusterFacts {
  const deployment = present(snap.apiserverDeployment);
  const container = deployment ? apiserverContainerSpec(deployment) : undefined;
  const version = container?.image ? ksVersionFromImage(container.image) : undefined;
  const config = readConfig(snap);
  const layout = config.state === 'ok' ? config.settings.layout : undefined;
  const family = familyOf(version) ?? (layout === 'v4' ? '4.x' : undefined);
  const ccObj = present(snap.clusterConfiguration);
  const clusterConfiguration = ccObj ? readClusterConfiguration(ccObj) : undefined;
  return {
    version,
    family,
    layout,
    config,
    role: roleOf(config, family, clusterConfiguration),
    clusterConfiguration,
    installerSecret: secretValue(present(snap.kubesphereSecret)),
    installerSecretUnreadable: isFailure(snap.kubesphereSecret),
    ...(isFailure(snap.clusterConfiguration)
      ? {
          clusterConfigurationUnreadable: {
            message: snap.clusterConfiguration.failure.message,
            ...(snap.clusterConfiguration.failure.hint
              ? { hint: snap.clusterConfiguration.failure.hint }
              : {}),
          },
        }
      : {}),
    ...(isFailure(snap.kubesphereSecret) && snap.kubesphereSecret.failure.hint
      ? { installerSecretHint: snap.kubesphereSecret.failure.hint }
      : {}),
    deployment: deployment
      ? {
          name: deployment.metadata.name ?? '',
          replicas: numberAt(deployment, ['spec', 'replicas']) ?? 1,
          paused: Boolean(valueAt(deployment, ['spec', 'paused'])),
        }
      : undefined,
    deploymentUnreadable: isFailure(snap.apiserverDeployment) ? snap.apiserverDeployment.failure : undefined,
    runningPods: isFailure(snap.pods) ? snap.pods : (present(snap.pods) ?? []).filter(isLive).map(podFacts),
    configWrittenAt: lastWrite(present(snap.configMap)),
    // 3.0/3.1 ignore them: listing them there would blame a variable that changes nothing.
    envOverrides: readsEnvOverrides(version)
      ? (container?.env ?? []).map((e) => e.name).filter((n) => /^KUBESPHERE_AUTHENTICATION_/i.test(n))
      : [],
  };
}

function readConfig(snap: ClusterSnapshot): ClusterFacts['config'] {
  const cm = snap.configMap;
  if (cm === null) return { state: 'missing-configmap' };
  const obj = present(cm);
  if (!obj) return { state: 'unreadable' };
  const text = (obj as { data?: Record<string, string> }).data?.[KS_CONFIG_KEY];
  if (typeof text !== 'string') return { state: 'missing-key' };
  const parsed = parseKubesphereYaml(text);
  if (!parsed.ok) return { state: 'unparseable', reason: parsed.reason };
  const layout = detectLayout(parsed);
  return {
    state: 'ok',
    settings: readAuthSettings(parsed, layout),
    duplicateKeys: parsed.duplicateKeys.map((d) => d.path.join('.')),
  };
}

export function familyOf(v: KsVersionInfo | undefined): VersionFamily | undefined {
  if (!v) return undefined;
  if (v.major >= 4) return '4.x';
  if (v.major === 3) return v.minor >= 3 ? '3.3-3.4' : '3.0-3.2';
  return undefined;
}

function roleOf(
  config: ClusterFacts['config'],
  family: VersionFamily | undefined,
  cc: ClusterFacts['clusterConfiguration'],
): ClusterFacts['role'] {
  // 3.0-3.2 files carry no role for members: the ClusterConfiguration is authoritative there.
  if (family === '3.0-3.2' && cc?.clusterRole)
    return { value: cc.clusterRole, source: 'ClusterConfiguration' };
  const fromFile = config.state === 'ok' ? config.settings.clusterRole : undefined;
  if (fromFile) return { value: fromFile, source: 'kubesphere.yaml' };
  if (cc?.clusterRole) return { value: cc.clusterRole, source: 'ClusterConfiguration' };
  return { value: undefined, source: 'none' };
}

function readClusterConfiguration(cc: ObjectJson): ClusterFacts['clusterConfiguration'] {
  const jwt = valueAt(cc, ['spec', 'authentication', 'jwtSecret']);
  const role = valueAt(cc, ['spec', 'multicluster', 'clusterRole']);
  const oauth = valueAt(cc, ['spec', 'authentication', 'oauthOptions']);
  const maxAge = valueAt(cc, ['spec', 'authentication', 'oauthOptions', 'accessTokenMaxAge']);
  const parsed = maxAge === undefined || maxAge === null ? undefined : parseGoDuration(maxAge);
  return {
    jwtSecret: typeof jwt === 'string' && jwt !== '' ? jwt : undefined,
    clusterRole: typeof role === 'string' ? role : undefined,
    accessTokenMaxAge: parsed ? { raw: String(maxAge), zero: parsed.ok && parsed.zero } : undefined,
    hasOAuthOptions: oauth !== undefined && oauth !== null,
  };
}

function secretValue(secret: ObjectJson | undefined): string | undefined {
  const b64 = (secret as { data?: Record<string, string> } | undefined)?.data?.secret;
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}

interface ContainerSpec {
  name: string;
  image?: string;
  env?: Array<{ name: string }>;
}

function apiserverContainerSpec(deployment: ObjectJson): ContainerSpec | undefined {
  const containers = valueAt(deployment, ['spec', 'template', 'spec', 'containers']) as
    ContainerSpec[] | undefined;
  return containers?.find((c) => c.name === 'ks-apiserver') ?? containers?.[0];
}

interface PodStatusJson {
  metadata: { deletionTimestamp?: string };
  status?: {
    phase?: string;
    startTime?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; state?: { running?: { startedAt?: string } } }>;
  };
}

function isLive(pod: ObjectJson): boolean {
  const p = pod as unknown as PodStatusJson;
  return !p.metadata.deletionTimestamp && p.status?.phase === 'Running';
}

function podFacts(pod: ObjectJson): PodFact {
  const p = pod as unknown as PodStatusJson;
  const cs = p.status?.containerStatuses ?? [];
  const started = (cs.find((c) => c.name === 'ks-apiserver') ?? cs[0])?.state?.running?.startedAt;
  return {
    name: pod.metadata.name ?? '',
    startedAt: started ? new Date(started) : p.status?.startTime ? new Date(p.status.startTime) : undefined,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
  };
}

function lastWrite(obj: ObjectJson | undefined): Date | undefined {
  if (!obj) return undefined;
  const times = (obj.metadata.managedFields ?? [])
    .filter((m) => !m.subresource)
    .map((m) => m.time)
    .filter((t): t is string => typeof t === 'string')
    .map((t) => Date.parse(t));
  if (obj.metadata.creationTimestamp) times.push(Date.parse(obj.metadata.creationTimestamp));
  const valid = times.filter((t) => !Number.isNaN(t));
  return valid.length > 0 ? new Date(Math.max(...valid)) : undefined;
}

function numberAt(obj: unknown, path: string[]): number | undefined {
  const v = valueAt(obj, path);
  return typeof v === 'number' ? v : undefined;
}

/**
 * Whether the ClusterConfiguration's oauthOptions.accessTokenMaxAge must be zeroed for ks-installer to render a
 * zero for this member (see ccMaxAgeRule): on 3.1 whenever the CC has oauthOptions (a missing value renders
 * none, so the 2h default applies); with the version unknown, wherever 3.1 would need it (harmless elsewhere).
 */
export function ccMaxAgeNeedsZero(facts: Pick<ClusterFacts, 'version' | 'clusterConfiguration'>): boolean {
  const cc = facts.clusterConfiguration;
  if (!cc?.hasOAuthOptions || cc.accessTokenMaxAge?.zero) return false;
  const rule = ccMaxAgeRule(facts.version);
  return rule === 'decides' || rule === 'unknown';
}
