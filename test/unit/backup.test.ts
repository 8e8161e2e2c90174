import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Backup, defaultBackupRoot, readBackup } from '../../src/repair/backup.js';

const cm = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'kubesphere-config', namespace: 'kubesphere-system', resourceVersion: '42' },
  data: { 'kubesphere.yaml': 'authentication:\n  jwtSecret: "not-a-real-secret"\n' },
};

describe('Backup', () => {
  it('writes private files (dir 0700, files 0600) and reads them back as fetched', async () => {
    const root = path.join(await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-')), 'nested', 'backups');
    const b = await Backup.create(root, new Date('2026-11-28T17:12:48.123Z'));
    await b.save(
      {
        context: 'member',
        server: 'https://127.0.0.1:1',
        restart: { namespace: 'kubesphere-system', name: 'ks-apiserver' },
      },
      'configmap',
      cm,
    );
    await b.recordWritten('member', 'configmap', '43');
    expect(path.basename(b.dir)).toBe('20261128T171248Z');
    expect((await stat(b.dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(b.dir)) expect((await stat(path.join(b.dir, f))).mode & 0o777).toBe(0o600);
    const loaded = await readBackup(b.dir);
    const member = loaded.manifest.members[0]!;
    expect(member.restart).toEqual({ namespace: 'kubesphere-system', name: 'ks-apiserver' });
    expect(member.objects[0]).toMatchObject({
      target: 'configmap',
      resourceVersionBefore: '42',
      resourceVersionAfter: '43',
    });
    expect(loaded.objects.get(member.objects[0]!.file)).toEqual(cm);
  });

  it('never reuses a directory of the same second', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const now = new Date('2026-11-28T17:12:48Z');
    const a = await Backup.create(root, now);
    const b = await Backup.create(root, now);
    expect(a.dir).not.toBe(b.dir);
  });

  it('rejects a directory that is not a backup with a usage error', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    await expect(readBackup(dir)).rejects.toBeInstanceOf(UsageError);
    await mkdir(path.join(dir, 'x'));
    await writeFile(path.join(dir, 'x', 'manifest.json'), '{"kind":"other"}');
    await expect(readBackup(path.join(dir, 'x'))).rejects.toBeInstanceOf(UsageError);
  });

  it('leaves no temp file behind after writing', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(root, new Date());
    await b.save({ context: 'member', server: 'https://127.0.0.1:1' }, 'configmap', cm);
    await b.recordWritten('member', 'configmap', '43');
    expect((await readdir(b.dir)).sort()).toEqual([
      'manifest.json',
      'member-configmap-kubesphere-config.json',
    ]);
  });
});

