import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Files whose tests take seconds (10⁵-line inputs, property runs, sandbox servers). Stryker stops at the first
 * test that kills a mutant: running these last means a mutant that a quick test kills never pays for them.
 */
const SLOW = [/ks-logs-chains\.test\.ts$/, /\.property\.test\.ts$/, /\/test\/integration\//];

class SlowLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const slow = (f: TestSpecification): boolean => SLOW.some((re) => re.test(f.moduleId));
    const sorted = await super.sort(files);
    return [...sorted.filter((f) => !slow(f)), ...sorted.filter(slow)];
  }
}

/**
 * The fast test set StrykerJS runs against each mutant (`npm run mutate`): the unit and property tests, which
 * import src/ directly and start no server (the repair executor runs on an in-memory cluster,
 * test/helpers/fake-cluster.ts), and the backup tests on a full file system. The full set (`npm run mutate --
 * --full`, vitest.stryker.config.ts) adds every integration test against the sandbox API server and is many
 * times slower per mutant.
 */
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/property/**/*.test.ts',
      'test/integration/backup-disk-full.test.ts',
    ],
    // Seconds per run on 10⁵-line inputs; ks-logs-chains.test.ts counts the same work exactly on small ones.
    exclude: ['test/unit/ks-logs-linear.test.ts'],
    sequence: { sequencer: SlowLast },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
