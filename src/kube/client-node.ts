/**
 * The parts of @kubernetes/client-node this tool uses, imported from their own files: the package index loads
 * its generated API surface (every model and API class), most of its ~0.35 s import. Its config.js still names
 * that surface for makeApiClient, which we never call: scripts/build.mjs resolves it to the two pieces it uses.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { HttpMethod, RequestContext } from '@kubernetes/client-node/dist/gen/http/http.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
export type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
