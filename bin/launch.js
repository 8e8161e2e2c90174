// Loads the bundle and runs the CLI. The bundle lives in dist/, which a clone has only after `npm run build`;
// say so rather than a module error.
export async function launch(options, args = process.argv.slice(2)) {
  let cli;
  try {
    cli = await import('../dist/cli.js');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/cli.js')) throw err;
    process.stderr.write(
      'error: ks-restore is not built: dist/cli.js is missing.\nRun `npm run build` in the repository first (npm test and npm run demo do it for you).\n',
    );
    process.exit(2);
  }
  await cli.main([...process.argv.slice(0, 2), ...args], options);
}
