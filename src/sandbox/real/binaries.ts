import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The three binaries of a real control plane, built by test/control-plane/build.sh (`npm run build:control-plane`). */
export interface ControlPlaneBinaries {
  dir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  /** Kubernetes version, e.g. v1.36.3: the VERSION file the build writes, else `kube-apiserver --version`. */
  version: string;
}

/** No usable control plane where ks-restore looked; the message says where and how to get one. */
export class ControlPlaneMissingError extends Error {
  constructor(
    readonly dir: string,
    detail: string,
  ) {
    super(
      `No real Kubernetes control plane in ${dir} (${detail}). Run \`npm run build:control-plane\` to build etcd, ` +
        'kube-apiserver and kube-controller-manager from Kubernetes’ Go modules (needs Go >= 1.26 and the Go module ' +
        'proxy), or set KS_RESTORE_CONTROL_PLANE to a directory holding etcd, kube-apiserver and kube-controller-manager.',
    );
    this.name = 'ControlPlaneMissingError';
  }
}

/** Where the build puts `latest`: $KS_RESTORE_CACHE, else $XDG_CACHE_HOME/ks-restore, else ~/.cache/ks-restore. */
export function controlPlaneDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KS_RESTORE_CONTROL_PLANE) return env.KS_RESTORE_CONTROL_PLANE;
  const cache = env.KS_RESTORE_CACHE ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ks-restore');
  return join(cache, 'control-plane', 'latest');
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function versionOf(dir: string, kubeApiserver: string): string {
  try {
    const v = readFileSync(join(dir, 'VERSION'), 'utf8').trim();
    if (v) return v;
  } catch {
    // No VERSION file (a hand-made directory): ask the binary.
  }
  try {
    // "Kubernetes v1.36.3"
    const out = execFileSync(kubeApiserver, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    return /v\d+\.\d+\.\d+\S*/.exec(out)?.[0] ?? out.trim();
  } catch (err) {
    throw new ControlPlaneMissingError(
      dir,
      `${kubeApiserver} --version failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The control plane in $KS_RESTORE_CONTROL_PLANE or the build cache's `latest`; throws {@link ControlPlaneMissingError}. */
export function findControlPlane(env: NodeJS.ProcessEnv = process.env): ControlPlaneBinaries {
  const dir = controlPlaneDir(env);
  const bin = {
    etcd: join(dir, 'etcd'),
    kubeApiserver: join(dir, 'kube-apiserver'),
    kubeControllerManager: join(dir, 'kube-controller-manager'),
  };
  const missing = Object.values(bin).filter((p) => !executable(p));
  if (missing.length) {
    throw new ControlPlaneMissingError(
      dir,
      `missing or not executable: ${missing.map((p) => p.slice(dir.length + 1)).join(', ')}`,
    );
  }
  return { dir, ...bin, version: versionOf(dir, bin.kubeApiserver) };
}
