// Bundles src/cli.ts into dist/ so start-up does not resolve hundreds of node_modules files.
// Commands are split into chunks and imported lazily: --help never loads @kubernetes/client-node.
import { build } from 'esbuild';
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
await build({
  entryPoints: ['src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  // KS_NO_MINIFY=1 keeps names readable in a --cpu-prof profile.
  minify: !process.env.KS_NO_MINIFY,
  // Error classes report their own name (UsageError, …): keep names through minification.
  keepNames: true,
  logLevel: 'warning',
  plugins: [clientNodeConfigOnly],
  define: { __KS_RESTORE_VERSION__: JSON.stringify(pkg.version) },
  // Some bundled CommonJS dependencies call require() on Node built-ins.
  banner: {
    js: "import { createRequire as __ksCreateRequire } from 'node:module'; const require = __ksCreateRequire(import.meta.url);",
  },
});
