import type { KsVersion } from './versions.js';
import type { RenderOptions } from './template-types.js';

/**
 * kubesphere.yaml as ks-installer renders roles/ks-core/config/templates/kubesphere-config.yaml.j2 (v3.0.0,
 * v3.1.1, v3.2.1, v3.3.2, v3.4.1) for the default ClusterConfiguration of that release. Ansible renders with
 * trim_blocks, so a `{% %}` line vanishes while the template's blank lines stay: hence the blank-line runs.
 * Python booleans print as `True`; the secret is quoted by the template.
 */
const IMAGES: Record<Exclude<KsVersion, '4.1'>, { kubectl: string; tower: string; nginxTag: string }> = {
  '3.0': { kubectl: 'kubesphere/kubectl:v1.0.0', tower: 'kubesphere/tower:v0.1.0', nginxTag: '' },
  '3.1': { kubectl: 'kubesphere/kubectl:v1.0.0', tower: 'kubesphere/tower:v0.2.0', nginxTag: '' },
  '3.2': { kubectl: 'kubesphere/kubectl:v1.22.0', tower: 'kubesphere/tower:v0.2.0', nginxTag: 'v0.48.1' },
  '3.3': { kubectl: 'kubesphere/kubectl:v1.22.0', tower: 'kubesphere/tower:v0.2.0', nginxTag: 'v1.1.0' },
  '3.4': { kubectl: 'kubesphere/kubectl:v1.22.0', tower: 'kubesphere/tower:v0.2.1', nginxTag: 'v1.3.1' },
};

const CLIENTS = ['clients:', '- name: kubesphere', '  secret: kubesphere', '  redirectURIs:', "  - '*'"];

