import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { checkScenario, MAX_MEMBERS } from '../sandbox/kubesphere/plan.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../sandbox/kubesphere/scenarios.js';
import { isKsVersion, KS_VERSIONS } from '../sandbox/kubesphere/versions.js';
import type { KsVersion } from '../sandbox/kubesphere/versions.js';

export interface SandboxFlags {
  ksVersion: KsVersion;
  scenario: string;
  members: number;
  kubeconfigPath?: string;
  latencyMs: number;
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
  if (!findScenario(scenario)) {
    throw new UsageError(
      `--scenario "${scenario}" is not a scenario.`,
      `Valid scenarios: ${SCENARIOS.map((s) => s.name).join(', ')} (see ks-restore sandbox --list-scenarios).`,
    );
  }
  const membersText = String(flags.members ?? '1').trim();
  const members = Number(membersText);
  if (!/^\d+$/.test(membersText) || members < 1 || members > MAX_MEMBERS) {
    throw new UsageError(
      `--members "${membersText}" is not a number from 1 to ${MAX_MEMBERS}.`,
      'For example: --members 3.',
    );
  }
  const latencyText = String(flags.latency ?? '0').trim();
  if (!/^\d+$/.test(latencyText) || Number(latencyText) > 60_000) {
    throw new UsageError(
      `--latency "${latencyText}" is not a number of milliseconds (0 to 60000).`,
      'For example: --latency 200.',
    );
  }
  const out: SandboxFlags = { ksVersion, scenario, members, latencyMs: Number(latencyText) };
  if (typeof flags.kubeconfig === 'string' && flags.kubeconfig !== '')
    out.kubeconfigPath = resolve(flags.kubeconfig);
  // Version-specific refusals (installer-revert on 4.1, …): the same check startSandbox makes.
  checkScenario(scenario, ksVersion);
  return out;
}

export function scenarioList(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map(
    (s) => `${s.name.padEnd(width)}  ${s.description}${s.name === DEFAULT_SCENARIO ? ' (default)' : ''}`,
  ).join('\n');
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
  const sandbox = await startSandbox({
    ksVersion: f.ksVersion,
    scenario: f.scenario,
    members: f.members,
    ...(f.kubeconfigPath ? { kubeconfigPath: f.kubeconfigPath } : {}),
    latencyMs: f.latencyMs,
  });
  try {
    deps.stderr(summary(sandbox, f, performance.now() - started));
    deps.stderr('sandbox ready\n');
    const signal = await stop;
    deps.stderr(`\n${signal}: stopping the sandbox\n`);
  } finally {
    await sandbox.stop();
  }
  return ExitCode.ok;
}

interface Summarized {
  kubeconfigPath: string;
  contexts: string[];
  clusters: { name: string; role: string; url: string; ksVersion: string; scenario: string }[];
}

function summary(s: Summarized, f: SandboxFlags, ms: number): string {
  const shown = s.clusters.slice(0, 11);
  const width = Math.max(...shown.map((c) => c.name.length));
  const lines = [
    `KubeSphere ${f.ksVersion} sandbox, scenario ${f.scenario}: ${findScenario(f.scenario)!.description}`,
    `${s.clusters.length} clusters started in ${Math.round(ms)} ms:`,
    ...shown.map(
      (c) => `  ${c.name.padEnd(width)}  ${c.role.padEnd(6)}  ${c.url}  KubeSphere ${c.ksVersion}`,
    ),
    ...(s.clusters.length > shown.length ? [`  … and ${s.clusters.length - shown.length} more members`] : []),
    '',
    `kubeconfig: ${s.kubeconfigPath}`,
    `contexts:   ${s.contexts.length > 6 ? `${s.contexts.slice(0, 4).join(', ')}, … (each cluster, and <cluster>-readonly)` : s.contexts.join(', ')}`,
    '',
    'Try:',
    `  export KUBECONFIG=${s.kubeconfigPath}`,
    '  kubectl --context host get clusters',
    `  kubectl --context ${s.clusters[1]!.name} -n kubesphere-system logs deploy/${agentName(s.clusters[1]!.ksVersion)} --tail 5`,
    `  ks-restore diagnose --host host --member ${s.clusters[1]!.name}`,
    '',
    ...(f.ksVersion === '3.3' || f.ksVersion === '3.4'
      ? [
          'Note: as on real 3.3/3.4 clusters, ks-apiserver reloads kubesphere-config about 60 s after it changes.',
        ]
      : [
          'Note: as on real clusters of this version, ks-apiserver reads kubesphere-config only when it starts.',
        ]),
    'Ctrl-C stops the sandbox.',
  ];
  return `${lines.join('\n')}\n`;
}

const agentName = (v: string): string => (v === '4.1' ? 'ks-agent' : 'ks-apiserver');
