import { resolve } from 'node:path';
import { ExitCode, KsRestoreError, UsageError } from '../errors.js';
import {
  MIXED,
  MIXED_DEFAULT_MEMBERS,
  MIXED_DESCRIPTION,
  MIXED_MIN_MEMBERS,
  mixedFleet,
} from '../sandbox/kubesphere/fleet.js';
import { checkScenario, MAX_MEMBERS } from '../sandbox/kubesphere/plan.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../sandbox/kubesphere/scenarios.js';
import { FAULT_KINDS, parseFaultRule } from '../sandbox/apiserver/faults.js';
import type { FaultRule } from '../sandbox/apiserver/faults.js';
import { sandboxSummary } from './sandbox-summary.js';
import { isKsVersion, KS_VERSIONS } from '../sandbox/kubesphere/versions.js';
import type { KsVersion } from '../sandbox/kubesphere/versions.js';
import type { MemberSpec } from '../sandbox/kubesphere/plan.js';

export interface SandboxFlags {
  ksVersion: KsVersion;
  /** A scenario name, or `mixed` (the fleet preset). */
  scenario: string;
  members: number;
  kubeconfigPath?: string;
  latencyMs: number;
  faults: FaultRule[];
  controlPlane: 'embedded' | 'real';
}

export interface SandboxCommandDeps {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the sandbox should stop: SIGINT or SIGTERM by default. */
  waitForStop: () => Promise<string>;
}

/** Validates the sandbox flags (commander gives strings) into startSandbox options. Throws UsageError. */
export function parseSandboxFlags(flags: Record<string, unknown>): SandboxFlags {
  const ksVersion = String(flags.ksVersion ?? '3.4');
  if (!isKsVersion(ksVersion)) {
    throw new UsageError(
      `--ks-version "${ksVersion}" is not a simulated version.`,
      `Valid versions: ${KS_VERSIONS.join(', ')}.`,
    );
  }
  const scenario = String(flags.scenario ?? DEFAULT_SCENARIO);
  const mixed = scenario === MIXED;
  if (!mixed && !findScenario(scenario)) {
    throw new UsageError(
      `--scenario "${scenario}" is not a scenario.`,
      `Valid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}, or ${MIXED} for a fleet (see ks-restore sandbox --list-scenarios).`,
    );
  }
  const membersText = String(flags.members ?? (mixed ? MIXED_DEFAULT_MEMBERS : 1)).trim();
  const members = Number(membersText);
  const min = mixed ? MIXED_MIN_MEMBERS : 1;
  if (!/^\d+$/.test(membersText) || members < min || members > MAX_MEMBERS) {
    throw new UsageError(
      `--members "${membersText}" is not a number from ${min} to ${MAX_MEMBERS}${mixed ? ` (--scenario ${MIXED})` : ''}.`,
      `For example: --members ${mixed ? MIXED_DEFAULT_MEMBERS : 3}.`,
    );
  }
  const latencyText = String(flags.latency ?? '0').trim();
  if (!/^\d+$/.test(latencyText) || Number(latencyText) > 60_000) {
    throw new UsageError(
      `--latency "${latencyText}" is not a number of milliseconds (0 to 60000).`,
      'For example: --latency 200.',
    );
  }
  const faults = ((flags.fault as string[] | undefined) ?? []).map((text) => {
    try {
      return parseFaultRule(text);
    } catch (err) {
      throw new UsageError(
        `--fault: ${(err as Error).message}.`,
        'For example: --fault cluster=member,method=PUT,path=/configmaps/,kind=429,retry-after=1 (kinds: a status code, ' +
          `${FAULT_KINDS.filter((k) => k !== 'status').join(', ')}; nth=N picks the Nth matching request, times=0 every one).`,
      );
    }
  });
  const controlPlane = String(flags.controlPlane ?? 'embedded');
  if (controlPlane !== 'embedded' && controlPlane !== 'real') {
    throw new UsageError(
      `--control-plane "${controlPlane}" is not a control plane.`,
      "Use embedded (the default: this package's own API server) or real (etcd, kube-apiserver and kube-controller-manager built by npm run build:control-plane).",
    );
  }
  if (controlPlane === 'real' && faults.length > 0) {
    throw new UsageError(
      '--fault needs the embedded control plane: a real kube-apiserver answers for itself.',
      'Drop --fault, or use --control-plane embedded.',
    );
  }
  const out: SandboxFlags = {
    ksVersion,
    scenario,
    members,
    latencyMs: Number(latencyText),
    faults,
    controlPlane,
  };
  if (typeof flags.kubeconfig === 'string' && flags.kubeconfig !== '')
    out.kubeconfigPath = resolve(flags.kubeconfig);
  // Version-specific refusals (installer-revert on 4.1, …): the same check startSandbox makes.
  if (!mixed) checkScenario(scenario, ksVersion);
  return out;
}

/** What startSandbox runs for these flags: the scenario everywhere, or the fleet preset (host healthy). */
export function sandboxMembers(f: SandboxFlags): { scenario: string; members: number | MemberSpec[] } {
  return f.scenario === MIXED
    ? { scenario: 'healthy', members: mixedFleet(f.members, f.ksVersion) }
    : { scenario: f.scenario, members: f.members };
}

export function scenarioList(): string {
  const rows = [
    ...SCENARIOS.map((s) => [s.name, `${s.description}${s.name === DEFAULT_SCENARIO ? ' (default)' : ''}`]),
    [MIXED, MIXED_DESCRIPTION],
  ];
  const width = Math.max(...rows.map(([name]) => name!.length));
  return rows.map(([name, text]) => `${name!.padEnd(width)}  ${text}`).join('\n');
}

function waitForSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => (): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(signal);
    };
    const onInt = on('SIGINT');
    const onTerm = on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

const defaultDeps = (): SandboxCommandDeps => ({
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  waitForStop: waitForSignal,
});

/** `ks-restore sandbox`: serve simulated clusters until interrupted. Nothing secret is printed. */
export async function sandboxCommand(
  flags: Record<string, unknown>,
  deps: SandboxCommandDeps = defaultDeps(),
): Promise<number> {
  if (flags.listScenarios) {
    deps.stdout(`${scenarioList()}\n`);
    return ExitCode.ok;
  }
  const f = parseSandboxFlags(flags);
  const stop = deps.waitForStop();
  const { startSandbox } = await import('../sandbox/index.js');
  const started = performance.now();
  let sandbox;
  try {
    sandbox = await startSandbox({
      ksVersion: f.ksVersion,
      ...sandboxMembers(f),
      ...(f.kubeconfigPath ? { kubeconfigPath: f.kubeconfigPath } : {}),
      latencyMs: f.latencyMs,
      faults: f.faults,
      controlPlane: f.controlPlane,
    });
  } catch (err) {
    if (err instanceof Error && err.name === 'ControlPlaneMissingError')
      throw new UsageError(
        err.message,
        'Or run the sandbox on the embedded control plane (--control-plane embedded, the default).',
      );
    if (f.controlPlane === 'real' && err instanceof Error && !(err instanceof KsRestoreError))
      throw new KsRestoreError(`the real control plane did not start: ${err.message}`, {
        exitCode: ExitCode.internal,
        hint: "Check that nothing else is using the machine's ports and that the binaries from npm run build:control-plane run here.",
      });
    throw err;
  }
  try {
    deps.stderr(sandboxSummary(sandbox, f, performance.now() - started));
    deps.stderr('sandbox ready\n');
    const signal = await stop;
    deps.stderr(`\n${signal}: stopping the sandbox\n`);
  } finally {
    await sandbox.stop();
  }
  return ExitCode.ok;
}
