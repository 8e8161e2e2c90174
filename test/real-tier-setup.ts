import { findControlPlane } from '../src/sandbox/real/binaries.js';

/**
 * vitest globalSetup: one line for the whole run when the real control plane tier (test/e2e/real/,
 * test/integration/real-control-plane.test.ts) is skipped because nothing is built, and how to enable it.
 */
export default function setup(): void {
  try {
    findControlPlane();
  } catch (err) {
    if ((err as Error).name !== 'ControlPlaneMissingError') throw err;
    console.log(
      'real control plane tier skipped: etcd, kube-apiserver and kube-controller-manager are not built; run `npm run build:control-plane` (Go >= 1.26 and the module proxy) to enable it',
    );
  }
}
