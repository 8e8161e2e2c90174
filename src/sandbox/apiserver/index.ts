/** The generic Kubernetes part of the sandbox: store, logs, controllers and the HTTPS API server. */
export { registerBuiltinTypes } from './builtins.js';
export { DeploymentController, seedDeployment } from './deployments.js';
export type { DeploymentControllerOptions, SeedOptions, SeededDeployment } from './deployments.js';
export { LogStore } from './logs.js';
export type { LogLine } from './logs.js';
export { startApiServer } from './server.js';
export type { ApiServerOptions, RunningApiServer } from './server.js';
export { AlreadyExistsError, ClusterStore, ConflictError, NotFoundError } from './store.js';
export type {
  KubeObject,
  ManagedFieldsEntry,
  ObjectMeta,
  PrinterColumn,
  ResourceType,
  WatchEvent,
} from './store.js';
