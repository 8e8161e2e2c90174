import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/errors.js';
import { KsRestoreError } from '../../src/errors.js';
import { describeFailure } from '../../src/kube/failure.js';
import {
  ApiServerError,
  AuthPluginError,
  ClusterUnreachableError,
  ConflictError,
  DeploymentPausedError,
  ForbiddenError,
  NotFoundError,
  RequestTimeoutError,
  MissingPermissionsError,
  UnauthorizedError,
  canICommand,
  describeOperation,
  writeOutcomeUnknown,
  writeRefused,
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

describe('what a user is told, whatever the server or the network sent', () => {
  it('a field-validation message: every rejected value hidden, quoted or bare, and the rest kept on one line', () => {
    expect(
      sanitizeMessage(
        `data[jwtSecret]: Invalid value: "a \\"quoted\\" ${SECRET}": too long,\n  data[x]: Invalid value: ${SECRET}, and more`,
      ),
    ).toBe('data[jwtSecret]: Invalid value: (hidden): too long, data[x]: Invalid value: (hidden), and more');
  });

  it('a message is cut at 400 characters, marked with …', () => {
    expect(sanitizeMessage('x'.repeat(400))).toBe('x'.repeat(400));
    expect(sanitizeMessage('x'.repeat(401))).toBe(`${'x'.repeat(400)}…`);
  });

  it('a Status: empty strings and fields of the wrong type are left out', () => {
    const body = JSON.stringify({ kind: 'Status', code: '500', reason: '', message: '', details: null });
    expect(parseStatus(body)).toEqual({
      details: { name: undefined, kind: undefined, group: undefined },
    });
    for (const body of ['', 'null', '"Status"', '[{"kind":"Status"}]'])
      expect(parseStatus(body), body).toBeUndefined();
  });

  it.each([
    [401, UnauthorizedError, 'Unauthorized'],
    [403, ForbiddenError, 'Forbidden'],
    [404, NotFoundError, 'NotFound'],
    [409, ConflictError, 'Conflict'],
  ])('%i without a Status (a proxy page) is still a %o with reason %s', (code, cls, reason) => {
    const err = errorFromResponse(scope, code, '<html>blocked</html>');
    expect(err).toBeInstanceOf(cls);
    expect(err.reason).toBe(reason);
  });

  it('a 5xx Status: its message, sanitized, is in the error; a body that is no Status is not', () => {
    const said = errorFromResponse(
      scope,
      500,
      status(500, 'InternalError', `etcd: Invalid value: ${SECRET}`),
    );
    expect(said.message).toBe(
      'the API server of context "member" failed to update configmaps kubesphere-system/kubesphere-config: ' +
        '500 InternalError: etcd: Invalid value: (hidden)',
    );
    const bare = errorFromResponse(scope, 502, 'Bad Gateway');
    expect(bare.message).toBe(
      'the API server of context "member" failed to update configmaps kubesphere-system/kubesphere-config: 502',
    );
  });

  describe('a transport failure', () => {
    const withCode = (code: unknown, cause?: unknown): Error =>
      Object.assign(new Error('failed'), { code, ...(cause ? { cause } : {}) });

    it('finds the code down a chain of causes, skipping empty ones, up to 4 deep', () => {
      const deep = (n: number): Error => {
        let e: Error = withCode('ECONNREFUSED');
        for (let i = 1; i < n; i++) e = withCode('', e);
        return e;
      };
      expect((errorFromTransport(scope, deep(4), false) as ClusterUnreachableError).code).toBe(
        'ECONNREFUSED',
      );
      const tooDeep = errorFromTransport(scope, deep(5), false) as ClusterUnreachableError;
      expect(tooDeep.code).toBeUndefined();
      expect(tooDeep.problem).toBe('other');
    });

    it.each([
      ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'TLS: TLS error (ERR_SSL_PACKET_LENGTH_TOO_LONG)'],
      ['ERR_TLS_HANDSHAKE_TIMEOUT', 'TLS: TLS error (ERR_TLS_HANDSHAKE_TIMEOUT)'],
      ['EPROTO', 'TLS: the TLS handshake failed (is this an HTTPS port?) (EPROTO)'],
    ])('an unlisted or generic TLS code %s is a TLS problem: %s', (code, detail) => {
      const err = errorFromTransport(scope, withCode(code), false) as ClusterUnreachableError;
      expect(err.problem).toBe('tls');
      expect(err.message).toContain(detail);
      expect(err.hint).toContain('certificate-authority-data of context "member"');
    });

    it.each([
      ['EWHATEVER', 'the request failed (EWHATEVER)'],
      [undefined, 'the request failed'],
      [42, 'the request failed'],
    ])('an unknown code %s: problem other, "%s", and a hint', (code, detail) => {
      const err = errorFromTransport(scope, withCode(code), false) as ClusterUnreachableError;
      expect(err.problem).toBe('other');
      expect(err.message).toContain(detail);
      expect(err.hint).toBe('check the server URL in the kubeconfig and your network');
    });

    it('each kind of network failure has its own next step', () => {
      const hints = ['ECONNREFUSED', 'ENOTFOUND', 'ENETUNREACH', 'EPIPE', 'CERT_UNTRUSTED', 'EWHATEVER'].map(
        (code) => errorFromTransport(scope, withCode(code), false).hint ?? '',
      );
      expect(new Set(hints).size).toBe(hints.length);
      for (const h of hints) expect(h.length).toBeGreaterThan(30);
    });
  });
});