describe('Backup.create and save refuse a place they cannot use: a usage error naming it, nothing left behind', () => {
  const member = { context: 'member', server: 'https://127.0.0.1:1' };

  it.each([
    [
      'a path under a regular file (ENOTDIR)',
      (file: string) => path.join(file, 'backups'),
      'a part of the path is a file, not a directory',
    ],
    ['a regular file', (file: string) => file, 'it is a file, not a directory'],
  ])('%s', async (_name, place, reason) => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const file = path.join(tmp, 'not-a-dir');
    await writeFile(file, 'x');
    const root = place(file);
    const err = await Backup.create(root, new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      `cannot create the backup directory ${root}: ${reason}. Nothing was changed on any cluster, and no partial backup was left.`,
    );
    expect((err as UsageError).hint).toBe(
      'Choose another place with --backup-dir DIR: a writable directory on a local disk with free space.',
    );
    expect(await readdir(tmp)).toEqual(['not-a-dir']);
  });

  // Node 20's mkdir({ recursive: true }) never returns on procfs: these must fail fast, not hang.
  it
    .runIf(process.platform === 'linux' && existsSync('/proc/self'))
    .each([
      '/proc/self/ks-restore-x',
      '/proc/1/x',
      '/proc/self/ks-restore-x/deeper/still',
      '/sys/ks-restore-x',
    ])(
    '%s (a kernel pseudo-file-system) fails within a second',
    async (root) => {
      const started = Date.now();
      const err = await Backup.create(root, new Date()).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toContain(root);
    },
    5000,
  );

  it('a file that cannot be written removes the whole backup and the directories it created', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(path.join(tmp, 'a', 'b'), new Date());
    await b.save(member, 'secret', {
      ...cm,
      kind: 'Secret',
      metadata: { ...cm.metadata, name: 'kubesphere-secret' },
    });
    // A name longer than a file name may be (ENAMETOOLONG): a real write failure, as a full disk would be.
    const long = { ...cm, metadata: { ...cm.metadata, name: 'n'.repeat(300) } };
    const err = await b.save(member, 'configmap', long).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(
      `cannot write the backup in ${b.dir}: ${path.join(b.dir, `member-configmap-${'n'.repeat(300)}.json`)}: the path is too long. Nothing was changed on any cluster, and no partial backup was left.`,
    );
    expect(existsSync(b.dir)).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('readBackup takes the manifest as untrusted input', () => {
  const MARKER = 'CONTENT-OF-A-FILE-OUTSIDE';

  async function backupWith(file: string, setup?: (dir: string) => Promise<void>) {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    await writeFile(path.join(tmp, 'outside.json'), `${MARKER}\n`);
    const b = await Backup.create(path.join(tmp, 'backups'), new Date());
    await b.save({ context: 'member', server: 'https://127.0.0.1:1' }, 'configmap', cm);
    const manifestPath = path.join(b.dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.members[0].objects[0].file = file.replace('$TMP', tmp);
    await writeFile(manifestPath, JSON.stringify(manifest));
    await setup?.(b.dir);
    return { dir: b.dir, manifestPath };
  }

  it.each([
    ['a path with ..', '../../outside.json', undefined],
    ['an absolute path', '$TMP/outside.json', undefined],
    ['a sub-directory', 'sub/x.json', undefined],
    [
      'a symbolic link out of the directory',
      'link.json',
      (dir: string) => symlink(path.join(dir, '..', '..', 'outside.json'), path.join(dir, 'link.json')),
    ],
    [
      'a listed file that is not JSON',
      'garbled.json',
      (dir: string) => writeFile(path.join(dir, 'garbled.json'), `${MARKER}\n`),
    ],
  ])('%s: a usage error naming the entry, never quoting the file', async (_name, file, setup) => {
    const { dir, manifestPath } = await backupWith(file, setup);
    const err = await readBackup(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const text = `${(err as UsageError).message} ${(err as UsageError).hint}`;
    expect(text).toContain(manifestPath);
    expect(text).not.toContain(MARKER);
  });

  it('a manifest whose objects are not a list is a usage error, not a crash', async () => {
    const { dir, manifestPath } = await backupWith('x.json');
    await writeFile(
      manifestPath,
      JSON.stringify({ kind: 'ks-restore-backup', version: 1, members: [{ context: 'm' }] }),
    );
    await expect(readBackup(dir)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('where backups go and what they record', () => {
  it('under $XDG_STATE_HOME, else ~/.local/state', () => {
    expect(defaultBackupRoot({ XDG_STATE_HOME: '/state' })).toBe('/state/ks-restore/backups');
    expect(defaultBackupRoot({ XDG_STATE_HOME: '' })).toBe(
      path.join(os.homedir(), '.local', 'state', 'ks-restore', 'backups'),
    );
  });

  it('a second backup in the same second gets -2, then -3', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const now = new Date('2026-11-28T17:12:48.999Z');
    const dirs = [];
    for (let i = 0; i < 3; i++) dirs.push(path.basename((await Backup.create(root, now)).dir));
    expect(dirs).toEqual(['20261128T171248Z', '20261128T171248Z-2', '20261128T171248Z-3']);
  });

  it('records each object, its file named safely, and how the member was reached', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(root, new Date('2026-11-28T17:12:48Z'));
    const via = { hostContext: 'host', cluster: 'member-1' };
    expect((await readBackup(b.dir)).manifest.members).toEqual([]);
    await b.save({ context: 'arn:aws:eks/prod cluster', server: 'https://m:6443', via }, 'configmap', cm);
    const bare = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'kubesphere-secret' } };
    await b.save({ context: 'arn:aws:eks/prod cluster', server: 'https://m:6443' }, 'secret', bare);
    await b.recordWritten('arn:aws:eks/prod cluster', 'secret', undefined);
    await b.recordWritten('someone-else', 'configmap', '9');
    await b.save(
      { context: 'dev://a  b', server: 'https://d:6443', restart: { namespace: 'ns', name: 'ks-apiserver' } },
      'clusterconfiguration',
      {
        apiVersion: 'installer.kubesphere.io/v1alpha1',
        kind: 'ClusterConfiguration',
        metadata: { name: 'ks-installer', namespace: 'ns' },
      },
    );
    const { manifest } = await readBackup(path.join(b.dir, 'manifest.json'));
    expect(manifest).toEqual({
      kind: 'ks-restore-backup',
      version: 1,
      createdAt: '2026-11-28T17:12:48.000Z',
      members: [
        {
          context: 'arn:aws:eks/prod cluster',
          server: 'https://m:6443',
          via,
          restart: null,
          objects: [
            {
              target: 'configmap',
              namespace: 'kubesphere-system',
              name: 'kubesphere-config',
              file: 'arn_aws_eks_prod_cluster-configmap-kubesphere-config.json',
              resourceVersionBefore: '42',
              resourceVersionAfter: null,
            },
            {
              target: 'secret',
              namespace: '',
              name: 'kubesphere-secret',
              file: 'arn_aws_eks_prod_cluster-secret-kubesphere-secret.json',
              resourceVersionBefore: null,
              resourceVersionAfter: null,
            },
          ],
        },
        {
          context: 'dev://a  b',
          server: 'https://d:6443',
          restart: { namespace: 'ns', name: 'ks-apiserver' },
          objects: [
            {
              target: 'clusterconfiguration',
              namespace: 'ns',
              name: 'ks-installer',
              file: 'dev_a_b-clusterconfiguration-ks-installer.json',
              resourceVersionBefore: null,
              resourceVersionAfter: null,
            },
          ],
        },
      ],
    });
    expect(await readFile(path.join(b.dir, 'manifest.json'), 'utf8')).toMatch(/^\{\n {2}"kind"[^]*\}\n$/);
  });
});

describe('readBackup says what is wrong with a backup, never quoting it', () => {
  async function saved() {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const b = await Backup.create(root, new Date());
    await b.save({ context: 'member', server: 'https://127.0.0.1:1' }, 'configmap', cm);
    const manifestPath = path.join(b.dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    return { dir: b.dir, manifestPath, manifest };
  }
  const failure = async (p: string) => {
    const err = await readBackup(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  };

  it('no such directory, or no manifest in it', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ksr-backup-'));
    const missing = await failure(path.join(tmp, 'gone'));
    expect(missing.message).toBe(`cannot read the backup at ${path.join(tmp, 'gone')}: ENOENT.`);
    expect(missing.hint).toContain('Pass the directory that repair printed');
    expect((await failure(tmp)).message).toBe(
      `cannot read the backup at ${tmp}: it has no readable manifest.json.`,
    );
  });

  it.each([
    ['another kind', { kind: 'other', version: 1 }],
    ['another version', { kind: 'ks-restore-backup', version: 2 }],
    ['not an object', null],
  ])('a manifest of %s is not a backup', async (_what, manifest) => {
    const { dir, manifestPath } = await saved();
    await writeFile(manifestPath, JSON.stringify(manifest));
    const err = await failure(dir);
    expect(err.message).toBe(`${dir} is not a ks-restore backup (manifest kind/version unknown).`);
    expect(err.hint).toBe('Pass a directory created by ks-restore repair.');
  });

  it.each<[string, (m: { members: Array<Record<string, unknown>> }) => void]>([
    ['members not a list', (m) => Object.assign(m, { members: {} })],
    ['a member that is null', (m) => m.members.push(null as never)],
    ['no context', (m) => delete m.members[0]!.context],
    ['no server', (m) => delete m.members[0]!.server],
    ['objects not a list', (m) => Object.assign(m.members[0]!, { objects: 'x' })],
    ['an object that is null', (m) => (m.members[0]!.objects as unknown[]).push(null)],
    [
      'an object without file',
      (m) => delete (m.members[0]!.objects as Array<Record<string, unknown>>)[0]!.file,
    ],
    [
      'an object without name',
      (m) => delete (m.members[0]!.objects as Array<Record<string, unknown>>)[0]!.name,
    ],
    [
      'an object without namespace',
      (m) => delete (m.members[0]!.objects as Array<Record<string, unknown>>)[0]!.namespace,
    ],
    [
      'an object of another type',
      (m) =>
        Object.assign((m.members[0]!.objects as Array<Record<string, unknown>>)[0]!, {
          target: 'deployment',
        }),
    ],
  ])('a damaged manifest (%s)', async (_what, damage) => {
    const { dir, manifestPath, manifest } = await saved();
    damage(manifest);
    await writeFile(manifestPath, JSON.stringify(manifest));
    const err = await failure(dir);
    expect(err.message).toBe(
      `${manifestPath} is damaged: its members or objects are not as ks-restore repair writes them.`,
    );
    expect(err.hint).toBe('Pass a backup directory created by ks-restore repair, unmodified.');
  });

  it.each(['', '.', '..', 'manifest.json', 'a\\b.json', 'sub/x.json'])(
    'the listed file %j is refused',
    async (file) => {
      const { dir, manifestPath, manifest } = await saved();
      manifest.members[0].objects[0].file = file;
      await writeFile(manifestPath, JSON.stringify(manifest));
      const err = await failure(dir);
      expect(err.message).toBe(
        `the entry for configmap/kubesphere-config on "member" in ${manifestPath} names the file ${JSON.stringify(file)}, which is not a file of the backup directory ${dir}; refusing to read it.`,
      );
      expect(err.hint).toBe(
        'The manifest was edited or is not from ks-restore repair: restore from the files in the backup directory by hand.',
      );
    },
  );

  it('a listed file that is missing, a directory, or JSON but no object', async () => {
    const { dir, manifestPath, manifest } = await saved();
    const entry = `the entry for configmap/kubesphere-config on "member" in ${manifestPath}`;
    manifest.members[0].objects[0].file = 'gone.json';
    await writeFile(manifestPath, JSON.stringify(manifest));
    const lacks = await failure(dir);
    expect(lacks.message).toBe(`the backup lacks gone.json (${entry}).`);
    expect(lacks.hint).toBe(
      'The backup directory is incomplete or was changed; restore from what is there by hand.',
    );
    await mkdir(path.join(dir, 'gone.json'));
    expect((await failure(dir)).message).toBe(
      `${entry} names gone.json, which is not a regular file (a link or a directory); refusing to read it.`,
    );
    manifest.members[0].objects[0].file = 'text.json';
    await writeFile(manifestPath, JSON.stringify(manifest));
    await writeFile(path.join(dir, 'text.json'), 'not json');
    const text = await failure(dir);
    expect(text.message).toBe(
      `${path.join(dir, 'text.json')} (${entry}) is not a JSON object as repair saved it.`,
    );
    expect(text.hint).toBe('The backup directory was changed; restore from what is there by hand.');
    for (const text of ['42', 'null', '{"metadata":null}', '{"metadata":"x"}']) {
      manifest.members[0].objects[0].file = 'odd.json';
      await writeFile(manifestPath, JSON.stringify(manifest));
      await writeFile(path.join(dir, 'odd.json'), text);
      expect((await failure(dir)).message).toBe(
        `${path.join(dir, 'odd.json')} (${entry}) is not a Kubernetes object as repair saved it.`,
      );
    }
  });
});
