#!/usr/bin/env node
// npm run mutate -- [area] [--full] [stryker options]: mutation testing of one area (or all), see
// stryker.config.mjs. The fast test set (unit, property and the repair integration tests) is the default;
// --full runs every unit and integration test against each mutant, about 30 times slower.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AREAS } from '../stryker.config.mjs';

const args = process.argv.slice(2);
const area = args[0] && !args[0].startsWith('-') ? args.shift() : 'all';
if (area !== 'all' && !(area in AREAS)) {
  console.error(`unknown area ${area}; one of: all, ${Object.keys(AREAS).join(', ')}`);
  process.exit(2);
}
const full = args.includes('--full');
const rest = args.filter((a) => a !== '--full');
const stryker = fileURLToPath(
  new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url),
);
const result = spawnSync(process.execPath, [stryker, 'run', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, KS_MUTATE_AREA: area, KS_MUTATE_TESTS: full ? 'full' : 'fast' },
});
process.exit(result.status ?? 1);