describe('after a failed write: applied, refused, or unknown', () => {
  const base = { context: 'member', operation: scope.operation };
  const unreachable = (problem: 'reset' | 'other' | 'refused' | 'dns' | 'tls' | 'unreachable') =>
    new ClusterUnreachableError({ ...base, server: scope.server, problem, detail: 'x', hint: 'y' });
  it.each([
    ['a timeout', true, false, new RequestTimeoutError({ ...base, timeoutMs: 1000 })],
    ['a reset', true, false, unreachable('reset')],
    ['a connection lost another way', true, false, unreachable('other')],
    ['a refused connection (never sent)', false, false, unreachable('refused')],
    ['a name that does not resolve', false, false, unreachable('dns')],
    ['a TLS failure', false, false, unreachable('tls')],
    ['a 500', true, false, new ApiServerError({ ...base, status: 500 })],
    ['a 2xx whose body was cut off', true, false, new ApiServerError({ ...base, status: 200 })],
    ['no status at all', true, false, new ApiServerError({ ...base })],
    ['a 422', false, true, new ApiServerError({ ...base, status: 422 })],
    ['a 409', false, true, new ConflictError({ ...base, status: 409 })],
    ['a 403', false, true, new ForbiddenError({ ...base, status: 403 })],
    ['a 3xx', false, false, new ApiServerError({ ...base, status: 302 })],
    ['not a kube error', false, false, new Error('x')],
  ])('%s: outcome unknown %s, refused %s', (_what, unknown, refused, err) => {
    expect(writeOutcomeUnknown(err)).toBe(unknown);
    expect(writeRefused(err)).toBe(refused);
  });
});

describe('describeFailure: a failed read as a finding', () => {
  const base = { context: 'member', operation: scope.operation };
  it.each([
    [
      'unreachable',
      new ClusterUnreachableError({ ...base, server: 's', problem: 'refused', detail: 'd', hint: 'h' }),
    ],
    ['unauthorized', new UnauthorizedError({ ...base, status: 401 })],
    ['forbidden', new ForbiddenError({ ...base, status: 403 })],
    ['forbidden', new MissingPermissionsError([new ForbiddenError({ ...base, status: 403 })])],
    ['timeout', new RequestTimeoutError({ ...base, timeoutMs: 1000 })],
    ['not-found', new NotFoundError({ ...base, status: 404, resourceTypeMissing: false })],
    ['auth-plugin', new AuthPluginError({ ...base, detail: 'exec plugin failed' })],
    ['server', new ApiServerError({ ...base, status: 500 })],
  ])('%s, with its message and hint', (kind, err) => {
    expect(describeFailure(err)).toEqual({ kind, message: err.message, hint: err.hint });
  });

  it('an error of ours without a hint has none', () => {
    expect(describeFailure(new KsRestoreError('plain', { exitCode: ExitCode.unreadable }))).toEqual({
      kind: 'server',
      message: 'plain',
    });
  });

  it('a foreign error: only its class name, since its message may hold a response body', () => {
    expect(describeFailure(new TypeError(`body: ${SECRET}`))).toEqual({
      kind: 'other',
      message: 'unexpected TypeError while reading the cluster',
      hint: 'Re-run with KS_RESTORE_DEBUG=1 and report it.',
    });
    expect(describeFailure('a string').message).toBe('unexpected string while reading the cluster');
  });
});

describe('what a Role must grant, as a refused request names it', () => {
  const forbidden = (op: Parameters<typeof describeOperation>[0]): string =>
    new ForbiddenError({ context: 'member', operation: op, status: 403 }).permission;
  it.each([
    [{ verb: 'get', resource: '/readyz' }, '"get" on the non-resource URL /readyz'],
    [
      { verb: 'get', resource: 'pods/log', namespace: 'ns', name: 'p' },
      '"get" on pods/log in namespace "ns"',
    ],
    [
      { verb: 'update', resource: 'secrets', namespace: 'ns', name: 's' },
      '"update" on secrets "s" in namespace "ns"',
    ],
    [
      { verb: 'list', resource: 'clusters', group: 'cluster.kubesphere.io' },
      '"list" on clusters.cluster.kubesphere.io (cluster-wide)',
    ],
  ])('%j → %s', (op, expected) => expect(forbidden(op)).toBe(expected));

  it('several refusals: each context once, every operation and permission', () => {
    const a = new ForbiddenError({
      context: 'm1',
      operation: { verb: 'get', resource: 'secrets', namespace: 'n' },
      status: 403,
    });
    const b = new ForbiddenError({
      context: 'm1',
      operation: { verb: 'patch', resource: 'deployments', group: 'apps', namespace: 'n', name: 'd' },
      status: 403,
    });
    const err = new MissingPermissionsError([a, b]);
    expect(err.message).toBe(
      'context "m1" is not allowed to get secrets in n, patch deployments.apps n/d (403 Forbidden): missing permissions ' +
        '"get" on secrets in namespace "n"; "patch" on deployments.apps "d" in namespace "n"',
    );
  });
});

