import { ExitCode, KsRestoreError } from '../errors.js';
import type { ExitCodeValue } from '../errors.js';
import { IN_CLUSTER_CONTEXT } from './in-cluster.js';

/**
 * Typed failures of a request to one cluster. Each names the kubeconfig context and the operation, and its hint
 * says what to do next. None carries a response body: a body can hold a ConfigMap, and so a jwtSecret.
 */

/** What a request was doing, in RBAC terms: `update configmaps kubesphere-system/kubesphere-config`. */
export interface KubeOperation {
  verb: string;
  /** REST plural, with `/subresource` if any: `pods/log` */
  resource: string;
  /** API group; '' or undefined for the core group */
  group?: string;
  namespace?: string;
  name?: string;
}

export function describeOperation(op: KubeOperation): string {
  const resource = op.group ? `${op.resource}.${op.group}` : op.resource;
  const target = op.name
    ? op.namespace
      ? `${op.namespace}/${op.name}`
      : op.name
    : op.namespace
      ? `in ${op.namespace}`
      : '';
  return [op.verb, resource, target].filter(Boolean).join(' ');
}

interface KubeErrorInit {
  context: string;
  operation: KubeOperation;
  status?: number;
  reason?: string;
  hint?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

export abstract class KubeError extends KsRestoreError {
  readonly context: string;
  /** e.g. `get configmaps kubesphere-system/kubesphere-config` */
  readonly operation: string;
  readonly request: KubeOperation;
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(message: string, init: KubeErrorInit) {
    super(message, {
      exitCode: init.exitCode ?? ExitCode.unreadable,
      ...(init.hint === undefined ? {} : { hint: init.hint }),
      ...(init.cause === undefined ? {} : { cause: init.cause }),
    });
    this.context = init.context;
    this.request = init.operation;
    this.operation = describeOperation(init.operation);
    this.status = init.status;
    this.reason = init.reason;
  }
}

export type UnreachableProblem = 'refused' | 'dns' | 'unreachable' | 'reset' | 'tls' | 'other';

export class ClusterUnreachableError extends KubeError {
  readonly problem: UnreachableProblem;
  /** The system or TLS error code, e.g. ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN */
  readonly code: string | undefined;
  readonly server: string;
  constructor(
    init: KubeErrorInit & { server: string; problem: UnreachableProblem; code?: string; detail: string },
  ) {
    super(
      `cannot reach the API server of context "${init.context}" (${init.server}) to ${describeOperation(init.operation)}: ${init.detail}`,
      { ...init, reason: init.code },
    );
    this.problem = init.problem;
    this.code = init.code;
    this.server = init.server;
  }
}

export class UnauthorizedError extends KubeError {
  constructor(init: KubeErrorInit) {
    super(
      `the API server of context "${init.context}" rejected its credentials (401 Unauthorized) for ${describeOperation(init.operation)}: they are expired or invalid`,
      {
        ...init,
        hint:
          init.hint ??
          `refresh your kubeconfig (log in again or re-run your provider's get-credentials), then check with: kubectl --context ${init.context} get namespaces`,
      },
    );
  }
}

/**
 * The `kubectl auth can-i` command that answers for exactly this request: the object's name when it has one
 * (a Role may grant a verb on named objects only, and then `can-i VERB TYPE` says no), the subresource, the
 * namespace, or the non-resource URL (`/version`).
 */
export function canICommand(context: string, op: KubeOperation): string {
  // In a pod, kubectl has no contexts: it uses the service account as ks-restore does.
  const kubectl = context === IN_CLUSTER_CONTEXT ? 'kubectl' : `kubectl --context ${context}`;
  if (op.resource.startsWith('/')) return `${kubectl} auth can-i ${op.verb} ${op.resource}`;
  const [resource, subresource] = op.resource.split('/');
  const type = op.group ? `${resource}.${op.group}` : resource;
  return [
    `${kubectl} auth can-i ${op.verb} ${type}${op.name ? `/${op.name}` : ''}`,
    subresource ? `--subresource=${subresource}` : '',
    op.namespace ? `-n ${op.namespace}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** `"update" on secrets "kubesphere-secret" in namespace "kubesphere-system"`: what a Role must grant. */
function missingPermission(op: KubeOperation): string {
  if (op.resource.startsWith('/')) return `"${op.verb}" on the non-resource URL ${op.resource}`;
  const [resource, subresource] = op.resource.split('/');
  const where = op.namespace ? ` in namespace "${op.namespace}"` : ' (cluster-wide)';
  const named = op.name && !subresource ? ` "${op.name}"` : '';
  return `"${op.verb}" on ${op.group ? `${resource}.${op.group}` : resource}${subresource ? `/${subresource}` : ''}${named}${where}`;
}

export class ForbiddenError extends KubeError {
  readonly verb: string;
  readonly resource: string;
  readonly group: string;
  readonly namespace: string | undefined;
  /** `kubectl --context X auth can-i …` for exactly this request. */
  readonly canI: string;
  /** What is missing, as a Role would grant it. */
  readonly permission: string;
  constructor(init: KubeErrorInit & { statusMessage?: string }) {
    const op = init.operation;
    const what = missingPermission(op);
    const canI = canICommand(init.context, op);
    super(
      `context "${init.context}" is not allowed to ${describeOperation(op)} (403 Forbidden): missing permission ${what}` +
        (init.statusMessage ? `. The API server said: ${init.statusMessage}` : ''),
      {
        ...init,
        hint: `use a context with more rights (cluster-admin), or ask for a Role/ClusterRole granting ${what}; check with: ${canI}`,
      },
    );
    this.verb = op.verb;
    this.resource = op.resource;
    this.group = op.group ?? '';
    this.namespace = op.namespace;
    this.canI = canI;
    this.permission = what;
  }
}

/**
 * Several requests refused with 403 (repair's dryRun=All validation of every write): all that is missing, each
 * with its own `kubectl auth can-i`, rather than the first alone.
 */
export class MissingPermissionsError extends KsRestoreError {
  readonly refusals: ForbiddenError[];
  constructor(refusals: ForbiddenError[]) {
    const contexts = [...new Set(refusals.map((r) => `"${r.context}"`))].join(', ');
    super(
      `context ${contexts} is not allowed to ${refusals.map((r) => r.operation).join(', ')} (403 Forbidden): missing permissions ${refusals.map((r) => r.permission).join('; ')}`,
      {
        exitCode: ExitCode.unreadable,
        hint: `use a context with more rights, or ask for a Role granting them; check each with:\n${refusals.map((r) => `  ${r.canI}`).join('\n')}`,
      },
    );
    this.refusals = refusals;
  }
}

export class NotFoundError extends KubeError {
  /** True when the API server does not serve the resource type at all (no such CRD or API group). */
  readonly resourceTypeMissing: boolean;
  constructor(init: KubeErrorInit & { resourceTypeMissing: boolean }) {
    super(
      init.resourceTypeMissing
        ? `the API server of context "${init.context}" does not serve ${init.operation.group ? `${init.operation.resource}.${init.operation.group}` : init.operation.resource} (needed to ${describeOperation(init.operation)})`
        : `not found in context "${init.context}": ${describeOperation(init.operation)}`,
      {
        ...init,
        hint:
          init.hint ??
          (init.resourceTypeMissing
            ? 'the CRD or API group is not installed on this cluster: check that the context points at the right cluster'
            : 'check the name and namespace, and that the context points at the right cluster'),
      },
    );
    this.resourceTypeMissing = init.resourceTypeMissing;
  }
}

/** 409: someone changed the object since it was read (or it already exists). Callers re-read and retry. */
export class ConflictError extends KubeError {
  constructor(init: KubeErrorInit) {
    super(
      `could not ${describeOperation(init.operation)} in context "${init.context}": ${
        init.reason === 'AlreadyExists'
          ? 'it already exists'
          : 'it was changed by someone else since it was read'
      } (409 ${init.reason ?? 'Conflict'})`,
      {
        ...init,
        // Whether anything was changed before it is the command's to say (the change journal), not the error's.
        hint:
          init.hint ??
          'another client changed it at the same time: run ks-restore again to re-read and re-plan',
      },
    );
  }
}

export class RequestTimeoutError extends KubeError {
  readonly timeoutMs: number;
  constructor(init: KubeErrorInit & { timeoutMs: number }) {
    super(
      `the API server of context "${init.context}" did not answer within ${formatMs(init.timeoutMs)} (${describeOperation(init.operation)})`,
      {
        ...init,
        hint: `check the connection to the cluster (VPN, proxy), or allow more time with --request-timeout (now ${formatMs(init.timeoutMs)})`,
      },
    );
    this.timeoutMs = init.timeoutMs;
  }
}

export class ApiServerError extends KubeError {
  constructor(init: KubeErrorInit & { statusMessage?: string }) {
    const code = init.status === undefined ? '' : `${init.status}${init.reason ? ` ${init.reason}` : ''}`;
    super(
      `the API server of context "${init.context}" failed to ${describeOperation(init.operation)}: ${code || 'unexpected response'}` +
        (init.statusMessage ? `: ${init.statusMessage}` : ''),
      {
        ...init,
        hint:
          init.hint ??
          `retry; if it persists, check the API server's health: kubectl --context ${init.context} get --raw /readyz`,
      },
    );
  }
}

