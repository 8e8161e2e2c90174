import type { ResourceType } from './types.js';

/**
 * Discovery documents built from the registered types: the legacy APIVersions/APIGroupList/APIResourceList
 * and the aggregated APIGroupDiscoveryList (apidiscovery.k8s.io v2 and v2beta1) kubectl 1.32 asks for first.
 */

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface SubresourceInfo {
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

function subresourceInfo(t: ResourceType, sub: string): SubresourceInfo {
  switch (sub) {
    case 'scale':
      return { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };
    case 'log':
      return { kind: 'Pod', group: '', version: 'v1', verbs: ['get'] };
    case 'finalize':
      return { kind: t.kind, group: t.group, version: t.version, verbs: ['update'] };
    default:
      return { kind: t.kind, group: t.group, version: t.version, verbs: ['get', 'patch', 'update'] };
  }
}

/** Groups in registration order, core excluded, each with its versions. */
function groupsOf(types: ResourceType[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const t of types) {
    if (t.group === '') continue;
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return groups;
}

export function coreVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function groupList(types: ResourceType[]): unknown {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groupsOf(types)].map(([name, versions]) => apiGroup(name, versions)),
  };
}

export function group(types: ResourceType[], name: string): unknown | undefined {
  const versions = groupsOf(types).get(name);
  return versions && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(name, versions) };
}

export function resourceList(types: ResourceType[], groupName: string, version: string): unknown | undefined {
  const matching = types.filter((t) => t.group === groupName && t.version === version);
  if (matching.length === 0 && !(groupName === '' && version === 'v1')) return undefined;
  const resources: unknown[] = [];
  for (const t of matching) {
    resources.push({
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories?.length ? { categories: t.categories } : {}),
    });
    for (const sub of t.subresources ?? []) {
      const info = subresourceInfo(t, sub);
      resources.push({
        name: `${t.resource}/${sub}`,
        singularName: '',
        namespaced: t.namespaced,
        ...(info.group !== t.group ? { group: info.group, version: info.version } : {}),
        kind: info.kind,
        verbs: info.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName === '' ? version : `${groupName}/${version}`,
    resources,
  };
}

function discoveryResource(t: ResourceType): unknown {
  return {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: VERBS,
    ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories?.length ? { categories: t.categories } : {}),
    ...(t.subresources?.length
      ? {
          subresources: t.subresources.map((sub) => {
            const info = subresourceInfo(t, sub);
            return {
              subresource: sub,
              responseKind: { group: info.group, version: info.version, kind: info.kind },
              verbs: info.verbs,
            };
          }),
        }
      : {}),
  };
}

/** The aggregated document for /api (core only) or /apis (every other group). */
export function aggregated(types: ResourceType[], core: boolean, apiVersion: string): unknown {
  const names = core ? [''] : [...groupsOf(types).keys()];
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: names.map((name) => {
      const versions = core ? ['v1'] : groupsOf(types).get(name)!;
      return {
        metadata: name === '' ? { creationTimestamp: null } : { name, creationTimestamp: null },
        versions: versions.map((version) => ({
          version,
          resources: types.filter((t) => t.group === name && t.version === version).map(discoveryResource),
          freshness: 'Current',
        })),
      };
    }),
  };
}
