import { randomBytes } from 'node:crypto';
import { handEdit, renderStyledKubesphereYaml } from './templates.js';
import type { ConfigStyle } from './templates.js';
import { devopsCopies } from './devops.js';
import type { ClusterRole, KsVersion } from './versions.js';

/**
 * The faults the sandbox can simulate, as data: for each cluster, the ClusterConfiguration and
 * kubesphere-secret ks-installer reads (3.x), the kubesphere.yaml that is live, and who wrote it when.
 */
export interface CcState {
  jwtSecret: string;
  clusterRole: ClusterRole;
  redis: boolean;
  oauthOptions?: Record<string, string>;
}

export interface ClusterState {
  /** 3.x only. */
  cc?: CcState;
  /** 3.x only: kubesphere-secret's `secret` key. */
  kubesphereSecret?: string;
  /** The live kubesphere.yaml. */
  configText: string;
  /** What the installer (ks-installer's apply, or Helm) last wrote, before any later rewrite or hand edit. */
  installedConfigText: string;
  /** managedFields manager of the last write: ks-installer's apply, helm, a hand edit, the host's controller. */
  configManager: 'kubectl-client-side-apply' | 'helm' | 'kubectl-edit' | 'controller-manager';
  configWrittenAgoMs: number;
  replicas: number;
  podsStartedAgoMs: number;
  /** 3.2+ with DevOps installed: the jwtSecret ks-devops copied into devops-config when it was installed. */
  devops?: { jwtSecret: string };
  /** Its nodes' clock against the real one, in ms (negative: behind); the API server's Date header shows it. */
  clockOffsetMs?: number;
}

export interface ScenarioContext {
  version: KsVersion;
  name: string;
  hostSecret: string;
  /** The secret this member generated at its own install. */
  ownSecret: string;
  hostName: string;
  style?: ConfigStyle;
}

export interface Scenario {
  name: string;
  description: string;
  /** Why the scenario cannot run on this version, if it cannot. */
  unsupported?(v: KsVersion): string | undefined;
  member(ctx: ScenarioContext): ClusterState;
  host?(ctx: ScenarioContext): ClusterState;
}

const DAY = 86_400_000;
const MIN = 60_000;

/** ks-installer's init-token: 128 random bytes, base64, `=+/` removed, first 32 characters. */
export function randomJwtSecret(): string {
  return randomBytes(128).toString('base64').replace(/[=+/]/g, '').slice(0, 32);
}

/** A member as its installer (and, on 3.3+, the host's cluster controller) left it. */
function installed(ctx: ScenarioContext, cc: CcState, secret: string): ClusterState {
  const v = ctx.version;
  if (v === '4.1') {
    const configText = renderStyledKubesphereYaml({
      version: v,
      role: 'member',
      jwtSecret: secret,
      style: 'template',
      hostClusterName: ctx.hostName,
    });
    return {
      configText,
      installedConfigText: configText,
      configManager: 'helm',
      configWrittenAgoMs: 4 * DAY,
      replicas: 1,
      podsStartedAgoMs: 3 * DAY,
    };
  }
  const style = ctx.style ?? (v === '3.3' || v === '3.4' ? 'go-remarshal' : 'template');
  const render = {
    version: v,
    role: cc.clusterRole,
    jwtSecret: secret,
    redis: cc.redis,
    ...(cc.oauthOptions ? { ccOAuthOptions: cc.oauthOptions } : {}),
    clusterName: ctx.name,
  };
  const installedConfigText = renderStyledKubesphereYaml({ ...render, style: 'template' });
  const configText =
    style === 'go-remarshal' ? renderStyledKubesphereYaml({ ...render, style }) : installedConfigText;
  const configManager = style === 'go-remarshal' ? 'controller-manager' : 'kubectl-client-side-apply';
  return {
    cc,
    kubesphereSecret: secret,
    configText,
    installedConfigText,
    configManager,
    configWrittenAgoMs: 4 * DAY,
    replicas: 1,
    podsStartedAgoMs: 3 * DAY,
  };
}

/** On 3.3+ a role-less member keeps a non-zero maxAge only when set explicitly: the host's rewrite turns an absent one into 0s. */
const explicitMaxAge = (v: KsVersion): Record<string, string> | undefined =>
  v === '3.3' || v === '3.4' ? { accessTokenMaxAge: '2h' } : undefined;

function noRole(ctx: ScenarioContext, jwtSecret: string): CcState {
  const oauth = explicitMaxAge(ctx.version);
  return { jwtSecret, clusterRole: 'none', redis: false, ...(oauth ? { oauthOptions: oauth } : {}) };
}

/** 4.x has no installer: the drift is a hand edit of the Helm-rendered file. */
function edited4x(state: ClusterState, maxAge: string): ClusterState {
  return {
    ...state,
    configText: handEdit(state.configText, { version: '4.1', accessTokenMaxAge: maxAge }),
    configManager: 'kubectl-edit',
    configWrittenAgoMs: 5 * DAY,
  };
}

