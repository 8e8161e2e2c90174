import { homedir } from 'node:os';
import type { Command, Option } from 'commander';
import { completionScript, type Shell } from '../output/completion-scripts.js';
import {
  DIRECTIVE,
  planCompletion,
  type CommandSpec,
  type GivenFlags,
  type OptionSpec,
} from './complete-words.js';

/** `ks-restore completion bash|zsh|fish`: the script to source. */
export function completionCommand(shell: Shell): number {
  process.stdout.write(completionScript(shell));
  return 0;
}

/** How long `--cluster` completion waits for the host's Cluster list: a Tab must not hang. */
const CLUSTER_LIST_TIMEOUT_MS = 2_000;

/**
 * `ks-restore __complete WORD…` (hidden; cobra's protocol): one candidate a line, then `:DIRECTIVE`. Context
 * names come from the kubeconfig, Cluster names from the host (names only). Never fails loudly: a Tab that
 * cannot be answered offers nothing.
 */
export async function completeCommand(
  program: Command,
  words: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const spec = commandSpecs(program);
  const { plan, given } = planCompletion(spec.commands, spec.global, words);
  const current = words.length === 0 ? '' : words[words.length - 1]!;
  let values: string[] = [];
  let directive: number = DIRECTIVE.noFileComp;
  switch (plan.kind) {
    case 'words':
      values = plan.words;
      break;
    case 'contexts':
      values = await contextNames(given, env);
      break;
    case 'clusters':
      values = await clusterNames(given, env);
      break;
    case 'scenarios': {
      const { scenarioNames } = await import('../sandbox/kubesphere/scenarios.js');
      values = [...scenarioNames(), ...(words.includes('sandbox') ? ['mixed'] : [])];
      break;
    }
    case 'files':
      directive = DIRECTIVE.default;
      break;
    case 'none':
      break;
  }
  const out = values.map((v) => `${plan.prefix}${v}`).filter((v) => v.startsWith(current));
  process.stdout.write(`${out.map((v) => `${v}\n`).join('')}:${directive}\n`);
  return 0;
}

function commandSpecs(program: Command): { commands: CommandSpec[]; global: OptionSpec[] } {
  const help = program.createHelp();
  const option = (o: Option): OptionSpec => ({
    long: o.long ?? o.flags,
    ...(o.short ? { short: o.short } : {}),
    takesValue: o.required, // an optional value (-v [level]) is never waited for
    ...(o.argChoices ? { choices: o.argChoices } : {}),
  });
  return {
    commands: help.visibleCommands(program).map((c) => {
      const choices = c.registeredArguments[0]?.argChoices;
      return {
        name: c.name(),
        options: help.visibleOptions(c).map(option),
        ...(choices ? { args: choices } : {}),
      };
    }),
    global: help.visibleOptions(program).map(option),
  };
}

/** The kubeconfig the words name, `~` expanded: the shell has not expanded it in the line being typed. */
async function kubeconfigOf(given: GivenFlags, env: NodeJS.ProcessEnv) {
  const { loadKubeconfig } = await import('../kube/kubeconfig.js');
  const path = given.kubeconfig?.replace(/^~(?=\/|$)/, env.HOME ?? homedir());
  return loadKubeconfig({ ...(path ? { kubeconfigPath: path } : {}), env });
}

async function contextNames(given: GivenFlags, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    return (await kubeconfigOf(given, env)).contexts.map((c) => c.name);
  } catch {
    return [];
  }
}

/** The member Clusters the host has joined: their names, nothing else of them. */
async function clusterNames(given: GivenFlags, env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const { openCluster } = await import('../kube/client.js');
    const { isResourceTypeMissing } = await import('../kube/types.js');
    const { KS_CLUSTER } = await import('../kubesphere/cluster/gateway.js');
    const { joinedMembers } = await import('../kubesphere/cluster/discovery.js');
    const kc = await kubeconfigOf(given, env);
    const host = given.host ?? kc.currentContext;
    if (!host) return [];
    const client = openCluster(kc, host, { requestTimeoutMs: CLUSTER_LIST_TIMEOUT_MS });
    const clusters = await Promise.race([
      client.listCustom(KS_CLUSTER),
      // Retries could outlast one request's timeout: the Tab's deadline covers them all.
      new Promise<never>((_, reject) => setTimeout(reject, CLUSTER_LIST_TIMEOUT_MS).unref()),
    ]);
    return isResourceTypeMissing(clusters) ? [] : joinedMembers(clusters).map((j) => j.name);
  } catch {
    return [];
  }
}
