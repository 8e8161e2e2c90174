// The launcher's half that lives in dist/ (dist/boot.cjs, required by bin/launch.cjs): runs the bundle,
// dist/cli.cjs, with the code cache of the command being run, and writes that cache when the run ends if there
// was none. CommonJS from the executable on: loading Node's ES module machinery costs a run about 20 ms.
import type { ProgramOptions } from '../cli.js';
import { VERSION } from '../version.js';
import { cacheDirectory, loadBundle } from './compile-cache.js';

/** The commands whose caches are kept apart (each compiles different code); everything else shares one. */
const VARIANTS = new Set(['diagnose', 'repair', 'rollback', 'demo', 'sandbox', 'completion', '__complete']);

/** SHA-256 of dist/cli.cjs, set by the build (scripts/build.mjs). */
declare const __KS_BUNDLE_ID__: string | undefined;

export async function launch(file: string, options: ProgramOptions, args: string[]): Promise<void> {
  // The version alone needs nothing from the bundle: scripts and package managers that ask for it get it
  // without loading 760 kB of code (commander answers the same for `--version` among other arguments).
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const contentId = typeof __KS_BUNDLE_ID__ === 'string' ? __KS_BUNDLE_ID__ : undefined;
  const bundle = loadBundle(file, {
    dir: contentId ? cacheDirectory() : undefined,
    contentId: contentId ?? '',
    variant: VARIANTS.has(args[0] ?? '') ? (args[0] as string) : 'other',
  });
  process.once('exit', () => bundle.persist());
  const main = bundle.exports.main as (argv: string[], options: ProgramOptions) => Promise<void>;
  await main([...process.argv.slice(0, 2), ...args], options);
}

// For the tests, which run the built launcher in fresh processes (V8 answers a compile of the same source in
// the same process from memory, without looking at a code cache).
export { cacheDirectory, loadBundle } from './compile-cache.js';