/** Ansible's `to_nice_yaml(indent=2) | trim | indent(8)` of a flat map: sorted keys, one per line. */
function niceYaml(map: Record<string, string | number>): string[] {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}: ${String(map[k])}`);
}

const ind = (n: number, lines: string[]): string[] => lines.map((l) => ' '.repeat(n) + l);

/** The override a hand edit would make: change the value that wins (the last), else add the key first. */
function withMaxAge(oauth: string[] | undefined, value: string): string[] {
  const lines = [...(oauth ?? [])];
  const last = lines.map((l) => l.startsWith('accessTokenMaxAge:')).lastIndexOf(true);
  if (last >= 0) lines[last] = `accessTokenMaxAge: ${value}`;
  else lines.unshift(`accessTokenMaxAge: ${value}`);
  return lines;
}

function authentication(v: Exclude<KsVersion, '4.1'>, o: RenderOptions): string[] {
  const out = [
    'authentication:',
    '  authenticateRateLimiterMaxTries: 10',
    '  authenticateRateLimiterDuration: 10m0s',
    '  loginHistoryRetentionPeriod: 168h',
    '  maximumClockSkew: 10s',
    '  multipleLogin: True',
    `  kubectlImage: ${IMAGES[v].kubectl}`,
    `  jwtSecret: "${o.jwtSecret}"`,
  ];
  const member = o.role === 'member';
  const cc = o.ccOAuthOptions && v !== '3.0' ? niceYaml(o.ccOAuthOptions) : undefined;
  let oauth: string[] | undefined;
  if (v === '3.0') oauth = member ? ['accessTokenMaxAge: 0'] : undefined;
  else if (v === '3.1') oauth = cc ?? (member ? ['accessTokenMaxAge: 0'] : undefined);
  else if (v === '3.2') {
    if (member) oauth = ['accessTokenMaxAge: 0'];
    else if (cc) oauth = [...cc, ...(o.ccOAuthOptions?.clients === undefined ? CLIENTS : [])];
    else oauth = CLIENTS;
  } else {
    // 3.3/3.4 emit the CC's options, then the member's 0, then the clients: keys can repeat (last one wins).
    oauth = [...(cc ?? []), ...(member ? ['accessTokenMaxAge: 0'] : []), ...CLIENTS];
  }
  if (o.accessTokenMaxAge !== undefined) oauth = withMaxAge(oauth, o.accessTokenMaxAge);
  if (oauth) out.push('  oauthOptions:', ...ind(4, oauth));
  return out;
}

function cache(v: Exclude<KsVersion, '4.1'>, o: RenderOptions): string[] {
  if (v === '3.0') {
    return ['redis:', '  host: redis.kubesphere-system.svc', '  port: 6379', '  password: ""', '  db: 0'];
  }
  if (!o.redis) return [];
  if (v === '3.1' || v === '3.2') {
    const password = v === '3.1' ? '""' : 'KUBESPHERE_REDIS_PASSWORD';
    return [
      'redis:',
      '  host: redis.kubesphere-system.svc',
      '  port: 6379',
      `  password: ${password}`,
      '  db: 0',
    ];
  }
  return [
    'cache:',
    '  type: redis',
    '  options:',
    '    host: redis.kubesphere-system.svc',
    '    port: 6379',
    '    password: KUBESPHERE_CACHE_OPTIONS_PASSWORD',
    '    db: 0',
  ];
}

function multicluster(v: Exclude<KsVersion, '4.1'>, o: RenderOptions): string[] {
  const newer = v === '3.3' || v === '3.4';
  if (!newer && o.role !== 'host') return [];
  const out = ['multicluster:'];
  if (newer) out.push(`  clusterRole: ${o.role}`);
  if (newer && o.role === 'member') out.push('  enable: false');
  if (o.role === 'host') {
    out.push(
      '  enable: true',
      `  agentImage: ${IMAGES[v].tower}`,
      '  proxyPublishService: tower.kubesphere-system.svc',
    );
    if (o.hostClusterName && v !== '3.0' && v !== '3.1') out.push(`  hostClusterName: ${o.hostClusterName}`);
  }
  return out;
}

const MONITORING = [
  'monitoring:',
  '  endpoint: http://prometheus-operated.kubesphere-monitoring-system.svc:9090',
];
const GPU = [
  '  enableGPUMonitoring: false',
  'gpu:',
  '  kinds:',
  '  - resourceName: nvidia.com/gpu',
  '    resourceType: GPU',
  '    default: True',
  'notification:',
  '  endpoint: http://notification-manager-svc.kubesphere-monitoring-system.svc:19093',
];

function gateway(v: Exclude<KsVersion, '4.1'>): string[] {
  return [
    'gateway:',
    '  watchesPath: /var/helm-charts/watches.yaml',
    '  repository: kubesphere/nginx-ingress-controller',
    `  tag: ${IMAGES[v].nginxTag}`,
    '  namespace: kubesphere-controls-system',
  ];
}

export function render3x(v: Exclude<KsVersion, '4.1'>, o: RenderOptions): string {
  const auth = authentication(v, o);
  const lines: string[] = [];
  if (v === '3.0') {
    lines.push(
      ...auth,
      'ldap:',
      '  host: openldap.kubesphere-system.svc:389',
      '  managerDN: cn=admin,dc=kubesphere,dc=io',
    );
    lines.push('  managerPassword: admin', '  userSearchBase: ou=Users,dc=kubesphere,dc=io');
    lines.push(
      '  groupSearchBase: ou=Groups,dc=kubesphere,dc=io',
      ...cache(v, o),
      ...multicluster(v, o),
      ...MONITORING,
    );
  } else if (v === '3.1' || v === '3.2') {
    // Blank lines between the optional ldap/redis/mysql/s3 blocks of the template.
    lines.push(...auth, '', '', ...cache(v, o), '', '', '', 'network:', '  ippoolType: none');
    lines.push(...multicluster(v, o), ...MONITORING);
    if (v === '3.2') lines.push(...GPU, '', '', '', ...gateway(v));
  } else {
    lines.push(
      ...auth,
      ...cache(v, o),
      'network:',
      '  ippoolType: none',
      ...multicluster(v, o),
      ...MONITORING,
    );
    lines.push(...GPU, '', '', 'terminal:', '  image: alpine:3.14', '  timeout: 600', ...gateway(v));
  }
  return lines.join('\n') + '\n';
}
