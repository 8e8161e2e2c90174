import type { CrashReason, LoadedConfig } from './config-load.js';
import { goLogLine, klogLine } from './klog.js';
import type { LogEntry } from './klog.js';
import type { KsVersion } from './versions.js';

/**
 * The log statements ks-apiserver reaches on start and on a rejected bearer token, with the file:line each
 * prints, read from kubesphere/kubesphere at v3.0.0, v3.1.1, v3.2.1, v3.3.2, v3.4.1 and v4.1.3.
 */
export type AuthFailure = 'token not found in cache' | 'signature is invalid';

const W = (at: string, msg: string): LogEntry => ({ sev: 'W', at, msg });
const E = (at: string, msg: string): LogEntry => ({ sev: 'E', at, msg });
const I = (at: string, msg: string): LogEntry => ({ sev: 'I', at, msg });

/** Lines one rejected request writes, in order. */
export function authFailureEntries(v: KsVersion, why: AuthFailure): LogEntry[] {
  const sig = why === 'signature is invalid';
  switch (v) {
    case '3.0':
      // im/token.go logs what the issuer (jwt.go:51) or the cache check (token.go:65) returned, then the chain.
      return [
        sig ? E('jwt.go:51', why) : E('token.go:65', why),
        ...(sig ? [E('token.go:57', why)] : []),
        E('jwt_token.go:45', why),
        E('authentication.go:60', `Unable to authenticate the request due to error: ${why}`),
      ];
    case '3.1':
      return [W('jwt_token.go:52', why)];
    case '3.2':
    case '3.3':
    case '3.4': {
      const issuer = v === '3.4' ? 'issuer.go:182' : 'issuer.go:187';
      return [...(sig ? [W(issuer, `jwt: failed to parse token: ${why}`)] : []), W('jwt.go:53', why)];
    }
    case '4.1':
      return [
        ...(sig ? [W('issuer.go:171', `jwt: failed to parse token: ${why}`)] : []),
        W('jwt.go:47', why),
        E('authentication.go:64', `Request authentication failed: ${why}`),
      ];
  }
}

/**
 * Lines a token issued in the member's future writes (`msg` from jwt.ts issuedInFuture): the issuer's own warning
 * (3.2+ token/issuer.go `klog.Warning(err)`; 3.1 logs it at V(4) only; 3.0's jwt.go:51 `klog.Error`), then the
 * chain a rejected token takes, as for a bad signature.
 */
export function clockFailureEntries(v: KsVersion, msg: string): LogEntry[] {
  switch (v) {
    case '3.0':
      return [
        E('jwt.go:51', msg),
        E('token.go:57', msg),
        E('jwt_token.go:45', msg),
        E('authentication.go:60', `Unable to authenticate the request due to error: ${msg}`),
      ];
    case '3.1':
      return [W('jwt_token.go:52', msg)];
    case '3.2':
    case '3.3':
    case '3.4':
      return [W(v === '3.4' ? 'issuer.go:198' : 'issuer.go:203', msg), W('jwt.go:53', msg)];
    case '4.1':
      return [
        W('issuer.go:187', msg),
        W('jwt.go:47', msg),
        E('authentication.go:64', `Request authentication failed: ${msg}`),
      ];
  }
}

/** 4.1 host: its multicluster proxy turns a member's 401 into 511 and logs the member's Status body. */
export function hostUnauthorizedEntry(v: KsVersion, memberHost: string, why: string): LogEntry | undefined {
  if (v !== '4.1') return undefined;
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: why,
    reason: 'Unauthorized',
    code: 401,
  });
  return W('multicluster.go:188', `Request unauthorized, host: ${memberHost}, reason: ${body}`);
}

const IN_MEMORY: Record<KsVersion, LogEntry | undefined> = {
  '3.0': undefined,
  '3.1': W(
    'options.go:180',
    'ks-apiserver starts without redis provided, it will use in memory cache. This may cause inconsistencies when running ks-apiserver with multiple replicas.',
  ),
  '3.2': W(
    'options.go:183',
    'ks-apiserver starts without redis provided, it will use in memory cache. This may cause inconsistencies when running ks-apiserver with multiple replicas.',
  ),
  '3.3': W(
    'options.go:193',
    'ks-apiserver starts without cache provided, it will use in memory cache. This may cause inconsistencies when running ks-apiserver with multiple replicas, and memory leak risk',
  ),
  '3.4': W(
    'cache.go:64',
    'In-memory cache will be used, this may cause data inconsistencies when running with multiple replicas.',
  ),
  '4.1': W(
    'cache.go:48',
    'In-memory cache will be used, this may cause data inconsistencies when running with multiple replicas.',
  ),
};

/** apiserver.go's "Start cache objects", "Finished caching objects", "Start listening on" per release. */
const SERVE: Record<KsVersion, [string, string, string] | [string]> = {
  '3.0': ['apiserver.go:300', 'apiserver.go:502', 'apiserver.go:232'],
  '3.1': ['apiserver.go:372', 'apiserver.go:576', 'apiserver.go:297'],
  '3.2': ['apiserver.go:356', 'apiserver.go:562', 'apiserver.go:278'],
  '3.3': ['apiserver.go:421', 'apiserver.go:605', 'apiserver.go:298'],
  '3.4': ['apiserver.go:428', 'apiserver.go:619', 'apiserver.go:297'],
  '4.1': ['apiserver.go:227'],
};

/** What a healthy start (or a 3.3/3.4 in-process restart after a config change) logs. */
export function startupEntries(v: KsVersion, cfg: LoadedConfig): LogEntry[] {
  const out: LogEntry[] = [];
  const warn = IN_MEMORY[v];
  if (cfg.cache === 'in-memory' && warn) out.push(warn);
  const serve = SERVE[v];
  if (serve.length === 3)
    out.push(I(serve[0], 'Start cache objects'), I(serve[1], 'Finished caching objects'));
  out.push(I(serve[serve.length - 1]!, 'Start listening on :9090'));
  return out;
}

/** The complete output of a process that exits at start (the container then restarts, CrashLoopBackOff). */
export function crashLines(v: KsVersion, crash: CrashReason, time: Date): string[] {
  const err =
    crash.kind === 'empty-secret'
      ? 'JWT secret MUST not be empty'
      : crash.kind === 'no-redis'
        ? 'redis service address MUST not be empty, please check configmap/kubesphere-config in kubesphere-system namespace'
        : crash.detail;
  if (crash.kind === 'unreadable-config' || crash.kind === 'bad-duration') {
    // klog.Fatal in NewAPIServerCommand; 3.1–3.3 pass the error as a second Sprint operand (no separator).
    const at = {
      '3.0': 'server.go:47',
      '3.1': 'server.go:47',
      '3.2': 'server.go:47',
      '3.3': 'server.go:49',
      '3.4': 'server.go:46',
      '4.1': 'server.go:33',
    }[v];
    const sep = v === '3.4' || v === '4.1' ? ': ' : '';
    return [klogLine({ sev: 'F', at, msg: `Failed to load configuration from disk${sep}${err}` }, time)];
  }
  // 3.4/4.1 main goes through component-base cli.Run; older mains print cobra's error, then log.Fatalln.
  if (v === '3.4') return [klogLine(E('run.go:74', `"command failed" err="${err}"`), time)];
  if (v === '4.1') return [klogLine(E('run.go:72', `"command failed" err="${err}"`), time)];
  return [`Error: ${err}`, goLogLine(time, err)];
}
