import type { LogStore } from '../apiserver/logs.js';
import { retryOnConflict } from '../cluster-api.js';
import type { ClusterApi, KubeObject, WatchEvent } from '../cluster-api.js';
import { loadKsConfig } from './config-load.js';
import type { LoadedConfig } from './config-load.js';
import { configText, CONFIG_NAME, KS_NAMESPACE } from './configmap.js';
import { klogLine } from './klog.js';
import type { LogEntry } from './klog.js';
import { crashLines, startupEntries } from './log-catalog.js';
import { containerStartedAt, crashLoopStatus, recoveredStatus } from './pod-status.js';
import { versionInfo } from './versions.js';
import type { KsVersion } from './versions.js';

export const CONTAINER = 'ks-apiserver';

/** One ks-apiserver process: the configuration it loaded when it (re)started and its in-memory token cache. */
export interface ApiserverProcess {
  pod: string;
  startedAt: Date;
  /** When it logged "Start listening": requests before this never reach it. */
  readyAt: Date;
  cfg: LoadedConfig;
  /** Bumped by each in-process restart (3.3/3.4 hot reload): a new server, an empty in-memory cache. */
  generation: number;
  memCache: Set<string>;
  crashed: boolean;
  terminating?: boolean;
  /** The kubesphere.yaml text `cfg` came from. */
  loadedText: string;
}

export interface ApiserverSimOptions {
  version: KsVersion;
  /** The cluster, through the Kubernetes API (the embedded store or a real kube-apiserver). */
  api: ClusterApi;
  /** The kubelet's container logs: where each process writes. */
  logs: LogStore;
  now: () => Date;
  /** 3.3/3.4: delay from a kubesphere-config change to the in-process reload (kubelet volume sync + fsnotify). */
  hotReloadMs: number;
  /** First CrashLoopBackOff delay; doubles up to 30×. */
  crashBackoffMs: number;
  /** Container start to "Start listening on :9090" (informer caches sync in between). */
  bootMs: number;
}

const isApiserverPod = (pod: KubeObject): boolean =>
  pod.metadata.namespace === KS_NAMESPACE &&
  ['ks-apiserver', 'ks-agent'].includes(pod.metadata.labels?.app ?? '') &&
  (((pod.spec as Record<string, unknown>)?.containers ?? []) as { name?: string }[]).some(
    (c) => c.name === CONTAINER,
  );

function envOf(pod: KubeObject): Record<string, string> {
  const containers = ((pod.spec as Record<string, unknown>)?.containers ?? []) as {
    name?: string;
    env?: { name: string; value?: string }[];
  }[];
  const env = containers.find((c) => c.name === CONTAINER)?.env ?? [];
  return Object.fromEntries(env.filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value!]));
}

/**
 * The ks-apiserver processes of one cluster. Each loads kubesphere.yaml when its container starts; 3.3/3.4
 * reload it in-process `hotReloadMs` after the ConfigMap changes; a bad config crash-loops the container.
 */
export class ApiserverSim {
  /** The cluster's Redis: tokens cached by any replica are visible to all replicas that use it. */
  readonly redis = new Set<string>();
  private readonly procs = new Map<string, ApiserverProcess>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private lastText: string | undefined;

  constructor(private readonly o: ApiserverSimOptions) {}

  readonly onPodStarted = (pod: KubeObject): void => {
    if (!isApiserverPod(pod)) return;
    const at = containerStartedAt(pod, CONTAINER) ?? this.o.now();
    const proc: ApiserverProcess = {
      pod: pod.metadata.name,
      startedAt: at,
      readyAt: at,
      cfg: this.load(pod),
      loadedText: this.text(),
      generation: 0,
      memCache: new Set(),
      crashed: false,
    };
    this.procs.set(pod.metadata.name, proc);
    this.boot(pod, proc, at, 0);
  };

  readonly onPodStopped = (pod: KubeObject): void => {
    this.procs.delete(pod.metadata.name);
  };

  /** Processes that are serving, by pod name. */
  serving(): ApiserverProcess[] {
    return [...this.procs.values()]
      .filter((p) => !p.crashed && !p.terminating)
      .sort((a, b) => a.pod.localeCompare(b.pod));
  }

  log(proc: ApiserverProcess, entries: LogEntry[], at: Date): void {
    for (const e of entries)
      this.o.logs.append(KS_NAMESPACE, proc.pod, CONTAINER, { time: at, text: klogLine(e, at) });
  }

  /** Startup lines spread over the boot: the cache warning first, "Start listening" last, at readyAt. */
  private logStartup(proc: ApiserverProcess, at: Date): void {
    const entries = startupEntries(this.o.version, proc.cfg);
    const boot = this.o.bootMs;
    entries.forEach((e, i) => {
      const t = new Date(
        at.getTime() + Math.round(boot * (i + 1 === entries.length ? 1 : (i + 1) / (entries.length + 1))),
      );
      this.log(proc, [e], t);
    });
    proc.readyAt = new Date(at.getTime() + boot);
  }