const healthy = (ctx: ScenarioContext): ClusterState =>
  installed(ctx, { jwtSecret: ctx.hostSecret, clusterRole: 'member', redis: false }, ctx.hostSecret);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'healthy',
    description: "members share the host's jwtSecret and have accessTokenMaxAge 0: the console opens them",
    member: healthy,
  },
  {
    name: 'token-cache',
    description:
      'same jwtSecret, member accessTokenMaxAge ≠ 0: members log "token not found in cache" (the FAQ case)',
    member: (ctx) =>
      ctx.version === '4.1'
        ? edited4x(healthy(ctx), '2h')
        : installed(ctx, noRole(ctx, ctx.hostSecret), ctx.hostSecret),
  },
  {
    name: 'secret-mismatch',
    description: 'members have their own jwtSecret (accessTokenMaxAge 0): they log "signature is invalid"',
    member: (ctx) => installed(ctx, { jwtSecret: '', clusterRole: 'member', redis: false }, ctx.ownSecret),
  },
  {
    name: 'both',
    description: 'members have their own jwtSecret and accessTokenMaxAge ≠ 0',
    member: (ctx) =>
      ctx.version === '4.1'
        ? edited4x(
            installed(ctx, { jwtSecret: '', clusterRole: 'member', redis: false }, ctx.ownSecret),
            '2h',
          )
        : installed(ctx, noRole(ctx, ''), ctx.ownSecret),
  },
  {
    name: 'installer-revert',
    description:
      'members fixed by hand in kubesphere-config only; their ClusterConfiguration still says otherwise, so the next ks-installer run reverts the fix (3.x)',
    unsupported: (v) =>
      v === '4.1' ? 'KubeSphere 4.x has no ks-installer or ClusterConfiguration' : undefined,
    member: (ctx) => {
      const before = installed(ctx, noRole(ctx, ''), ctx.ownSecret);
      const configText = handEdit(before.configText, {
        version: ctx.version,
        jwtSecret: ctx.hostSecret,
        accessTokenMaxAge: '0',
        comment: 'same as host cluster (FAQ)',
      });
      return {
        ...before,
        configText,
        configManager: 'kubectl-edit',
        configWrittenAgoMs: 25 * MIN,
        podsStartedAgoMs: 20 * MIN,
      };
    },
  },
  {
    name: 'clock-skew',
    description:
      'members are configured right but their node clocks run 45 s behind the host\'s: they reject new tokens as "used before issued"',
    member: (ctx) => ({ ...healthy(ctx), clockOffsetMs: -45_000 }),
  },
  {
    name: 'devops-stale',
    description:
      "members fixed through the ClusterConfiguration, but ks-devops kept the jwtSecret it copied at install: DevOps rejects the host's tokens (3.2+)",
    unsupported: (v) =>
      devopsCopies(v) ? undefined : 'only ks-installer 3.2+ copies the jwtSecret into ks-devops',
    member: (ctx) => ({ ...healthy(ctx), devops: { jwtSecret: ctx.ownSecret } }),
  },
  {
    name: 'host-replicas-no-redis',
    description:
      'members are fine; the host runs 3 ks-apiserver replicas without Redis and logs "token not found in cache" itself',
    unsupported: (v) => (v === '3.0' ? 'KubeSphere 3.0 cannot run ks-apiserver without Redis' : undefined),
    member: healthy,
    // An explicit accessTokenMaxAge in the host's CC: without one, the 3.3/3.4 controller's re-encoding makes
    // it 0s, and a host with 0 never looks tokens up in its cache (the failure cannot happen there).
    host: (ctx) => ({ ...hostState(ctx, { accessTokenMaxAge: '2h' }), replicas: 3 }),
  },
];

/** The host as installed: its own role, its secret, one replica, no Redis (single control-plane node). */
export function hostState(ctx: ScenarioContext, oauthOptions?: Record<string, string>): ClusterState {
  const v = ctx.version;
  if (v === '4.1') {
    const configText = renderStyledKubesphereYaml({
      version: v,
      role: 'host',
      jwtSecret: ctx.hostSecret,
      style: 'template',
      hostClusterName: ctx.hostName,
    });
    return {
      configText,
      installedConfigText: configText,
      configManager: 'helm',
      configWrittenAgoMs: 30 * DAY,
      replicas: 1,
      podsStartedAgoMs: 3 * DAY,
    };
  }
  const cc: CcState = {
    jwtSecret: '',
    clusterRole: 'host',
    redis: false,
    ...(oauthOptions ? { oauthOptions } : {}),
  };
  const render = {
    version: v,
    role: 'host' as const,
    jwtSecret: ctx.hostSecret,
    redis: false,
    ...(oauthOptions ? { ccOAuthOptions: oauthOptions } : {}),
  };
  const installedConfigText = renderStyledKubesphereYaml({ ...render, style: 'template' });
  // 3.3/3.4: the host's cluster controller has since re-encoded its own file too, to set clusterName
  // (cluster_controller.go setClusterNameInConfigMap): an oauthOptions with only clients gets accessTokenMaxAge 0s.
  const remarshaled = v === '3.3' || v === '3.4';
  const configText = remarshaled
    ? renderStyledKubesphereYaml({ ...render, style: 'go-remarshal', clusterName: ctx.hostName })
    : installedConfigText;
  return {
    cc,
    kubesphereSecret: ctx.hostSecret,
    configText,
    installedConfigText,
    configManager: remarshaled ? 'controller-manager' : 'kubectl-client-side-apply',
    configWrittenAgoMs: 4 * DAY,
    replicas: 1,
    podsStartedAgoMs: 3 * DAY,
  };
}

export const DEFAULT_SCENARIO = 'token-cache';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export const scenarioNames = (): string[] => SCENARIOS.map((s) => s.name);
