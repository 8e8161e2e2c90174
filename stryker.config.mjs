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
 * The code whose bugs hurt users most — the pure domain, the repair executor, secret masking and the exit-code
 * mapping — in areas that can be mutated one at a time (`npm run mutate -- <area>`, scripts/mutate.mjs).
 */
export const AREAS = {
  checks: ['src/kubesphere/checks/**/*.ts'],
  logs: ['src/kubesphere/logs/**/*.ts'],
  plan: ['src/kubesphere/repair/**/*.ts'],
  yaml: ['src/kubesphere/yaml/**/*.ts'],
  config: ['src/kubesphere/config/**/*.ts'],
  cluster: ['src/kubesphere/cluster/**/*.ts'],
  repair: ['src/repair/**/*.ts'],
  // The kube layer's decisions: what is retried and after how long, and what an error tells the user.
  kube: ['src/kube/retry.ts', 'src/kube/map-error.ts', 'src/kube/failure.ts', 'src/kube/errors.ts'],
  output: [
    'src/output/mask.ts',
    // Only the exit-code functions of the commands: runOutcome and worstRefusal.
    functionLines('src/commands/diagnose.ts', 'runOutcome'),
    functionLines('src/commands/repair.ts', 'worstRefusal'),
  ],
};

/** Set by scripts/mutate.mjs: one area, and `full` for every integration test instead of the fast set. */
const area = process.env.KS_MUTATE_AREA || 'all';
const full = process.env.KS_MUTATE_TESTS === 'full';
if (area !== 'all' && !(area in AREAS)) throw new Error(`stryker.config.mjs: no area ${area}`);
const name = full ? `${area}-full` : area;

/**
 * Mutation testing (`npm run mutate`, not part of `npm test`). Incremental: only mutants whose code or tests
 * changed since the recorded run of the same area are tested again; a mutant outside any function (a
 * module-level constant such as a regular expression) is not re-tested when only tests changed (stryker-js
 * #4372): pass `--force` for those.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: full ? 'vitest.stryker.config.ts' : 'vitest.stryker-unit.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: area === 'all' ? Object.values(AREAS).flat() : AREAS[area],
  incremental: true,
  // Kept between runs, not committed: it holds copies of the sources and tests and changes with every edit.
  incrementalFile: `reports/stryker-incremental.${name}.json`,
  // Two cores: one for Stryker, one for everything else.
  concurrency: 1,
  // On top of 1.5 × the covering tests' own time: an endless loop costs this much per mutant.
  timeoutMS: full ? 20_000 : 5_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  // Not needed to run the unit and integration tests; dist/ and the e2e tests never see a mutant.
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'test/e2e'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
