import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';
import { findControlPlane } from '../../src/sandbox/real/binaries.js';

/**
 * The real tier (a real etcd + kube-apiserver + kube-controller-manager under the sandbox) runs where
 * `npm run build:control-plane` has built them. Without them, `npm test` still passes and says once (see
 * test/real-tier-setup.ts) that the tier was skipped and how to enable it; but where Go is installed and CI is set (`.ci/run` builds them
 * first), missing binaries fail the run rather than skipping it silently.
 */
export function describeReal(name: string, body: () => void, opts: { timeout?: number } = {}): void {
  let missing: string | undefined;
  try {
    findControlPlane();
  } catch (err) {
    missing = (err as Error).message;
  }
  if (missing === undefined) {
    describe(name, opts, body);
    return;
  }
  if (process.env.CI && hasGo()) {
    describe(name, () => {
      throw new Error(`the real control plane is missing in CI, where Go is installed: ${missing}`);
    });
    return;
  }
  // test/real-tier-setup.ts has said once for the whole run that the tier is skipped, and how to enable it.
  describe.skip(name, body);
}

export function hasGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