  start(): void {
    this.lastText = configText(this.o.api.get('configmaps', KS_NAMESPACE, CONFIG_NAME));
    this.unsubscribe ??= this.o.api.subscribe((e) => this.onEvent(e));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private text(): string {
    return configText(this.o.api.get('configmaps', KS_NAMESPACE, CONFIG_NAME)) ?? '';
  }

  private load(pod: KubeObject): LoadedConfig {
    return loadKsConfig(this.o.version, this.text(), envOf(pod));
  }

  /** A container start: startup lines, or crash lines and a CrashLoopBackOff with a retry. */
  private boot(pod: KubeObject, proc: ApiserverProcess, at: Date, attempt: number): void {
    if (!proc.cfg.crash) {
      proc.crashed = false;
      this.logStartup(proc, at);
      return;
    }
    proc.crashed = true;
    for (const text of crashLines(this.o.version, proc.cfg.crash, at))
      this.o.logs.append(KS_NAMESPACE, proc.pod, CONTAINER, { time: at, text });
    const delay = this.o.crashBackoffMs * Math.min(30, 2 ** attempt);
    this.setStatus(pod.metadata.name, (p) =>
      crashLoopStatus(p, CONTAINER, at, this.o.now(), Math.round(delay / 1000)),
    );
    this.later(() => {
      const current = this.o.api.get('pods', KS_NAMESPACE, pod.metadata.name);
      if (!current || current.metadata.deletionTimestamp || this.procs.get(pod.metadata.name) !== proc)
        return;
      this.o.logs.restartContainer(KS_NAMESPACE, proc.pod, CONTAINER);
      const now = this.o.now();
      proc.cfg = this.load(current);
      proc.loadedText = this.text();
      proc.startedAt = now;
      proc.generation++;
      proc.memCache.clear();
      this.boot(current, proc, now, attempt + 1);
      if (!proc.crashed) this.setStatus(pod.metadata.name, (p) => recoveredStatus(p, CONTAINER, now));
    }, delay);
  }

  private onEvent(e: WatchEvent): void {
    // A terminating pod leaves the Service's endpoints at once: it gets no more requests.
    if (
      e.resource.resource === 'pods' &&
      e.object.metadata.namespace === KS_NAMESPACE &&
      e.object.metadata.deletionTimestamp
    ) {
      const proc = this.procs.get(e.object.metadata.name);
      if (proc) proc.terminating = true;
      return;
    }
    if (
      e.resource.resource !== 'configmaps' ||
      e.object.metadata.namespace !== KS_NAMESPACE ||
      e.object.metadata.name !== CONFIG_NAME
    )
      return;
    const text = configText(e.object);
    if (text === this.lastText) return;
    this.lastText = text;
    if (versionInfo(this.o.version).hotReload) this.later(() => this.hotReload(), this.o.hotReloadMs);
  }

  /** viper's OnConfigChange: the server stops and a new one starts with the new options (3.3/3.4). */
  private hotReload(): void {
    const now = this.o.now();
    for (const proc of this.serving()) {
      const pod = this.o.api.get('pods', KS_NAMESPACE, proc.pod);
      // Containers that started after the change already run it: no file event for them.
      if (!pod || proc.loadedText === this.text()) continue;
      const cfg = this.load(pod);
      proc.loadedText = this.text();
      if (cfg.crash?.kind === 'unreadable-config' || cfg.crash?.kind === 'bad-duration') {
        // 3.3 passes the error as a second klog.Warning operand (no separator); 3.4 uses Warningf.
        const sep = this.o.version === '3.4' ? ': ' : '';
        this.log(
          proc,
          [{ sev: 'W', at: 'config.go:113', msg: `config reload error${sep}${cfg.crash.detail}` }],
          now,
        );
        continue;
      }
      proc.cfg = cfg;
      proc.generation++;
      proc.memCache.clear();
      if (cfg.crash) {
        // Validate fails inside Run: the process exits and the kubelet restarts the container.
        this.boot(pod, proc, now, 0);
        continue;
      }
      this.logStartup(proc, now);
    }
  }

  private setStatus(name: string, f: (pod: KubeObject) => KubeObject): void {
    const write = async (): Promise<void> => {
      const pod = this.o.api.get('pods', KS_NAMESPACE, name);
      if (!pod || pod.metadata.deletionTimestamp) return;
      await this.o.api.update(f(pod), { subresource: 'status', fieldManager: 'kubelet' });
    };
    // Any other rejection means the pod is gone or going: the next event brings the current state.
    retryOnConflict(write).catch(() => undefined);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
