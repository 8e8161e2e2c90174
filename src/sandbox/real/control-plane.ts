import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { createServer, connect } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { createClusterPki } from '../pki.js';
import type { ControlPlaneBinaries } from './binaries.js';
import { httpCall } from './http.js';
import type { HttpResult } from './http.js';

// --- child processes ----------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Children die with this process: `exit` runs on process.exit() and on a normal end of the event loop. */
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of children) {
        try {
          c.kill('SIGKILL');
        } catch {
          // already gone
        }
      }
    });
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
}

interface Proc {
  child: ChildProcess;
  logFile: string;
  /** Set once the process exited. */
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): Promise<void>;
}

/**
 * Runs the binary under a watchdog: a subshell that blocks reading a pipe from this process and, when the pipe
 * closes (stop(), or this process dying by any means, SIGKILL included), sends the binary SIGTERM and SIGKILL
 * 5 s later. `exec` makes the binary itself the spawned pid. Detached: a terminal's Ctrl-C reaches only the CLI,
 * which then stops the control plane in order.
 */
const WATCHDOG = `exec 3<&0 </dev/null
(
  trap '' TERM INT
  while read -r _ <&3; do :; done
  kill -TERM $$ 2>/dev/null
  i=0
  while kill -0 $$ 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 50 ]; then kill -KILL $$ 2>/dev/null; break; fi
    sleep 0.1
  done
) &
exec "$@" 3<&-`;

function startProcess(bin: string, args: string[], logFile: string): Proc {
  const fd = openSync(logFile, 'a');
  writeFileSync(fd, `$ ${bin} ${args.join(' ')}\n`);
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'watchdog', bin, ...args], {
    stdio: ['pipe', fd, fd],
    detached: true,
  });
  closeSync(fd);
  // The pipe is only there to be closed; keep it from holding the event loop open.
  child.stdin?.on('error', () => {});
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  track(child);
  const proc: Proc = {
    child,
    logFile,
    exited: undefined,
    stop: () => stopChild(child),
  };
  child.once('exit', (code, signal) => {
    proc.exited = { code, signal };
    // Lets the watchdog go before the pid can be reused.
    child.stdin?.destroy();
  });
  child.once('error', (err) => {
    proc.exited = { code: -1, signal: null };
    try {
      writeFileSync(logFile, `spawn failed: ${err.message}\n`, { flag: 'a' });
    } catch {
      // the log directory went away
    }
  });
  return proc;
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(file: string, n = 20): string {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

class StartError extends Error {
  constructor(
    what: string,
    readonly proc: Proc,
    reason: string,
  ) {
    super(`${what} ${reason}; last lines of ${proc.logFile}:\n${tail(proc.logFile)}`);
    this.name = 'ControlPlaneStartError';
  }
  get portClash(): boolean {
    return /address already in use/i.test(tail(this.proc.logFile, 40));
  }
}

// --- ports and polling --------------------------------------------------------------------------------------

/** A port nobody listens on right now (bind :0, read, close); the caller retries if it is taken meanwhile. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every `intervalMs` until it returns true; throws a StartError when the process exits or after
 * `timeoutMs`.
 */
async function waitUntil(
  what: string,
  proc: Proc,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) {
      throw new StartError(
        what,
        proc,
        `exited during start-up (code ${proc.exited.code ?? proc.exited.signal})`,
      );
    }
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new StartError(what, proc, `was not ready after ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}

/** Starts with fresh ports until the process does not die of a port clash (3 attempts). */
async function withPortRetry<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      if (!(err instanceof StartError) || !err.portClash || attempt >= 3) throw err;
      await err.proc.stop();
    }
  }
}

function get(url: string, opts: { agent?: Agent; token?: string } = {}): Promise<HttpResult> {
  return httpCall(url, {
    method: 'GET',
    ...(opts.agent ? { agent: opts.agent } : {}),
    headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
    timeoutMs: 5000,
  });
}

function send(
  url: string,
  method: string,
  body: unknown,
  opts: { agent: Agent; token: string },
): Promise<HttpResult> {
  return httpCall(url, {
    method,
    agent: opts.agent,
    headers: { Authorization: `Bearer ${opts.token}` },
    body: JSON.stringify(body),
    timeoutMs: 10_000,
  });
}

// --- etcd ---------------------------------------------------------------------------------------------------

export interface StartedEtcd {
  url: string;
  stop(): Promise<void>;
}

/** One etcd for every cluster of a sandbox (each API server keeps its own --etcd-prefix), without fsync. */
export async function startEtcd(opts: { bin: ControlPlaneBinaries; dir: string }): Promise<StartedEtcd> {
  mkdirSync(opts.dir, { recursive: true });
  const timeoutMs = 30_000;
  return withPortRetry(async () => {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const client = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const proc = startProcess(
      opts.bin.etcd,
      [
        '--name=default',
        `--data-dir=${join(opts.dir, 'data')}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=default=${peer}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      join(opts.dir, 'etcd.log'),
    );
    try {
      await waitUntil(
        'etcd',
        proc,
        async () => {
          const r = await get(`${client}/health`);
          return r.status === 200 && /"health":\s*"true"/.test(r.body);
        },
        timeoutMs,
        50,
      );
    } catch (err) {
      await proc.stop();
      throw err;
    }
    return { url: client, stop: () => proc.stop() };
  });
}

