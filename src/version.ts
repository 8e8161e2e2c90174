// Replaced at build time by esbuild `define`; falls back to the package version for tests run from source.
declare const __KS_RESTORE_VERSION__: string | undefined;
export const VERSION: string =
  typeof __KS_RESTORE_VERSION__ === 'string' ? __KS_RESTORE_VERSION__ : '0.0.0-dev';
