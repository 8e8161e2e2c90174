import { UsageError } from '../errors.js';
import { openCluster } from '../kube/client.js';
import { loadKubeconfig, type LoadedKubeconfig } from '../kube/kubeconfig.js';
import type { ClusterReader } from '../kubesphere/gateway.js';
import { durationFlag, shellWord } from './options.js';

export interface SessionFlags {
  host?: unknown;
  member?: unknown;
  kubeconfig?: unknown;
  requestTimeout?: unknown;
}

export interface Session {
  kubeconfig: LoadedKubeconfig;
  host: ClusterReader;
  members: ClusterReader[];
  requestTimeoutMs: number;
  /** The flags to repeat in a suggested follow-up command (`--host X --kubeconfig Y`). */
  suggest(command: string, member: string): string;
}

/** Loads the kubeconfig as kubectl does and opens one client per named context; validates names up front. */
export async function openSession(flags: SessionFlags, env: NodeJS.ProcessEnv): Promise<Session> {
  const requestTimeoutMs = durationFlag('--request-timeout', flags.requestTimeout ?? '10s');
  const kubeconfigPath = typeof flags.kubeconfig === 'string' ? flags.kubeconfig : undefined;
  const kubeconfig = await loadKubeconfig({ ...(kubeconfigPath ? { kubeconfigPath } : {}), env });
  const hostName = typeof flags.host === 'string' ? flags.host : kubeconfig.currentContext;
  if (!hostName) {
    throw new UsageError(
      `no --host given and the kubeconfig (${kubeconfig.files.join(', ')}) has no current context.`,
      `Name the host cluster's context: --host CONTEXT (contexts: ${kubeconfig.contexts.map((c) => c.name).join(', ') || 'none'}).`,
    );
  }
  const memberNames = Array.isArray(flags.member) ? (flags.member as string[]) : [];
  if (memberNames.length === 0) {
    throw new UsageError(
      'no --member given.',
      `Name each member cluster's kubeconfig context: --member CONTEXT (contexts: ${kubeconfig.contexts.map((c) => c.name).join(', ')}).`,
    );
  }
  for (const m of memberNames) {
    if (m === hostName) {
      throw new UsageError(
        `--member ${m} is the host context.`,
        'A member must be a different cluster from the host: check --host and --member.',
      );
    }
  }
  const unique = [...new Set(memberNames)];
  const open = (name: string): ClusterReader => openCluster(kubeconfig, name, { requestTimeoutMs });
  const host = open(hostName);
  const members = unique.map(open);
  const common = [
    ...(typeof flags.host === 'string' ? ['--host', flags.host] : []),
    ...(kubeconfigPath ? ['--kubeconfig', kubeconfigPath] : []),
  ];
  return {
    kubeconfig,
    host,
    members,
    requestTimeoutMs,
    suggest: (command, member) =>
      ['ks-restore', command, ...common, '--member', member].map(shellWord).join(' '),
  };
}
