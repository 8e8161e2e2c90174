/**
 * Splits a request path the way apiserver's RequestInfoFactory does: discovery documents, or a resource
 * request with group, version, namespace, resource, name and subresource. Pure, so it is unit-tested.
 */
export type Route =
  | { kind: 'health'; check: string }
  | { kind: 'version' }
  | { kind: 'openapi'; path: string }
  | { kind: 'coreVersions' }
  | { kind: 'groups' }
  | { kind: 'group'; group: string }
  | { kind: 'resourceList'; group: string; version: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'unknown' };

/** Subresources of a namespace itself, not resources inside it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [root] = parts;
  if (!root) return { kind: 'unknown' };
  if (['healthz', 'livez', 'readyz'].includes(root) && parts.length <= 2)
    return { kind: 'health', check: root };
  if (root === 'version' && parts.length === 1) return { kind: 'version' };
  if (root === 'openapi') return { kind: 'openapi', path: parts.slice(1).join('/') };
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (root === 'api') {
    if (parts.length === 1) return { kind: 'coreVersions' };
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (root === 'apis') {
    if (parts.length === 1) return { kind: 'groups' };
    group = parts[1]!;
    if (parts.length === 2) return { kind: 'group', group };
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return { kind: 'unknown' };
  }
  if (!version) return { kind: 'unknown' };
  if (rest.length === 0) return { kind: 'resourceList', group, version };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (!resource || extra.length > 0) return { kind: 'unknown' };
  return {
    kind: 'resource',
    group,
    version,
    ...(namespace === undefined ? {} : { namespace }),
    resource,
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}
