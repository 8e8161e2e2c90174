import { ExitCode, KsRestoreError, UsageError } from '../errors.js';
import { openCluster } from '../kube/client.js';
import { loadKubeconfig, type LoadedKubeconfig } from '../kube/kubeconfig.js';
import { isResourceTypeMissing } from '../kube/types.js';
import { CLUSTER_CONFIGURATION, KS_CLUSTER, type ClusterReader } from '../kubesphere/cluster/gateway.js';
import type { ObjectJson } from '../kubesphere/cluster/snapshot.js';
import { renderStructured } from '../output/structured.js';
import { readBackup, type BackupMember, type BackupObject } from '../repair/backup.js';
import { waitForRollout } from '../repair/rollout.js';
import { confirm } from './consent.js';
import { readerFromStoredKubeconfig } from './session.js';
import { durationFlag, outputFlag } from './options.js';

type ObjectStatus = 'restored' | 'unchanged' | 'refused' | 'failed' | 'skipped';

interface RestoreRow {
  context: string;
  target: string;
  status: ObjectStatus;
  detail?: string;
}

/** `ks-restore rollback --backup DIR`: put the saved objects back, restart, wait. */
export async function rollbackCommand(flags: Record<string, unknown>, env = process.env): Promise<number> {
  const output = outputFlag(flags.output);
  const timeoutMs = durationFlag('--timeout', flags.timeout ?? '5m');
  const requestTimeoutMs = durationFlag('--request-timeout', flags.requestTimeout ?? '10s');
  const backup = await readBackup(String(flags.backup));
  const kubeconfigPath = typeof flags.kubeconfig === 'string' ? flags.kubeconfig : undefined;
  const kubeconfig = await loadKubeconfig({ ...(kubeconfigPath ? { kubeconfigPath } : {}), env });
  const log = (line: string): void => {
    if (output === 'text') process.stderr.write(`${line}\n`);
  };

  const clients = await Promise.all(
    backup.manifest.members.map(async (m) => {
      const client = await reach(m, kubeconfig, requestTimeoutMs);
      if (client.server.replace(/\/$/, '') !== m.server.replace(/\/$/, '')) {
        throw new UsageError(
          `${m.via ? `the kubeconfig stored for Cluster ${m.via.cluster}` : `context "${m.context}"`} now points at ${client.server}, but the backup was taken from ${m.server}.`,
          'Use the kubeconfig the repair ran with (--kubeconfig PATH).',
        );
      }
      return { member: m, client };
    }),
  );

  // Read everything first and decide; write nothing until every object is known to be safe to restore.
  const plans = await Promise.all(
    clients.map(({ member, client }) => planMember(member, client, backup.objects, Boolean(flags.force))),
  );
  const rows = plans.flatMap((p) => p.rows);
  const refused = rows.filter((r) => r.status === 'refused');
  if (refused.length > 0) {
    for (const r of refused) log(`refused: ${r.context} ${r.target}: ${r.detail}`);
    return finish(
      output,
      rows,
      'refused',
      ExitCode.usage,
      log,
      'Nothing was changed. Pass --force to restore over those later changes.',
    );
  }
  const work = plans.filter((p) => p.restores.length > 0);
  const targets = work.map((p) => `${p.member.context} (${p.member.server})`).join(', ');
  if (work.length === 0)
    return finish(output, rows, 'nothing-to-do', ExitCode.ok, log, 'Nothing to restore.');
  if (
    !(await confirm(
      `Restore ${rows.filter((r) => r.status === 'skipped').length === rows.length ? 'nothing' : 'the backed-up objects'} on ${targets}?`,
      { yes: Boolean(flags.yes), what: targets },
    ))
  ) {
    log('Nothing was changed.');
    return ExitCode.usage;
  }
  let changed = false;
  for (const p of work) {
    try {
      for (const r of p.restores) {
        await write(p.client, r.object, r.body);
        r.row.status = 'restored';
        changed = true;
        log(`restored ${p.member.context} ${r.row.target}`);
      }
      if (p.member.restart) {
        const { namespace, name } = p.member.restart;
        await p.client.restartDeployment(namespace, name, { now: new Date() });
        changed = true;
        log(`restarted ${p.member.context} deployment/${name}; waiting for the rollout`);
        await waitForRollout(p.client, namespace, name, { timeoutMs });
        rows.push({
          context: p.member.context,
          target: `deployment/${name}`,
          status: 'restored',
          detail: 'restarted and rolled out',
        });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      rows.push({ context: p.member.context, target: 'rollback', status: 'failed', detail: message });
      return finish(
        output,
        rows,
        'partial',
        changed ? ExitCode.partial : err instanceof KsRestoreError ? err.exitCode : ExitCode.unreadable,
        log,
        message,
      );
    }
  }
  return finish(output, rows, 'rolled-back', ExitCode.ok, log, 'Rolled back.');
}

interface Restore {
  object: BackupObject;
  body: ObjectJson;
  row: RestoreRow;
}

async function planMember(
  member: BackupMember,
  client: ClusterReader,
  saved: Map<string, ObjectJson>,
  force: boolean,
) {
  const rows: RestoreRow[] = [];
  const restores: Restore[] = [];
  for (const o of member.objects) {
    const row: RestoreRow = { context: member.context, target: `${o.target}/${o.name}`, status: 'skipped' };
    rows.push(row);
    const original = saved.get(o.file);
    if (!original)
      throw new UsageError(
        `the backup lacks ${o.file}.`,
        'The backup directory is incomplete; restore by hand from what is there.',
      );
    if (o.resourceVersionAfter === null) {
      row.detail = 'repair never wrote it';
      continue;
    }
    const current = await read(client, o);
    if (!current) {
      row.status = 'refused';
      row.detail = 'it no longer exists';
      continue;
    }
    if (sameContent(current, original)) {
      row.status = 'unchanged';
      continue;
    }
    if (current.metadata.resourceVersion !== o.resourceVersionAfter && !force) {
      row.status = 'refused';
      row.detail = 'it changed again since the repair (someone else edited it)';
      continue;
    }
    const body = structuredClone(original);
    body.metadata = { ...body.metadata, resourceVersion: current.metadata.resourceVersion };
    delete body.metadata.managedFields;
    if ('status' in current) body.status = current.status;
    restores.push({ object: o, body, row });
  }
  return { member, client, rows, restores };
}

/** What rollback promises to restore byte for byte: data, stringData, spec. */
function sameContent(a: ObjectJson, b: ObjectJson): boolean {
  const pick = (o: ObjectJson) => JSON.stringify([o.data ?? null, o.spec ?? null]);
  return pick(a) === pick(b);
}

async function read(client: ClusterReader, o: BackupObject): Promise<ObjectJson | undefined> {
  if (o.target === 'clusterconfiguration') {
    const res = await client.getCustom(CLUSTER_CONFIGURATION, o.namespace, o.name);
    return res && !('resourceTypeMissing' in res) ? res : undefined;
  }
  return client.get(o.target === 'configmap' ? 'configmaps' : 'secrets', o.namespace, o.name);
}

async function write(client: ClusterReader, o: BackupObject, body: ObjectJson): Promise<void> {
  const obj = body as Parameters<ClusterReader['replace']>[1];
  if (o.target === 'clusterconfiguration')
    await client.replaceCustom(CLUSTER_CONFIGURATION, obj, { fieldManager: 'ks-restore' });
  else
    await client.replace(o.target === 'configmap' ? 'configmaps' : 'secrets', obj, {
      fieldManager: 'ks-restore',
    });
}

function finish(
  output: 'text' | 'json' | 'yaml',
  rows: RestoreRow[],
  status: string,
  exitCode: number,
  log: (line: string) => void,
  summary: string,
): number {
  if (output === 'text') log(summary);
  else
    process.stdout.write(
      renderStructured({ schemaVersion: 1, command: 'rollback', status, exitCode, objects: rows }, output),
    );
  return exitCode;
}

/** The member as repair reached it: its context, or the kubeconfig the host stores for it. */
async function reach(
  m: BackupMember,
  kubeconfig: LoadedKubeconfig,
  requestTimeoutMs: number,
): Promise<ClusterReader> {
  if (!m.via) return openCluster(kubeconfig, m.context, { requestTimeoutMs });
  const host = openCluster(kubeconfig, m.via.hostContext, { requestTimeoutMs });
  const cluster = await host.getCustom(KS_CLUSTER, undefined, m.via.cluster);
  const reader =
    cluster && !isResourceTypeMissing(cluster)
      ? await readerFromStoredKubeconfig(cluster, requestTimeoutMs)
      : undefined;
  if (!reader) {
    throw new UsageError(
      `the host (context "${m.via.hostContext}") no longer has a stored kubeconfig for Cluster ${m.via.cluster}.`,
      'Add a kubeconfig context for the member and restore the files in the backup directory by hand.',
    );
  }
  return reader;
}
