import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import {
  ApiServerError,
  ClusterUnreachableError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RequestTimeoutError,
  MissingPermissionsError,
  UnauthorizedError,
  canICommand,
  describeOperation,
} from '../../src/kube/errors.js';
import {
  errorFromResponse,
  errorFromTransport,
  parseStatus,
  sanitizeMessage,
} from '../../src/kube/map-error.js';
import type { RequestScope } from '../../src/kube/map-error.js';

const SECRET = 'jwt-SECRET-do-not-print';
const scope: RequestScope = {
  context: 'member',
  server: 'https://member.example:6443',
  operation: {
    verb: 'update',
    resource: 'configmaps',
    namespace: 'kubesphere-system',
    name: 'kubesphere-config',
  },
  timeoutMs: 10_000,
};
const status = (code: number, reason: string, message: string, details: object = {}): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('describeOperation', () => {
  it.each([
    [{ verb: 'get', resource: 'configmaps', namespace: 'ns', name: 'x' }, 'get configmaps ns/x'],
    [{ verb: 'list', resource: 'pods', namespace: 'ns' }, 'list pods in ns'],
    [{ verb: 'get', resource: 'namespaces', name: 'ns' }, 'get namespaces ns'],
    [
      { verb: 'list', resource: 'clusters', group: 'cluster.kubesphere.io' },
      'list clusters.cluster.kubesphere.io',
    ],
  ])('%j → %s', (op, expected) => expect(describeOperation(op)).toBe(expected));
});

describe('parseStatus', () => {
  it('reads only a v1.Status', () => {
    expect(
      parseStatus(status(404, 'NotFound', 'configmaps "x" not found', { name: 'x', kind: 'configmaps' })),
    ).toEqual({
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "x" not found',
      details: { name: 'x', kind: 'configmaps', group: undefined },
    });
  });
  it.each([
    ['an object', JSON.stringify({ kind: 'ConfigMap', data: { secret: SECRET } })],
    ['plain text', `404 page not found ${SECRET}`],
    ['nothing', undefined],
  ])('ignores %s', (_n, body) => expect(parseStatus(body)).toBeUndefined());
  it('hides values quoted by field validation', () => {
    expect(
      sanitizeMessage(`ConfigMap "x" is invalid: data[k]: Invalid value: "${SECRET}": bad`),
    ).not.toContain(SECRET);
  });
});

describe('errorFromResponse', () => {
  it.each([
    [401, 'Unauthorized', UnauthorizedError, 'kubectl --context member get namespaces'],
    [403, 'Forbidden', ForbiddenError, 'kubectl --context member auth can-i update configmaps'],
    [404, 'NotFound', NotFoundError, 'the context points at the right cluster'],
    [409, 'Conflict', ConflictError, 'run ks-restore again'],
    [500, 'InternalError', ApiServerError, 'kubectl --context member get --raw /readyz'],
    [503, 'ServiceUnavailable', ApiServerError, 'kubectl --context member get --raw /readyz'],
    [422, 'Invalid', ApiServerError, 'kubectl --context member get --raw /readyz'],
  ])('%i → %s', (code, reason, cls, hint) => {
    const err = errorFromResponse(scope, code, status(code, reason, 'msg', { name: 'kubesphere-config' }));
    expect(err).toBeInstanceOf(cls);
    expect(err.context).toBe('member');
    expect(err.status).toBe(code);
    expect(err.reason).toBe(reason);
    expect(err.operation).toBe('update configmaps kubesphere-system/kubesphere-config');
    expect(err.message).toContain('"member"');
    // The next step fits the failure: the command to check it with, or what to do (a conflict: run again).
    expect(err.hint).toContain(hint);
    // A 409 alone says nothing was applied by this request; the command's change journal decides exit 4.
    expect(err.exitCode).toBe(ExitCode.unreadable);
  });

  it('never quotes a body that is not a Status', () => {
    const body = JSON.stringify({ kind: 'ConfigMap', data: { 'kubesphere.yaml': `jwtSecret: ${SECRET}` } });
    for (const code of [400, 401, 403, 404, 409, 500]) {
      const err = errorFromResponse(scope, code, body);
      expect(`${err.message} ${err.hint}`).not.toContain(SECRET);
    }
  });

  it('403 names the verb, resource and namespace that are missing', () => {
    const msg =
      'configmaps "kubesphere-config" is forbidden: User "system:serviceaccount:default:ro" cannot update resource "configmaps" in API group "" in the namespace "kubesphere-system"';
    const err = errorFromResponse(
      scope,
      403,
      status(403, 'Forbidden', msg, { name: 'kubesphere-config', kind: 'configmaps' }),
    );
    expect(err).toBeInstanceOf(ForbiddenError);
    const f = err as ForbiddenError;
    expect([f.verb, f.resource, f.namespace]).toEqual(['update', 'configmaps', 'kubesphere-system']);
    expect(f.message).toContain('cannot update resource');
    expect(f.hint).toContain('auth can-i update configmaps/kubesphere-config -n kubesphere-system');
  });

  it('404 tells a missing object from a resource type that is not served', () => {
    const missingObject = errorFromResponse(
      scope,
      404,
      status(404, 'NotFound', 'not found', { name: 'kubesphere-config' }),
    );
    const missingType = errorFromResponse(scope, 404, '404 page not found');
    expect((missingObject as NotFoundError).resourceTypeMissing).toBe(false);
    expect((missingType as NotFoundError).resourceTypeMissing).toBe(true);
  });
});

