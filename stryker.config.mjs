// @ts-check
import { readFileSync } from 'node:fs';

/** `file:first-last`: the lines of one top-level function, found by name so that edits elsewhere don't shift it. */
function functionLines(file, name) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const first = lines.findIndex((l) => new RegExp(`^(export )?function ${name}\\(`).test(l));
  const last = lines.findIndex((l, i) => i > first && l === '}');
  if (first < 0 || last < 0) throw new Error(`stryker.config.mjs: no function ${name} in ${file}`);
  return `${file}:${first + 1}-${last + 1}`;
}

/**
 * Mutation testing (`npm run mutate`, not part of `npm test`): the code whose bugs hurt users most — the pure
 * domain, the repair executor, secret masking and the exit-code mapping. Incremental: only mutants whose code or
 * tests changed since the recorded run are tested again. One area at a time:
 * `npm run mutate -- --mutate 'src/kubesphere/repair/**\/*.ts'`.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: [
    'src/kubesphere/**/*.ts',
    'src/repair/**/*.ts',
    'src/output/mask.ts',
    // Only the exit-code functions of the commands: runOutcome and worstRefusal.
    functionLines('src/commands/diagnose.ts', 'runOutcome'),
    functionLines('src/commands/repair.ts', 'worstRefusal'),
  ],
  incremental: true,
  // Kept between runs, not committed: it holds copies of the sources and tests and changes with every edit.
  incrementalFile: 'reports/stryker-incremental.json',
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  thresholds: { high: 90, low: 80, break: null },
  // Not needed to run the unit and integration tests; dist/ and the e2e tests never see a mutant.
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'test/e2e'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
