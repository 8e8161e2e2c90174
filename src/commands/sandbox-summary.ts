import { MIXED, MIXED_DESCRIPTION } from '../sandbox/kubesphere/fleet.js';
import { findScenario } from '../sandbox/kubesphere/scenarios.js';

export interface Summarized {
  kubeconfigPath: string;
  controlPlane?: 'embedded' | 'real';
  contexts: string[];
  clusters: {
    name: string;
    role: string;
    url: string;
    ksVersion: string;
    scenario: string;
    connection: string;
    unreachable: boolean;
    context: string | null;
  }[];
}

const agentName = (v: string): string => (v === '4.1' ? 'ks-agent' : 'ks-apiserver');

/** How a member of a mixed fleet differs: its scenario, and whether and how it can be reached. */
function traits(c: Summarized['clusters'][number]): string {
  if (c.role === 'host') return '';
  const how = [
    c.scenario,
    ...(c.connection === 'proxy' ? ['proxy connection, no context'] : []),
    ...(c.connection !== 'proxy' && c.context === null ? ['no context'] : []),
    ...(c.unreachable ? ['unreachable'] : []),
  ];
  return `  ${how.join(', ')}`;
}

/** What `ks-restore sandbox` prints on stderr once the clusters serve: where to connect, never a credential. */
export function sandboxSummary(
  s: Summarized,
  f: { ksVersion: string; scenario: string },
  ms: number,
): string {
  const mixed = f.scenario === MIXED;
  const shown = s.clusters.slice(0, mixed ? 21 : 11);
  const width = Math.max(...shown.map((c) => c.name.length));
  const first = s.clusters.find((c) => c.role === 'member' && c.context && !c.unreachable) ?? s.clusters[1]!;
  const versions = new Set(s.clusters.map((c) => c.ksVersion));
  const hot = [...versions].filter((v) => v === '3.3' || v === '3.4');
  const lines = [
    mixed
      ? `KubeSphere ${f.ksVersion} sandbox, ${MIXED}: ${MIXED_DESCRIPTION}`
      : `KubeSphere ${f.ksVersion} sandbox, scenario ${f.scenario}: ${findScenario(f.scenario)!.description}`,
    `${s.clusters.length} clusters started in ${Math.round(ms)} ms${s.controlPlane === 'real' ? ', each a real etcd-backed kube-apiserver with kube-controller-manager' : ''}:`,
    ...shown.map(
      (c) =>
        `  ${c.name.padEnd(width)}  ${c.role.padEnd(6)}  ${c.url}  KubeSphere ${c.ksVersion}${mixed ? traits(c) : ''}`,
    ),
    ...(s.clusters.length > shown.length ? [`  … and ${s.clusters.length - shown.length} more members`] : []),
    '',
    `kubeconfig: ${s.kubeconfigPath}`,
    `contexts:   ${s.contexts.length > 6 ? `${s.contexts.slice(0, 4).join(', ')}, … (each cluster, and <cluster>-readonly)` : s.contexts.join(', ')}`,
    '',
    'Try:',
    `  export KUBECONFIG=${s.kubeconfigPath}`,
    '  kubectl --context host get clusters',
    `  kubectl --context ${first.name} -n kubesphere-system logs deploy/${agentName(first.ksVersion)} --tail 5`,
    mixed ? '  ks-restore diagnose --host host' : `  ks-restore diagnose --host host --member ${first.name}`,
    '',
    hot.length === versions.size
      ? 'Note: as on real 3.3/3.4 clusters, ks-apiserver reloads kubesphere-config about 60 s after it changes.'
      : hot.length === 0
        ? 'Note: as on real clusters of this version, ks-apiserver reads kubesphere-config only when it starts.'
        : 'Note: as on real clusters, 3.3/3.4 reload kubesphere-config about 60 s after it changes; other versions read it only when ks-apiserver starts.',
    'Ctrl-C stops the sandbox.',
  ];
  return `${lines.join('\n')}\n`;
}
