import { defineConfig } from 'vitest/config';

/**
 * Two groups, run one after the other so that they never share the two cores: first everything else (the real
 * control plane tier included, whose kube-apiservers load the CPU while they start), then the fault matrix,
 * whose hang and stall cases rely on tight request timeouts that a loaded machine would blur.
 */
const FAULT_MATRIX = 'test/e2e/fault-matrix/**/*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [FAULT_MATRIX],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'fault-matrix', include: [FAULT_MATRIX], sequence: { groupOrder: 1 } } },
    ],
  },
});
