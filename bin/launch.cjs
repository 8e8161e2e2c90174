// Runs the CLI from dist/, which a clone has only after `npm run build`: say so rather than a module error.
// CommonJS, as is dist/: Node's ES module loader would add about 20 ms to every run.
const { existsSync } = require('node:fs');
const { basename, join } = require('node:path');

exports.launch = function launch(options, args = process.argv.slice(2)) {
  const bundle = join(__dirname, '..', 'dist', 'cli.cjs');
  const boot = join(__dirname, '..', 'dist', 'boot.cjs');
  const missing = [bundle, boot].find((file) => !existsSync(file));
  if (missing) {
    process.stderr.write(
      `error: ks-restore is not built: dist/${basename(missing)} is missing.\n` +
        'Run `npm run build` in the repository first (npm test and npm run demo do it for you).\n',
    );
    process.exit(2);
  }
  return require(boot).launch(bundle, options, args);
};
