// Runs the CommonJS bundle (dist/cli.cjs) with a V8 code cache, so that a run after the first skips compiling
// what the last run of the same command compiled. Node 20 has no compile cache for ES modules
// (module.enableCompileCache arrives in 22.1); vm.Script takes cachedData and can produce it after running.
//
// The cache is a per-user directory ($XDG_CACHE_HOME/ks-restore/code, else ~/.cache/ks-restore/code, mode
// 0700) with one file per bundle, Node version, architecture and command. V8 itself checks only its own
// version, its flags and the source's length before it trusts a cache, so the file name carries a hash of the
// bundle's content (made by the build) with the file's size and modification time.
// Everything here is best effort: a cache that cannot be read, written or is rejected costs a compile, never
// an error. NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch) turns it off.
import { isAscii } from 'node:buffer';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { Script } from 'node:vm';

/** off: no cache directory; miss: none yet; hit: V8 took it; rejected: V8 refused it (it is rewritten). */
export type CacheState = 'off' | 'miss' | 'hit' | 'rejected';

export interface LoadedBundle {
  exports: Record<string, unknown>;
  state: CacheState;
  /** The cache file this run reads or writes; undefined when the cache is off. */
  file: string | undefined;
  /** Writes the cache after a miss or a rejection (call it when the run is over); otherwise does nothing. */
  persist(): void;
}

/**
 * Caches of other bundles (another version of ks-restore, another build) untouched this long are removed when
 * one is written: someone who switches between two installed versions recompiles once a day.
 */
const STALE_MS = 24 * 3600 * 1000;
const SUFFIX = '.v8cache';

/** Where the cache lives, or undefined when it is turned off or there is no home directory. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'ks-restore', 'code');
  let home = '';
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  return home ? join(home, '.cache', 'ks-restore', 'code') : undefined;
}

/**
 * Compiles and runs a CommonJS file as Node's loader would (exports, require, module, __filename, __dirname),
 * with the code cache of `variant` from `dir` when there is one.
 */
export function loadBundle(
  file: string,
  opts: { dir: string | undefined; variant: string; contentId: string },
): LoadedBundle {
  const bytes = readFileSync(file);
  // What the build says the file holds (a hash of it, so the launcher need not load node:crypto, about 10 ms),
  // and its size and time: a file changed since (edited, rebuilt in part) gets a cache of its own.
  const st = statSync(file);
  const id = `${opts.contentId}-${st.size.toString(36)}-${Math.trunc(st.mtimeMs).toString(36)}`;
  // The build keeps the bundle ASCII (scripts/build.mjs): V8 then holds it as a one-byte string, which is
  // quicker to decode and to scan than UTF-8's two-byte one.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const cacheFile = opts.dir
    ? join(opts.dir, `${id}-node${process.versions.node}-${process.arch}-${opts.variant}${SUFFIX}`)
    : undefined;
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // none yet, or unreadable: compile
    }
  }
  // The wrapper on a line of its own, with lineOffset -1, keeps the file's own line and column numbers.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const state: CacheState = !cacheFile
    ? 'off'
    : !cachedData
      ? 'miss'
      : script.cachedDataRejected
        ? 'rejected'
        : 'hit';
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    state,
    file: cacheFile,
    persist() {
      if (!cacheFile || !opts.dir || (state !== 'miss' && state !== 'rejected')) return;
      writeCache(opts.dir, cacheFile, id, () => script.createCachedData());
    },
  };
}

function writeCache(dir: string, cacheFile: string, id: string, data: () => Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    // Only a directory of our own: never code another user could have written, nor one they could read.
    if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) return;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, data(), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, cacheFile);
    prune(dir, id);
  } catch {
    // A read-only or full file system, a race with another run: the next run compiles again.
  }
}

/** Removes the caches of other bundles that no run has written for a day, and stray temporary files. */
function prune(dir: string, id: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const stray = name.endsWith('.tmp');
    if (!stray && (!name.endsWith(SUFFIX) || name.startsWith(`${id}-`))) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs > (stray ? 3600 * 1000 : STALE_MS)) unlinkSync(path);
    } catch {
      // gone already
    }
  }
}