/** The kubeconfig's exec plugin or auth provider failed before a request could be sent. */
export class AuthPluginError extends KubeError {
  constructor(init: KubeErrorInit & { detail: string }) {
    super(`could not authenticate to context "${init.context}": ${init.detail}`, {
      ...init,
      hint:
        init.hint ??
        `run the credential plugin by hand (e.g. kubectl --context ${init.context} get namespaces) to log in or see its error`,
    });
  }
}

export class DeploymentPausedError extends KubeError {
  constructor(init: KubeErrorInit) {
    const { namespace, name } = init.operation;
    super(
      `Deployment ${namespace}/${name} in context "${init.context}" is paused: a restart would not roll out`,
      {
        ...init,
        hint: `resume it first: kubectl --context ${init.context} -n ${namespace} rollout resume deployment/${name}`,
      },
    );
  }
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * A write got no answer that says whether it applied: a timeout, a reset, a 5xx, or a 2xx whose body was cut
 * off or is not JSON. Read the object back before doing anything else.
 */
export function writeOutcomeUnknown(err: unknown): boolean {
  if (err instanceof RequestTimeoutError) return true;
  if (err instanceof ClusterUnreachableError) return err.problem === 'reset' || err.problem === 'other';
  return err instanceof ApiServerError && (err.status === undefined || err.status >= 500 || err.status < 300);
}

/** The server answered and refused (4xx): nothing was applied. */
export function writeRefused(err: unknown): boolean {
  return err instanceof KubeError && err.status !== undefined && err.status >= 400 && err.status < 500;
}
