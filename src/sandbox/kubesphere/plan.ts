import { UsageError } from '../../errors.js';
import { DEFAULT_SCENARIO, findScenario, hostState, randomJwtSecret, scenarioNames } from './scenarios.js';
import type { ClusterState } from './scenarios.js';
import type { ConfigStyle } from './templates.js';
import { devopsCopies } from './devops.js';
import { isKsVersion, KS_VERSIONS } from './versions.js';
import type { KsVersion } from './versions.js';

/** A member cluster of the fleet; anything left out comes from the sandbox-wide options. */
export interface MemberSpec {
  name?: string;
  ksVersion?: KsVersion;
  scenario?: string;
  /** How its kubesphere.yaml looks: default 'go-remarshal' on 3.3/3.4 (the host rewrote it), else 'template'. */
  configStyle?: ConfigStyle;
  /**
   * How the host reaches it. 'direct' (default): the Cluster holds the member's own kubeconfig. 'proxy': joined
   * through tower, the Cluster holds an in-cluster service address, and the written kubeconfig has no context
   * for it (its API server still runs).
   */
  connection?: 'direct' | 'proxy';
  /** Joined and in the kubeconfig, but its API server is not listening: connecting is refused. */
  unreachable?: boolean;
  /** A direct member the written kubeconfig has no context for (only --use-host-credentials reaches it). */
  noContext?: boolean;
  /** 3.2+: DevOps installed, its copy of the jwtSecret taken from kubesphere-secret at install time. */
  devops?: boolean;
  /** Its nodes' clock against the real one, in ms (negative: behind); overrides the scenario's. */
  clockOffsetMs?: number;
}

export interface PlannedCluster {
  name: string;
  role: 'host' | 'member';
  version: KsVersion;
  scenario: string;
  state: ClusterState;
  connection: 'direct' | 'proxy';
  unreachable: boolean;
  /** Whether the written kubeconfig has contexts (`<name>`, `<name>-readonly`) for it. */
  inKubeconfig: boolean;
  /** Its clock against the real one, in ms (negative: behind). */
  clockOffsetMs: number;
}

export const MAX_MEMBERS = 100;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws UsageError when the scenario is unknown or cannot run on this version. */
export function checkScenario(name: string, v: KsVersion, who = 'host'): void {
  const s = findScenario(name);
  if (!s)
    throw new UsageError(`unknown scenario "${name}"`, `valid scenarios: ${scenarioNames().join(', ')}`);
  const why = s.unsupported?.(v);
  if (why) throw new UsageError(`scenario "${name}" cannot run on KubeSphere ${v} (${who}): ${why}`);
}

/** Decides every cluster's name, version, scenario and starting state. Throws UsageError on bad input. */
export function planSandbox(opts: {
  ksVersion?: KsVersion;
  scenario?: string;
  members?: number | MemberSpec[];
}): PlannedCluster[] {
  const version = opts.ksVersion ?? '3.4';
  if (!isKsVersion(version))
    throw new UsageError(
      `unknown KubeSphere version "${String(version)}"`,
      `valid versions: ${KS_VERSIONS.join(', ')}`,
    );
  const scenario = opts.scenario ?? DEFAULT_SCENARIO;
  checkScenario(scenario, version, 'host');
  const specs: MemberSpec[] =
    typeof opts.members === 'number' || opts.members === undefined
      ? Array.from({ length: opts.members ?? 1 }, () => ({}))
      : opts.members;
  if (!Number.isInteger(specs.length) || specs.length < 1 || specs.length > MAX_MEMBERS) {
    throw new UsageError(`the sandbox needs between 1 and ${MAX_MEMBERS} members, not ${specs.length}`);
  }
  const names = specs.map((m, i) => m.name ?? (specs.length === 1 ? 'member' : `member-${i + 1}`));
  const seen = new Set(['host']);
  for (const n of names) {
    if (!NAME.test(n) || n.endsWith('-readonly') || seen.has(n))
      throw new UsageError(`invalid or duplicate member name "${n}"`);
    seen.add(n);
  }
  const hostSecret = randomJwtSecret();
  const hostCtx = { version, name: 'host', hostSecret, ownSecret: hostSecret, hostName: 'host' };
  const top = findScenario(scenario)!;
  const host: PlannedCluster = {
    name: 'host',
    role: 'host',
    version,
    scenario,
    state: top.host?.(hostCtx) ?? hostState(hostCtx),
    connection: 'direct',
    unreachable: false,
    inKubeconfig: true,
    clockOffsetMs: 0,
  };
  const members = specs.map((m, i): PlannedCluster => {
    const v = m.ksVersion ?? version;
    if (!isKsVersion(v)) throw new UsageError(`unknown KubeSphere version "${String(v)}" for ${names[i]}`);
    const sc = m.scenario ?? scenario;
    checkScenario(sc, v, names[i]!);
    if (m.connection !== undefined && m.connection !== 'direct' && m.connection !== 'proxy')
      throw new UsageError(`unknown connection "${String(m.connection)}" for ${names[i]} (direct or proxy)`);
    const ctx = {
      version: v,
      name: names[i]!,
      hostSecret,
      ownSecret: randomJwtSecret(),
      hostName: 'host',
      ...(m.configStyle ? { style: m.configStyle } : {}),
    };
    const state = withDevopsCopy(findScenario(sc)!.member(ctx), m.devops === true, v, names[i]!);
    if (m.clockOffsetMs !== undefined && !Number.isFinite(m.clockOffsetMs))
      throw new UsageError(`invalid clock offset for ${names[i]}: ${String(m.clockOffsetMs)}`);
    return {
      name: names[i]!,
      role: 'member',
      version: v,
      scenario: sc,
      state,
      connection: m.connection ?? 'direct',
      unreachable: m.unreachable ?? false,
      inKubeconfig: m.connection !== 'proxy' && !m.noContext,
      clockOffsetMs: m.clockOffsetMs ?? state.clockOffsetMs ?? 0,
    };
  });
  return [host, ...members];
}

/** `devops: true`: ks-devops was installed with what kubesphere-secret held then (a scenario may say otherwise). */
function withDevopsCopy(state: ClusterState, devops: boolean, v: KsVersion, name: string): ClusterState {
  if (!devops || state.devops) return state;
  if (!devopsCopies(v) || state.kubesphereSecret === undefined)
    throw new UsageError(
      `devops on ${name}: only ks-installer 3.2+ installs ks-devops with a jwtSecret copy`,
    );
  return { ...state, devops: { jwtSecret: state.kubesphereSecret } };
}