describe('errorFromTransport', () => {
  const sys = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['CERT_HAS_EXPIRED', 'tls'],
  ])('%s → ClusterUnreachableError(%s)', (code, problem) => {
    const fetchError = Object.assign(new Error('request failed'), {
      name: 'FetchError',
      code,
      cause: sys(code),
    });
    const err = errorFromTransport(scope, fetchError, false) as ClusterUnreachableError;
    expect(err).toBeInstanceOf(ClusterUnreachableError);
    expect(err.problem).toBe(problem);
    expect(err.code).toBe(code);
    expect(err.message).toContain(scope.server);
    expect(err.message).toContain(code);
  });

  it('our timer firing → RequestTimeoutError with the timeout', () => {
    const err = errorFromTransport(scope, Object.assign(new Error('aborted'), { name: 'AbortError' }), true);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err.message).toContain('10s');
    expect(err.hint).toContain('--request-timeout');
  });
});

describe('canICommand: the kubectl auth can-i that answers for exactly the request', () => {
  const NS = 'kubesphere-system';
  it.each([
    [{ verb: 'get', resource: '/version' }, 'kubectl --context c auth can-i get /version'],
    [
      { verb: 'get', resource: 'secrets', namespace: NS, name: 'kubesphere-secret' },
      `kubectl --context c auth can-i get secrets/kubesphere-secret -n ${NS}`,
    ],
    [{ verb: 'list', resource: 'pods', namespace: NS }, `kubectl --context c auth can-i list pods -n ${NS}`],
    [
      { verb: 'get', resource: 'pods/log', namespace: NS, name: 'ks-apiserver-1' },
      `kubectl --context c auth can-i get pods/ks-apiserver-1 --subresource=log -n ${NS}`,
    ],
    [
      { verb: 'patch', resource: 'deployments', group: 'apps', namespace: NS, name: 'ks-agent' },
      `kubectl --context c auth can-i patch deployments.apps/ks-agent -n ${NS}`,
    ],
    [
      { verb: 'list', resource: 'clusters', group: 'cluster.kubesphere.io' },
      'kubectl --context c auth can-i list clusters.cluster.kubesphere.io',
    ],
  ])('%o', (op, command) => expect(canICommand('c', op)).toBe(command));

  it('in a pod (context in-cluster) kubectl needs no --context: it uses the service account too', () => {
    expect(canICommand('in-cluster', { verb: 'list', resource: 'pods', namespace: NS })).toBe(
      `kubectl auth can-i list pods -n ${NS}`,
    );
  });

  it('a 403 hint ends with that command; several 403s are listed one per line', () => {
    const refused = (name: string, resource: string) =>
      errorFromResponse(
        { ...scope, operation: { verb: 'update', resource, namespace: NS, name } },
        403,
        status(403, 'Forbidden', 'forbidden', { name }),
      ) as ForbiddenError;
    const one = refused('kubesphere-config', 'configmaps');
    expect(one.hint).toMatch(
      /check with: kubectl --context member auth can-i update configmaps\/kubesphere-config -n kubesphere-system$/,
    );
    const both = new MissingPermissionsError([one, refused('kubesphere-secret', 'secrets')]);
    expect(both.exitCode).toBe(ExitCode.unreadable);
    expect(both.hint?.split('\n').slice(1)).toEqual([
      `  kubectl --context member auth can-i update configmaps/kubesphere-config -n ${NS}`,
      `  kubectl --context member auth can-i update secrets/kubesphere-secret -n ${NS}`,
    ]);
  });
});