describe('each error says what failed, where, and the next step', () => {
  const get = { verb: 'get', resource: 'deployments', group: 'apps', namespace: 'ks', name: 'ks-apiserver' };
  const base = { context: 'm', operation: get };
  it.each([
    [
      new NotFoundError({ ...base, status: 404, resourceTypeMissing: true }),
      'the API server of context "m" does not serve deployments.apps (needed to get deployments.apps ks/ks-apiserver)',
      'the CRD or API group is not installed on this cluster: check that the context points at the right cluster',
    ],
    [
      new NotFoundError({ ...base, status: 404, resourceTypeMissing: false }),
      'not found in context "m": get deployments.apps ks/ks-apiserver',
      'check the name and namespace, and that the context points at the right cluster',
    ],
    [
      new ConflictError({ ...base, status: 409, reason: 'AlreadyExists' }),
      'could not get deployments.apps ks/ks-apiserver in context "m": it already exists (409 AlreadyExists)',
      'another client changed it at the same time: run ks-restore again to re-read and re-plan',
    ],
    [
      new ConflictError({ ...base, status: 409 }),
      'could not get deployments.apps ks/ks-apiserver in context "m": it was changed by someone else since it was read (409 Conflict)',
      'another client changed it at the same time: run ks-restore again to re-read and re-plan',
    ],
    [
      new AuthPluginError({ ...base, detail: 'exec: executable aws not found' }),
      'could not authenticate to context "m": exec: executable aws not found',
      'run the credential plugin by hand (e.g. kubectl --context m get namespaces) to log in or see its error',
    ],
    [
      new DeploymentPausedError(base),
      'Deployment ks/ks-apiserver in context "m" is paused: a restart would not roll out',
      'resume it first: kubectl --context m -n ks rollout resume deployment/ks-apiserver',
    ],
    [
      new RequestTimeoutError({ ...base, timeoutMs: 1500 }),
      'the API server of context "m" did not answer within 1500ms (get deployments.apps ks/ks-apiserver)',
      undefined,
    ],
  ])('%s', (err, message, hint) => {
    expect(err.message).toBe(message);
    if (hint !== undefined) expect(err.hint).toBe(hint);
  });

  it('a hint given by the caller replaces the default one; a cause is kept', () => {
    const cause = new Error('inner');
    const err = new AuthPluginError({ ...base, detail: 'd', hint: 'log in with sso', cause });
    expect(err.hint).toBe('log in with sso');
    expect(err.cause).toBe(cause);
    expect(new ConflictError({ ...base, status: 409 }).cause).toBeUndefined();
  });

  it('a 404 Status for a list (no name) means the type is not served', () => {
    const list = {
      ...scope,
      operation: { verb: 'list', resource: 'clusters', group: 'cluster.kubesphere.io' },
    };
    const err = errorFromResponse(
      list,
      404,
      status(404, 'NotFound', 'the server could not find the requested resource'),
    );
    expect((err as NotFoundError).resourceTypeMissing).toBe(true);
  });

  it('a Status field of the wrong type is dropped, and a message is trimmed', () => {
    const body = JSON.stringify({
      kind: 'Status',
      message: '  x  ',
      details: { name: 5, kind: '', group: 'g' },
    });
    expect(parseStatus(body)).toEqual({
      message: 'x',
      details: { name: undefined, kind: undefined, group: 'g' },
    });
  });

  it('refused means a 4xx answer from a Kubernetes API server, nothing else', () => {
    const api = (s: number) => new ApiServerError({ ...base, status: s });
    expect([399, 400, 499, 500].map((s) => writeRefused(api(s)))).toEqual([false, true, true, false]);
    expect(writeRefused(Object.assign(new Error('x'), { status: 400 }))).toBe(false);
    expect([299, 300].map((s) => writeOutcomeUnknown(api(s)))).toEqual([true, false]);
  });
});

describe('every known network and TLS code: its problem, and words for it beyond the code', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ENOTFOUND', 'dns'],
    ['EAI_AGAIN', 'dns'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'unreachable'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['CERT_HAS_EXPIRED', 'tls'],
    ['CERT_NOT_YET_VALID', 'tls'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'tls'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls'],
    ['CERT_SIGNATURE_FAILURE', 'tls'],
    ['CERT_UNTRUSTED', 'tls'],
    ['CERT_REJECTED', 'tls'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
    ['EPROTO', 'tls'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
  ])('%s → %s', (code, problem) => {
    const err = errorFromTransport(scope, Object.assign(new Error('x'), { code }), false);
    expect((err as ClusterUnreachableError).problem).toBe(problem);
    const detail = err.message.slice(
      err.message.indexOf('kubesphere-config: ') + 'kubesphere-config: '.length,
    );
    expect(detail).toMatch(new RegExp(`^(TLS: )?[a-z].{12,} \\(${code}\\)$`));
    expect(detail).not.toMatch(/TLS error/);
  });
});
