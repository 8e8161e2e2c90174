// Bundles src/cli.ts into dist/cli.cjs so start-up does not resolve hundreds of node_modules files, and
// src/boot/ into dist/boot.js, which runs it with a code cache. Commands are imported lazily: --help never
// evaluates @kubernetes/client-node.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * client-node's config.js imports its generated API surface (gen/index.js: every model and API class, ~3 MB)
 * for makeApiClient, which ks-restore never calls (src/kube/client-node.ts): give config.js the two names it
 * takes from there, from their own files. node-fetch 2 imports whatwg-url (with tr46's 260 kB Unicode table)
 * only as a fallback for a missing `require('url').URL`, which Node always has. Start-up compiles neither, and
 * runs socks-proxy-agent's module code only for a socks proxy.
 */
/**
 * A stand-in for a built-in module that loads it on its first use: reads of its members go to it. `'default' in`
 * is answered without loading it, as CommonJS interop asks that at start-up.
 */
const LAZY_BUILTIN = `function lazyBuiltin(name) {
  let m;
  const load = () => (m ??= require(name));
  // child_process' members are functions, kept by client-node's ExecAuth from its construction (execFn = spawn).
  const calls = name === 'node:child_process';
  return new Proxy({}, {
    get: (_, k) => (calls && typeof k === 'string' ? (...args) => load()[k](...args) : load()[k]),
    has: (_, k) => k !== 'default' && k in load(),
  });
}
`;

const clientNodeConfigOnly = {
  name: 'client-node-config-only',
  setup(b) {
    const from = (pkgFile) => (importer) => pkgFile.test(importer.replaceAll('\\', '/'));
    const shims = [
      {
        filter: /^\.\/gen\/index\.js$/,
        importer: from(/\/@kubernetes\/client-node\/dist\/config\.js$/),
        file: 'gen/config-only.js',
        contents:
          "export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n",
      },
      {
        // socks-proxy-agent (with socks, ip-address, smart-buffer, debug) serves only a socks:// proxy-url: a
        // CommonJS shim whose getter requires it (bundled all the same) when client-node first builds one.
        filter: /^socks-proxy-agent$/,
        importer: from(/\/@kubernetes\/client-node\/dist\/config\.js$/),
        file: 'socks-proxy-agent-lazy.cjs',
        contents:
          "Object.defineProperty(exports, 'SocksProxyAgent', { enumerable: true, get: () => require('socks-proxy-agent').SocksProxyAgent });\n",
      },
      {
        filter: /^whatwg-url$/,
        importer: from(/\/node-fetch\/lib\/index\.m?js$/),
        file: 'whatwg-url-unused.js',
        contents: 'export const URL = globalThis.URL;\nexport default { URL };\n',
      },
      // Node built-ins that only some paths use (exec and cloud auth plugins, commander's executable
      // subcommands, jsonpath-plus' script filters, node-fetch's decompression), loaded on first use, not at
      // start-up: child_process brings net, dgram and more.
      ...[
        [
          'node:child_process',
          /\/@kubernetes\/client-node\/dist\/(config|exec_auth|azure_auth|gcp_auth)\.js$/,
        ],
        ['vm', /\/jsonpath-plus\/dist\/[^/]+\.js$/],
      ].map(([name, importer]) => ({
        filter: new RegExp(`^${name}$`),
        importer: from(importer),
        file: `lazy-${name.replace('node:', '')}.js`,
        contents: `export default lazyBuiltin(${JSON.stringify(name)});\n${LAZY_BUILTIN}`,
      })),
      ...[
        ['node:child_process', /\/commander\/lib\/command\.js$/],
        ['zlib', /\/node-fetch\/lib\/index\.m?js$/],
      ].map(([name, importer]) => ({
        filter: new RegExp(`^${name}$`),
        importer: from(importer),
        file: `lazy-${name.replace('node:', '')}.cjs`,
        contents: `module.exports = lazyBuiltin(${JSON.stringify(name)});\n${LAZY_BUILTIN}`,
      })),
    ];
    for (const shim of shims) {
      b.onResolve({ filter: shim.filter }, (args) =>
        shim.importer(args.importer)
          ? {
              path: join(dirname(args.importer), shim.file),
              namespace: 'ks-shim',
              pluginData: shim.contents,
            }
          : undefined,
      );
    }
    b.onLoad({ filter: /.*/, namespace: 'ks-shim' }, (args) => ({
      contents: args.pluginData,
      resolveDir: dirname(args.path),
    }));
  },
};

await rm(new URL('../dist/', import.meta.url), { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // KS_NO_MINIFY=1 keeps names readable in a --cpu-prof profile.
  minify: !process.env.KS_NO_MINIFY,
  // Error classes report their own name (UsageError, …): keep names through minification.
  keepNames: true,
  logLevel: 'warning',
};
// One CommonJS file, not ES modules: Node 20 can cache the compiled code of a vm.Script (src/boot/), not of an
// ES module. Commands stay lazy: esbuild evaluates a module imported with import() only when it is imported.
await build({
  ...common,
  entryPoints: { cli: 'src/cli.ts' },
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  format: 'cjs',
  plugins: [clientNodeConfigOnly],
  define: { __KS_RESTORE_VERSION__: JSON.stringify(pkg.version) },
});
// esbuild escapes non-ASCII characters in strings but not in regular expression literals: one would make V8
// hold the whole bundle as a two-byte string (src/boot/compile-cache.ts).
const bundled = await readFile(new URL('../dist/cli.cjs', import.meta.url));
const nonAscii = bundled.findIndex((b) => b > 0x7f);
// (Comments keep theirs: KS_NO_MINIFY=1 builds are for profiles only.)
if (nonAscii !== -1 && common.minify) {
  const line = bundled.subarray(0, nonAscii).toString('utf8').split('\n').length;
  throw new Error(`dist/cli.cjs line ${line} has a non-ASCII character: write it as \\u escape in src/`);
}
// The launcher that runs it (bin/launch.cjs requires it): Node built-ins only.
await build({
  ...common,
  entryPoints: { boot: 'src/boot/index.ts' },
  // Names the bundle's code cache (src/boot/compile-cache.ts): the launcher then needs no hash of its own.
  define: {
    __KS_RESTORE_VERSION__: JSON.stringify(pkg.version),
    __KS_BUNDLE_ID__: JSON.stringify(createHash('sha256').update(bundled).digest('hex').slice(0, 16)),
  },
  outExtension: { '.js': '.cjs' },
  outdir: 'dist',
  format: 'cjs',
});