// --- one cluster: kube-apiserver + kube-controller-manager ---------------------------------------------------

export interface RealCluster {
  name: string;
  /** What clients use: the API server, or the delaying proxy in front of it when latencyMs is set. */
  url: string;
  /** The API server itself, never delayed (for the sandbox's own controllers). */
  directUrl: string;
  caCertPem: string;
  adminToken: string;
  readonlyToken: string;
  stop(): Promise<void>;
  /** kube-apiserver (and KCM) stderr log files, for failures */
  logDir: string;
}

const KCM_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'clusterrole-aggregation-controller',
];

function kubeconfig(name: string, url: string, caCertPem: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: url, 'certificate-authority-data': Buffer.from(caCertPem).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name, context: { cluster: name, user: 'admin' } }],
    'current-context': name,
  });
}

/**
 * kube-apiserver (storing under /registry-<name> in the shared etcd) and a kube-controller-manager running only
 * the controllers the sandbox needs; resolves once the API is ready, namespace `default` exists, the `view`
 * ClusterRole has been aggregated and the read-only user is bound to it.
 */
export async function startRealCluster(opts: {
  bin: ControlPlaneBinaries;
  etcd: StartedEtcd;
  name: string;
  dir: string;
  adminToken: string;
  readonlyToken: string;
  latencyMs?: number;
}): Promise<RealCluster> {
  const { bin, name, dir, adminToken, readonlyToken } = opts;
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) throw new Error(`invalid cluster name "${name}"`);
  for (const t of [adminToken, readonlyToken]) {
    if (!/^[^\s,"]+$/.test(t)) throw new Error('tokens must not contain whitespace, commas or quotes');
  }
  const pkiDir = join(dir, 'pki');
  const logDir = join(dir, 'logs');
  mkdirSync(pkiDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const pki = createClusterPki(name);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const files = {
    ca: join(pkiDir, 'ca.crt'),
    cert: join(pkiDir, 'apiserver.crt'),
    key: join(pkiDir, 'apiserver.key'),
    saKey: join(pkiDir, 'sa.key'),
    saPub: join(pkiDir, 'sa.pub'),
    tokens: join(pkiDir, 'tokens.csv'),
    kubeconfig: join(dir, 'admin.kubeconfig'),
  };
  writeFileSync(files.ca, pki.caCertPem);
  writeFileSync(files.cert, pki.serverCertPem);
  writeFileSync(files.key, pki.serverKeyPem, { mode: 0o600 });
  writeFileSync(files.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(files.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' }));
  // token,user,uid,"groups"
  writeFileSync(
    files.tokens,
    `${adminToken},admin,admin,"system:masters"\n${readonlyToken},readonly,readonly\n`,
    { mode: 0o600 },
  );

  const agent = new Agent({ ca: pki.caCertPem, keepAlive: true, maxSockets: 4 });
  const timeoutMs = 90_000;
  let apiserver: Proc | undefined;
  let kcm: Proc | undefined;
  let proxy: DelayProxy | undefined;
  const stop = async (): Promise<void> => {
    await proxy?.close();
    await kcm?.stop();
    await apiserver?.stop();
    agent.destroy();
  };

  try {
    const url = await withPortRetry(async () => {
      const port = await freePort();
      const url = `https://127.0.0.1:${port}`;
      const proc = startProcess(
        bin.kubeApiserver,
        [
          `--etcd-servers=${opts.etcd.url}`,
          `--etcd-prefix=/registry-${name}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${port}`,
          `--cert-dir=${pkiDir}`,
          `--tls-cert-file=${files.cert}`,
          `--tls-private-key-file=${files.key}`,
          `--token-auth-file=${files.tokens}`,
          `--service-account-issuer=${url}/`,
          `--service-account-key-file=${files.saPub}`,
          `--service-account-signing-key-file=${files.saKey}`,
          // KubeKey's default service CIDR, where the simulated tower Services' clusterIPs are.
          '--service-cluster-ip-range=10.233.0.0/18',
          '--authorization-mode=RBAC',
          '--disable-admission-plugins=ServiceAccount',
          '--allow-privileged=true',
          '--endpoint-reconciler-type=none',
          '--kubelet-preferred-address-types=InternalIP',
          // No API Priority and Fairness: saves its controllers, its bootstrap objects and start-up time.
          '--enable-priority-and-fairness=false',
          '--profiling=false',
        ],
        join(logDir, 'kube-apiserver.log'),
      );
      apiserver = proc;
      try {
        await waitUntil(
          `kube-apiserver of ${name}`,
          proc,
          async () => (await get(`${url}/readyz`, { agent, token: adminToken })).status === 200,
          timeoutMs,
          200,
        );
      } catch (err) {
        await proc.stop();
        apiserver = undefined;
        throw err;
      }
      return url;
    });
    const api = apiserver!;

    writeFileSync(files.kubeconfig, kubeconfig(name, url, pki.caCertPem, adminToken), { mode: 0o600 });
    kcm = startProcess(
      bin.kubeControllerManager,
      [
        `--kubeconfig=${files.kubeconfig}`,
        '--leader-elect=false',
        `--controllers=${KCM_CONTROLLERS.join(',')}`,
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        '--kube-api-qps=100',
        '--kube-api-burst=200',
        '--profiling=false',
      ],
      join(logDir, 'kube-controller-manager.log'),
    );

    const ok = async (path: string) =>
      (await get(`${url}${path}`, { agent, token: adminToken })).status === 200;
    await waitUntil(
      `kube-apiserver of ${name} (namespace default)`,
      api,
      () => ok('/api/v1/namespaces/default'),
      timeoutMs,
    );
    await waitUntil(
      `kube-controller-manager of ${name} (aggregated ClusterRole view)`,
      kcm,
      async () => {
        const r = await get(`${url}/apis/rbac.authorization.k8s.io/v1/clusterroles/view`, {
          agent,
          token: adminToken,
        });
        if (r.status !== 200) return false;
        const rules = (JSON.parse(r.body) as { rules?: unknown[] | null }).rules;
        return Array.isArray(rules) && rules.length > 0;
      },
      timeoutMs,
      200,
    );
    const binding = await send(
      `${url}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`,
      'POST',
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'ks-restore-sandbox-readonly' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'readonly' }],
      },
      { agent, token: adminToken },
    );
    if (binding.status !== 201 && binding.status !== 409) {
      throw new Error(
        `creating ClusterRoleBinding ks-restore-sandbox-readonly: HTTP ${binding.status} ${binding.body}`,
      );
    }

    let clientUrl = url;
    if (opts.latencyMs) {
      proxy = await delayProxy(Number(new URL(url).port), opts.latencyMs);
      clientUrl = `https://127.0.0.1:${proxy.port}`;
    }
    return {
      name,
      url: clientUrl,
      directUrl: url,
      caCertPem: pki.caCertPem,
      adminToken,
      readonlyToken,
      logDir,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// --- latency ------------------------------------------------------------------------------------------------

interface DelayProxy {
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP passthrough to 127.0.0.1:target that holds every chunk for `delayMs` in each direction, so TLS still
 * ends at the API server (its certificate names 127.0.0.1) and a request costs about two delays more.
 */
async function delayProxy(target: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), delayMs + 1));
  };
  const server: Server = createServer((downstream) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(downstream, upstream);
    pipe(upstream, downstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
