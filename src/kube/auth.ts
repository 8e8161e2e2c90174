import type { KubeConfig } from './client-node.js';
import { UsageError } from '../errors.js';
import { AuthPluginError, formatMs } from './errors.js';
import type { RequestScope } from './map-error.js';

const AUTH_TIMEOUT = Symbol('auth timeout');

/**
 * Runs client-node's credential step (token file, client certificate, exec plugin, auth provider) with the
 * request timeout, and turns its failures into errors that name the context. A plugin's stdout (where the
 * credential is) never reaches a message; its stderr is what kubectl shows too.
 */
export async function withCredentials(
  scope: RequestScope,
  kc: KubeConfig,
  apply: () => Promise<void>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const pending = apply();
  pending.catch(() => undefined); // it may settle after we gave up on it
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(AUTH_TIMEOUT), scope.timeoutMs);
  });
  try {
    await Promise.race([pending, timeout]);
  } catch (err) {
    throw credentialError(scope, kc, err);
  } finally {
    clearTimeout(timer);
  }
}

interface ExecConfig {
  command?: string;
  installHint?: string;
}

function credentialError(scope: RequestScope, kc: KubeConfig, err: unknown): Error {
  const user = kc.getCurrentUser();
  const exec = (user?.exec ?? user?.authProvider?.config?.exec) as ExecConfig | undefined;
  const cmd = exec?.command ?? 'the exec plugin';
  const base = { context: scope.context, operation: scope.operation };
  const e = (err ?? {}) as NodeJS.ErrnoException;
  if (err === AUTH_TIMEOUT) {
    return new AuthPluginError({
      ...base,
      detail: `getting credentials did not finish within ${formatMs(scope.timeoutMs)}${exec ? ` ("${cmd}" may be waiting for input it cannot ask for here)` : ''}`,
      hint: `run kubectl --context ${scope.context} get namespaces once to log in interactively, then retry`,
    });
  }
  if (typeof e.syscall === 'string' && e.syscall.startsWith('spawn')) {
    return new AuthPluginError({
      ...base,
      detail: `exec plugin "${cmd}" could not be started (${e.code ?? 'error'})`,
      hint:
        exec?.installHint?.trim() || `install "${cmd}" or fix users[].user.exec.command in the kubeconfig`,
    });
  }
  if (e.syscall === 'open' || (typeof e.path === 'string' && typeof e.code === 'string')) {
    return new UsageError(
      `context "${scope.context}": cannot read ${e.path ?? 'a file'} named in the kubeconfig (${e.code ?? 'error'})`,
      'fix the certificate, key or token file path in the kubeconfig',
    );
  }
  if (exec) {
    // SyntaxError/TypeError: the plugin exited 0 but printed no valid ExecCredential; its output is the secret.
    const detail =
      err instanceof SyntaxError || err instanceof TypeError
        ? `exec plugin "${cmd}" did not print a valid ExecCredential`
        : `exec plugin "${cmd}" failed${stderrSummary(e.message)}`;
    return new AuthPluginError({ ...base, detail });
  }
  const provider = typeof user?.authProvider?.name === 'string' ? user.authProvider.name : undefined;
  return new AuthPluginError({
    ...base,
    detail: provider
      ? `auth provider "${provider}" failed${stderrSummary(e.message)}`
      : `could not prepare the credentials (${e.code ?? e.name ?? 'error'})`,
  });
}

function stderrSummary(text: string | undefined): string {
  const t = (text ?? '').replace(/\s+/g, ' ').trim();
  if (!t) return '';
  return `: ${t.length > 300 ? `${t.slice(0, 300)}…` : t}`;
}
