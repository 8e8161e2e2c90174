import type { RenderOptions } from './template-types.js';

const KUBECTL = 'docker.io/kubesphere/kubectl:v1.27.16';

/**
 * kubesphere.yaml as Helm renders kubesphere/kubesphere config/ks-core/templates/kubesphere-config.yaml (v4.1.3)
 * with the chart's default values: `issuer.accessTokenMaxAge` is hard-coded `0s` for members and the chart value
 * (2h) otherwise; strings piped through `quote` are double-quoted, booleans are Go's `true`.
 */
export function render4x(o: RenderOptions): string {
  const role = o.role === 'member' ? 'member' : 'host';
  const maxAge = o.accessTokenMaxAge ?? (role === 'member' ? '0s' : '2h');
  const lines = [
    'authentication:',
    '  authenticateRateLimiterMaxTries: 10',
    '  authenticateRateLimiterDuration: 10m0s',
    '  loginHistoryRetentionPeriod: 168h',
    '  multipleLogin: true',
    '  issuer:',
    '    url: "http://ks-console.kubesphere-system.svc:30880"',
    `    jwtSecret: "${o.jwtSecret}"`,
    '    maximumClockSkew: 10s',
    `    accessTokenMaxAge: ${maxAge}`,
    '    accessTokenInactivityTimeout: 30m',
    's3:',
    '  endpoint: ""',
    '  region: us-east-1',
    '  disableSSL: true',
    '  forcePathStyle: true',
    '  accessKeyID: admin',
    '  secretAccessKey: admin',
    '  bucket: uploads',
    'multicluster:',
    `  clusterRole: "${role}"`,
    `  hostClusterName: "${o.hostClusterName ?? 'host'}"`,
    'kubeconfig:',
    '  # service-account-token client-certificate oidc-token webhook-token',
    '  authMode: client-certificate',
    'terminal:',
    '  kubectl:',
    `    image: "${KUBECTL}"`,
    '  node:',
    `    image: "${KUBECTL}"`,
    '  uploadFileLimit: 100Mi',
    'helmExecutor:',
    `  image: "${KUBECTL}"`,
    '  timeout: 10m',
    '  historyMax: 2',
    '  jobTTLAfterFinished: 0s',
    '  resources:',
    '    limits:',
    '      cpu: 500m',
    '      memory: 500Mi',
    '    requests:',
    '      cpu: 100m',
    '      memory: 100Mi',
    '  affinity:',
    '    podAffinity:',
    '      preferredDuringSchedulingIgnoredDuringExecution:',
    '      - podAffinityTerm:',
    '          labelSelector:',
    '            matchLabels:',
    '              app: ks-controller-manager',
    '          namespaces:',
    '          - kubesphere-system',
    '          topologyKey: kubernetes.io/hostname',
    '        weight: 100',
    'extension:',
    '  imageRegistry: ""',
    'experimental:',
    '  validationDirective: ""',
    'composedApp:',
    '  appSelector: ""',
    'kubesphere:',
    '  tls: false',
  ];
  if (role === 'host' && o.redis) {
    lines.push(
      'cache:',
      '  type: redis',
      '  options:',
      '    host: redis.kubesphere-system.svc',
      '    port: 6379',
      '    password: KUBESPHERE_CACHE_OPTIONS_PASSWORD',
      '    db: 0',
    );
  }
  lines.push(
    'auditing:',
    '  auditLevel: Metadata',
    '  enable: false',
    '  logOptions:',
    '    maxAge: 7',
    '    maxBackups: 10',
    '    maxSize: 100',
    '    path: /etc/audit/audit.log',
  );
  return lines.join('\n') + '\n';
}
