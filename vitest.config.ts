import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Two groups, one after the other. First everything but the fault matrix, two files at a time (vitest's
 * default in run mode is one worker fewer than the CPUs, which on CI's two cores meant one file at a time;
 * most of these files wait on timers, rollouts and child processes, not on the CPU). Then the fault matrix
 * alone, one file at a time: its hang and stall cases rely on tight request timeouts, which the real tier's
 * starting kube-apiservers or a second matrix file would blur.
 */
const FAULT_MATRIX = 'test/e2e/fault-matrix/**/*.test.ts';
/** 21 real kube-apiservers: alone, between the two groups, so that no other suite starves it. */
const REAL_FLEET = 'test/e2e/real/fleet.test.ts';

/**
 * The long files start first, so that two workers end together: on a fresh clone (no vitest cache, as in CI)
 * vitest orders by file size, which started the real acceptance matrix (about 6 minutes) 4 minutes in and left
 * it running alone at the end.
 */
const LONGEST_FIRST = [
  'test/e2e/real/acceptance-matrix.test.ts',
  'test/e2e/diagnose-repair-matrix.test.ts',
  'test/e2e/real/kubectl-faq.test.ts',
  'test/e2e/real/rbac.test.ts',
  'test/e2e/fault-matrix/repair.test.ts',
  'test/e2e/fault-matrix/rollback.test.ts',
];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Stable: groups and projects keep their order, and so do the other files within a project.
    return [...sorted].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name === b.project.name ? rank(a) - rank(b) : 0),
    );
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    sequence: { sequencer: LongestFirstSequencer },
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          // Says once when the real control plane tier is skipped, and how to enable it.
          globalSetup: ['test/real-tier-setup.ts'],
          include: ['test/**/*.test.ts'],
          exclude: [FAULT_MATRIX, REAL_FLEET],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'real-fleet', include: [REAL_FLEET], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        test: { name: 'fault-matrix', include: [FAULT_MATRIX], maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
