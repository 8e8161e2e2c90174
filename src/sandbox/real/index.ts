export { ControlPlaneMissingError, controlPlaneDir, findControlPlane } from './binaries.js';
export type { ControlPlaneBinaries } from './binaries.js';
export { freePort, startEtcd, startRealCluster } from './control-plane.js';
export type { RealCluster, StartedEtcd } from './control-plane.js';
export { FakeKubelet } from './kubelet.js';
export { BUILTIN_TYPES, RemoteApi } from './remote-api.js';
export type { ApiError } from './remote-api.js';
