// The code cache that spares a run compiling what the last run of the same command compiled
// (src/boot/compile-cache.ts): keyed by the bundle's content, private to the user, and never the cause of an
// error or of stale code.
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDirectory } from '../../src/boot/compile-cache.js';
import { runCli } from '../helpers/cli.js';

const BOOT = path.resolve('dist', 'boot.cjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ksr-code-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A small CommonJS bundle with enough functions for V8 to cache; `answer` is what it answers. */
function writeBundle(name: string, answer: string): string {
  const file = path.join(dir, name);
  const fns = Array.from({ length: 40 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  writeFileSync(
    file,
    `'use strict';\n${fns}\nexports.answer = () => (f0(0), ${JSON.stringify(answer)});\n` +
      `exports.where = () => ({ file: __filename, dir: __dirname, sep: require('node:path').sep });\n` +
      `exports.stack = () => new Error('here').stack;\n`,
  );
  return file;
}

interface Loaded {
  state: string;
  file?: string;
  answer: string;
  where: unknown;
  stack: string;
}

/**
 * Loads `file` with the built launcher's loadBundle in a fresh process (as each run of ks-restore is; within
 * one process V8 reuses what it compiled and never reads a cache), then persists the cache as a run's end does.
 */
function load(file: string, cacheDir: string, variant: string, contentId = sha(file)): Loaded {
  const opts = JSON.stringify({ dir: cacheDir, variant, contentId });
  const script = `
    const b = require(${JSON.stringify(BOOT)}).loadBundle(${JSON.stringify(file)}, ${opts});
    process.stdout.write(JSON.stringify({ state: b.state, file: b.file, answer: b.exports.answer(), where: b.exports.where(), stack: b.exports.stack() }));
    b.persist();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Loaded;
}

/** What the build computes for dist/cli.cjs: a hash of its content. */
const sha = (file: string): string =>
  createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);

const caches = (cacheDir: string): string[] =>
  existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')) : [];

describe('loadBundle (the built launcher, each load a fresh process)', () => {
  it('runs the file as CommonJS, then caches it privately and uses the cache on the next run', () => {
    const file = writeBundle('cli.cjs', 'forty-two');
    const cacheDir = path.join(dir, 'cache', 'ks-restore', 'code');
    const first = load(file, cacheDir, 'diagnose');
    expect(first).toMatchObject({ state: 'miss', answer: 'forty-two', where: { file, dir, sep: path.sep } });
    // Line numbers are the file's own, despite the function wrapper.
    expect(first.stack).toContain(`${file}:44:`);

    const [name] = caches(cacheDir);
    expect(name).toMatch(
      new RegExp(
        `^${sha(file)}-[0-9a-z]+-[0-9a-z]+-node${process.versions.node}-${process.arch}-diagnose\\.v8cache$`,
      ),
    );
    expect(first.file).toBe(path.join(cacheDir, name!));
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    const written = statSync(first.file!);
    expect(written.mode & 0o777).toBe(0o600);

    const second = load(file, cacheDir, 'diagnose');
    expect(second).toMatchObject({ state: 'hit', file: first.file, answer: 'forty-two' });
    expect(second.stack).toContain(`${file}:44:`);
    // A hit is not rewritten.
    expect(statSync(first.file!).mtimeMs).toBe(written.mtimeMs);
    // Another command has its own cache.
    expect(load(file, cacheDir, 'repair').state).toBe('miss');
    expect(caches(cacheDir)).toHaveLength(2);
  });

  it('never runs a cache made for other content, even of the same length (V8 checks only the length)', () => {
    const cacheDir = path.join(dir, 'code');
    const file = writeBundle('cli.cjs', 'aaaa');
    const a = load(file, cacheDir, 'other');
    writeBundle('cli.cjs', 'bbbb');
    const b = load(file, cacheDir, 'other');
    expect(b).toMatchObject({ state: 'miss', answer: 'bbbb' });
    expect(b.file).not.toBe(a.file);
  });

  it('never runs a cache made before the file changed, even when it claims the same content (edited by hand)', () => {
    const cacheDir = path.join(dir, 'code');
    const file = writeBundle('cli.cjs', 'aaaa');
    const id = sha(file);
    const a = load(file, cacheDir, 'other', id);
    writeBundle('cli.cjs', 'bbbb');
    // Another time: the file was written again.
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const b = load(file, cacheDir, 'other', id);
    expect(b).toMatchObject({ state: 'miss', answer: 'bbbb' });
    expect(b.file).not.toBe(a.file);
  });

  it('compiles when the cache is garbage, truncated or zeroed, and replaces it', () => {
    const cacheDir = path.join(dir, 'code');
    const file = writeBundle('cli.cjs', 'ok');
    const first = load(file, cacheDir, 'other');
    const good = readFileSync(first.file!);
    for (const bad of [
      Buffer.from('not a code cache'),
      good.subarray(0, good.length >> 1),
      Buffer.alloc(good.length),
    ]) {
      writeFileSync(first.file!, bad);
      expect(load(file, cacheDir, 'other')).toMatchObject({ state: 'rejected', answer: 'ok' });
      expect(load(file, cacheDir, 'other')).toMatchObject({ state: 'hit', answer: 'ok' });
    }
  });

  it('is silent where the cache cannot be written: the run goes on without one', () => {
    const file = writeBundle('cli.cjs', 'ok');
    const blocker = path.join(dir, 'a-file');
    writeFileSync(blocker, '');
    expect(load(file, path.join(blocker, 'code'), 'other')).toMatchObject({ state: 'miss', answer: 'ok' });
    expect(readdirSync(dir).sort()).toEqual(['a-file', 'cli.cjs']);
  });

  it.skipIf(process.getuid?.() !== 0)('writes nothing into a directory another user owns', () => {
    const file = writeBundle('cli.cjs', 'ok');
    const theirs = path.join(dir, 'theirs');
    mkdirSync(theirs);
    chmodSync(theirs, 0o777);
    chownSync(theirs, 1, 1);
    expect(load(file, theirs, 'other')).toMatchObject({ state: 'miss', answer: 'ok' });
    expect(readdirSync(theirs)).toEqual([]);
  });

  it("removes other builds' caches untouched for a day when it writes one, and keeps the rest", () => {
    const cacheDir = path.join(dir, 'code');
    mkdirSync(cacheDir, { recursive: true });
    const old = path.join(cacheDir, `0123456789abcdef-node${process.versions.node}-x64-diagnose.v8cache`);
    const recent = path.join(cacheDir, `fedcba9876543210-node${process.versions.node}-x64-diagnose.v8cache`);
    const unrelated = path.join(cacheDir, 'notes.txt');
    for (const f of [old, recent, unrelated]) writeFileSync(f, 'x');
    const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    utimesSync(unrelated, twoDaysAgo, twoDaysAgo);
    const loaded = load(writeBundle('cli.cjs', 'ok'), cacheDir, 'diagnose');
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
    expect(existsSync(loaded.file!)).toBe(true);
  });
});

describe('cacheDirectory', () => {
  it('follows XDG_CACHE_HOME when absolute, else ~/.cache, and NODE_DISABLE_COMPILE_CACHE turns it off', () => {
    expect(cacheDirectory({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/ks-restore/code');
    expect(cacheDirectory({ XDG_CACHE_HOME: 'relative' })).toBe(
      path.join(os.homedir(), '.cache', 'ks-restore', 'code'),
    );
    expect(cacheDirectory({})).toBe(path.join(os.homedir(), '.cache', 'ks-restore', 'code'));
    expect(cacheDirectory({ NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: '/x' })).toBeUndefined();
  });
});

describe('the built binary', () => {
  it('writes one cache per command on its first run, uses it after, and survives a corrupt one', async () => {
    const env = { HOME: dir, KUBECONFIG: path.join(dir, 'none') };
    const cacheDir = path.join(dir, '.cache', 'ks-restore', 'code');
    const first = await runCli(['--help'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [name] = caches(cacheDir);
    expect(name).toMatch(/-other\.v8cache$/);
    const written = statSync(path.join(cacheDir, name!));

    const second = await runCli(['--help'], env);
    expect(second).toEqual(first);
    // Not rewritten: the second run used it.
    expect(statSync(path.join(cacheDir, name!)).mtimeMs).toBe(written.mtimeMs);

    writeFileSync(path.join(cacheDir, name!), 'garbage');
    const third = await runCli(['--help'], env);
    expect(third).toEqual(first);
    // Replaced by a cache V8 takes: the next run leaves it as it is.
    const replaced = statSync(path.join(cacheDir, name!));
    expect(replaced.size).toBeGreaterThan(10_000);
    expect(await runCli(['--help'], env)).toEqual(first);
    expect(statSync(path.join(cacheDir, name!)).mtimeMs).toBe(replaced.mtimeMs);

    const off = mkdtempSync(path.join(dir, 'off-'));
    expect(await runCli(['--help'], { HOME: off, NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(first);
    expect(existsSync(path.join(off, '.cache'))).toBe(false);
  });
});
