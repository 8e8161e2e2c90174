import { chmod, mkdir, open, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KsRestoreError, UsageError, ExitCode } from '../errors.js';
import type { WriteTarget } from '../kubesphere/repair/plan.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';

/**
 * Backups hold the objects as fetched, so they hold a jwtSecret: directory 0700, files 0600, created with
 * that mode (never chmod'ed after being written world-readable).
 */
export interface BackupObject {
  target: WriteTarget;
  namespace: string;
  name: string;
  file: string;
  /** resourceVersion as fetched, and as we left it: rollback refuses when it changed again since. */
  resourceVersionBefore: string | null;
  resourceVersionAfter: string | null;
}

export interface BackupMember {
  context: string;
  server: string;
  /** Reached through the kubeconfig the host stores for it (--use-host-credentials), not a local context. */
  via?: { hostContext: string; cluster: string };
  restart: { namespace: string; name: string } | null;
  objects: BackupObject[];
}

export interface MemberRef {
  context: string;
  server: string;
  restart?: { namespace: string; name: string };
  via?: { hostContext: string; cluster: string };
}

export interface BackupManifest {
  kind: 'ks-restore-backup';
  version: 1;
  createdAt: string;
  members: BackupMember[];
}

export function defaultBackupRoot(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'ks-restore', 'backups');
}

export class Backup {
  private constructor(
    readonly dir: string,
    private readonly manifest: BackupManifest,
  ) {}

  static async create(root: string, now: Date): Promise<Backup> {
    const stamp = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    await mkdir(root, { recursive: true, mode: 0o700 });
    let dir = path.join(root, stamp);
    for (let i = 2; ; i++) {
      try {
        await mkdir(dir, { mode: 0o700 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i > 50) throw backupError(root, err);
        dir = path.join(root, `${stamp}-${i}`);
      }
    }
    await chmod(dir, 0o700);
    const backup = new Backup(dir, {
      kind: 'ks-restore-backup',
      version: 1,
      createdAt: now.toISOString(),
      members: [],
    });
    await backup.flush();
    return backup;
  }

  /** Saves an object before it is written; call once per object, before the first write of the run. */
  async save(member: MemberRef, target: WriteTarget, obj: ObjectJson): Promise<void> {
    const m = this.member(member);
    const file = `${safe(member.context)}-${target}-${safe(obj.metadata.name ?? '')}.json`;
    await writePrivate(path.join(this.dir, file), `${JSON.stringify(obj, null, 2)}\n`);
    m.objects.push({
      target,
      namespace: obj.metadata.namespace ?? '',
      name: obj.metadata.name ?? '',
      file,
      resourceVersionBefore: obj.metadata.resourceVersion ?? null,
      resourceVersionAfter: null,
    });
    await this.flush();
  }

  async recordWritten(
    context: string,
    target: WriteTarget,
    resourceVersion: string | undefined,
  ): Promise<void> {
    const obj = this.manifest.members
      .find((m) => m.context === context)
      ?.objects.find((o) => o.target === target);
    if (obj) obj.resourceVersionAfter = resourceVersion ?? null;
    await this.flush();
  }

  private member(member: MemberRef): BackupMember {
    let m = this.manifest.members.find((x) => x.context === member.context);
    if (!m) {
      m = {
        context: member.context,
        server: member.server,
        ...(member.via ? { via: member.via } : {}),
        restart: member.restart ?? null,
        objects: [],
      };
      this.manifest.members.push(m);
    }
    return m;
  }

  private async flush(): Promise<void> {
    await writePrivate(path.join(this.dir, 'manifest.json'), `${JSON.stringify(this.manifest, null, 2)}\n`);
  }
}

export interface LoadedBackup {
  dir: string;
  manifest: BackupManifest;
  objects: Map<string, ObjectJson>;
}

/** Reads a backup directory (or its manifest.json) for rollback. */
export async function readBackup(p: string): Promise<LoadedBackup> {
  const dir = path.basename(p) === 'manifest.json' ? path.dirname(p) : p;
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  } catch (err) {
    const entries = await readdir(dir).catch(() => undefined);
    throw new UsageError(
      `cannot read the backup at ${dir}: ${entries ? 'it has no readable manifest.json' : ((err as NodeJS.ErrnoException).code ?? 'unreadable')}.`,
      'Pass the directory that repair printed ("backup: …"), e.g. --backup ~/.local/state/ks-restore/backups/20261128T171248Z.',
    );
  }
  if (manifest.kind !== 'ks-restore-backup' || manifest.version !== 1) {
    throw new UsageError(
      `${dir} is not a ks-restore backup (manifest kind/version unknown).`,
      'Pass a directory created by ks-restore repair.',
    );
  }
  const objects = new Map<string, ObjectJson>();
  for (const m of manifest.members) {
    for (const o of m.objects) {
      objects.set(o.file, JSON.parse(await readFile(path.join(dir, o.file), 'utf8')) as ObjectJson);
    }
  }
  return { dir, manifest, objects };
}

async function writePrivate(file: string, text: string): Promise<void> {
  const fh = await open(file, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(text, 'utf8');
  } finally {
    await fh.close();
  }
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function backupError(root: string, err: unknown): KsRestoreError {
  return new KsRestoreError(
    `cannot create a backup directory under ${root}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`,
    {
      exitCode: ExitCode.usage,
      hint: 'Nothing was changed. Choose a writable place with --backup-dir DIR.',
    },
  );
}
