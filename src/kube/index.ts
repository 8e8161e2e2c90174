export { openCluster, RESTARTED_AT } from './client.js';
export { loadKubeconfig } from './kubeconfig.js';
export type { ContextInfo, LoadedKubeconfig } from './kubeconfig.js';
export * from './errors.js';
export * from './types.js';
