import type { KubeObject } from '../apiserver/store.js';
import type { CcState } from './scenarios.js';
import { versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

/**
 * The ClusterConfiguration `kubesphere-system/ks-installer` as a default install of the release leaves it
 * (ks-installer deploy/cluster-configuration.yaml at the release tag), with the fields ks-restore cares about
 * taken from the scenario, and the status ks-installer writes after a successful run.
 */
export function clusterConfiguration(v: KsVersion, cc: CcState, installedAt: string): KubeObject {
  const release = versionInfo(v).release;
  const authentication: Record<string, unknown> = { jwtSecret: cc.jwtSecret };
  if (cc.oauthOptions) authentication.oauthOptions = { ...cc.oauthOptions };
  const old = v === '3.0';
  const common: Record<string, unknown> = old
    ? {
        mysqlVolumeSize: '20Gi',
        minioVolumeSize: '20Gi',
        etcdVolumeSize: '20Gi',
        openldapVolumeSize: '2Gi',
        redisVolumSize: '2Gi',
        es: {
          elasticsearchMasterVolumeSize: '4Gi',
          elasticsearchDataVolumeSize: '20Gi',
          logMaxAge: 7,
          elkPrefix: 'logstash',
        },
      }
    : {
        ...(v === '3.1'
          ? {}
          : { core: { console: { enableMultiLogin: true, port: 30880, type: 'NodePort' } } }),
        redis: { enabled: cc.redis, ...(v === '3.1' ? {} : { volumeSize: '2Gi' }) },
        openldap: { enabled: false, ...(v === '3.1' ? {} : { volumeSize: '2Gi' }) },
        minio: { volumeSize: '20Gi' },
        monitoring: {
          endpoint: 'http://prometheus-operated.kubesphere-monitoring-system.svc:9090',
          ...(v === '3.1' ? {} : { GPUMonitoring: { enabled: false } }),
        },
        ...(v === '3.1'
          ? {}
          : { gpu: { kinds: [{ resourceName: 'nvidia.com/gpu', resourceType: 'GPU', default: true }] } }),
        es: {
          logMaxAge: 7,
          elkPrefix: 'logstash',
          basicAuth: { enabled: false, username: '', password: '' },
          externalElasticsearchHost: '',
          externalElasticsearchPort: '',
        },
      };
  const spec: Record<string, unknown> = {
    persistence: { storageClass: '' },
    authentication,
    ...(old ? {} : { local_registry: '' }),
    etcd: { monitoring: false, endpointIps: 'localhost', port: 2379, tlsEnable: true },
    common,
    ...(old || v === '3.1' ? { console: { enableMultiLogin: true, port: 30880 } } : {}),
    alerting: { enabled: false },
    auditing: { enabled: false },
    devops: { enabled: false, jenkinsMemoryLim: '2Gi', jenkinsMemoryReq: '1500Mi', jenkinsVolumeSize: '8Gi' },
    events: { enabled: false },
    logging: { enabled: false },
    metrics_server: { enabled: false },
    monitoring: {
      storageClass: '',
      ...(old
        ? { prometheusMemoryRequest: '400Mi', prometheusVolumeSize: '20Gi' }
        : { node_exporter: { port: 9100 } }),
    },
    multicluster: { clusterRole: cc.clusterRole },
    ...(old
      ? {
          networkpolicy: { enabled: false },
          notification: { enabled: false },
          openpitrix: { enabled: false },
        }
      : {
          network: {
            networkpolicy: { enabled: false },
            ippool: { type: 'none' },
            topology: { type: 'none' },
          },
          openpitrix: { store: { enabled: false } },
        }),
    servicemesh: { enabled: false },
    ...(v === '3.3' || v === '3.4'
      ? { edgeruntime: { enabled: false, kubeedge: { enabled: false } }, terminal: { timeout: 600 } }
      : old
        ? {}
        : { kubeedge: { enabled: false } }),
  };
  return {
    apiVersion: 'installer.kubesphere.io/v1alpha1',
    kind: 'ClusterConfiguration',
    metadata: { name: 'ks-installer', namespace: 'kubesphere-system', labels: { version: release } },
    spec,
    status: {
      core: {
        enabledTime: installedAt.replace('T', ' ').replace('Z', ''),
        status: 'enabled',
        version: release,
      },
      monitoring: { enabledTime: installedAt.replace('T', ' ').replace('Z', ''), status: 'enabled' },
    },
  };
}
