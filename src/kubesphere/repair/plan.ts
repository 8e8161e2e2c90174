import { fingerprintSecret } from '../config/fingerprint.js';
import { resignHs256 } from './static-token.js';
import { ccMaxAgeNeedsZero, type ClusterFacts } from '../cluster/facts.js';
import { ccMaxAgeRule } from '../config/version.js';
import { KS_CONFIG_KEY, KS_CONFIGMAP, KS_INSTALLER, KS_NAMESPACE, KS_SECRET } from '../cluster/gateway.js';
import { applyObjectEdits, type ObjectEdit } from './object-edit.js';
import type { MemberReport } from '../checks/report.js';
import { causeFixable } from '../checks/verdict.js';
import type { ClusterSnapshot, ObjectJson } from '../cluster/snapshot.js';
import { present } from '../cluster/snapshot.js';

/** Repair as data: what would change, on which object, and why. Built before anything is written. */
export type ActionId = 'sync-jwt-secret' | 'set-access-token-max-age' | 'restart' | 'wait-rollout' | 'verify';

export type WriteTarget = 'secret' | 'configmap' | 'clusterconfiguration';

/**
 * Why a change outside kubesphere.yaml is needed for the fix to survive ks-installer's next run (3.x), by the
 * template rule it follows (ks-installer roles/ks-core/config/templates/kubesphere-config.yaml.j2, init-token).
 */
export type ChangeWhy =
  | 'installer-renders-cc-secret'
  | 'installer-renders-secret'
  | 'installer-zero-for-member-role'
  | 'installer-3.1-renders-cc-oauth'
  | 'installer-version-unknown-cc-oauth';

export interface Change {
  action: ActionId;
  /** Set on ClusterConfiguration and kubesphere-secret changes. */
  why?: ChangeWhy;
  /** Where, e.g. `kubesphere.yaml: authentication.jwtSecret` or `spec.multicluster.clusterRole`. */
  path: string;
  /** Secret values are carried as fingerprints only. */
  secret: boolean;
  from: string | null;
  to: string;
}

export interface PlannedWrite {
  target: WriteTarget;
  namespace: string;
  name: string;
  /** The object as fetched: backed up before the first write. */
  before: ObjectJson;
  after: ObjectJson;
  /** Replayed on a fresh copy after a 409. */
  edits: ObjectEdit[];
  changes: Change[];
}

export interface Refusal {
  code:
    | 'role-guard'
    | 'wrong-role-host'
    | 'host-secret-empty'
    | 'config-not-editable'
    | 'not-readable'
    /** The member's settings are already right; what keeps the symptom is outside them (`args.cause`). */
    | 'not-repairable'
    /** The --host context is not a host (`args.role`); `args.swappedWith` is a member context that is one. */
    | 'host-not-host';
  args: Record<string, string | number | null>;
}

export interface MemberPlan {
  context: string;
  server: string;
  writes: PlannedWrite[];
  /** The Deployment that really serves ks-apiserver on this member (`ks-agent` on 4.x members). */
  restart: { namespace: string; name: string; reason: 'config-changed' | 'restart-pending' } | undefined;
  refusal: Refusal | undefined;
  /** `--force` overrode the role guard; the output says so. */
  forced: boolean;
}

export interface PlanInput {
  host: { facts: ClusterFacts; server: string };
  member: { snapshot: ClusterSnapshot; facts: ClusterFacts; report: MemberReport };
  force: boolean;
}

const WRITE_ORDER: WriteTarget[] = ['secret', 'configmap', 'clusterconfiguration'];

/** Pure: findings and snapshots in, the member's repair plan out. Only ever copies host → member. */
export function planMemberRepair({ host, member, force }: PlanInput): MemberPlan {
  const { snapshot, facts, report } = member;
  const empty: MemberPlan = {
    context: snapshot.context,
    server: snapshot.server,
    writes: [],
    restart: undefined,
    refusal: undefined,
    forced: false,
  };
  const refuse = (refusal: Refusal): MemberPlan => ({ ...empty, refusal });
  if (facts.config.state === 'unparseable') {
    return refuse({ code: 'config-not-editable', args: { reason: facts.config.reason } });
  }
  if (report.status === 'error' || facts.config.state !== 'ok') {
    return refuse({ code: 'not-readable', args: { cause: report.cause } });
  }
  const hostSecret = host.facts.config.state === 'ok' ? host.facts.config.settings.jwtSecret : undefined;
  if (!hostSecret) return refuse({ code: 'host-secret-empty', args: {} });

  const settings = facts.config.settings;
  const is3x = facts.family !== '4.x' && facts.layout !== 'v4';
  const cc = facts.clusterConfiguration;
  const needMaxAge = !settings.accessTokenMaxAge.zero;
  const needCcRole = is3x && cc !== undefined && cc.clusterRole !== 'member';
  // Only where ks-installer renders the CC's value for a member (3.1; or the version is unknown).
  const needCcMaxAge = is3x && ccMaxAgeNeedsZero(facts);
  const needFileRole = settings.clusterRoleRaw !== undefined && settings.clusterRole !== 'member';
  // Zero accessTokenMaxAge on a host makes its tokens immortal: only where the role is known to be member.
  const mayBeHost =
    facts.role.value === 'host' || facts.role.value === undefined || snapshot.server === host.server;
  let forced = false;
  if ((needMaxAge || needCcRole || needCcMaxAge || needFileRole) && mayBeHost) {
    if (!force) {
      return refuse({
        code: facts.role.value === 'host' ? 'wrong-role-host' : 'role-guard',
        args: { role: facts.role.value ?? null, source: facts.role.source },
      });
    }
    forced = true;
  }

  const writes: PlannedWrite[] = [];
  const add = (
    target: WriteTarget,
    name: string,
    obj: ObjectJson | undefined,
    edits: ObjectEdit[],
    changes: Change[],
  ) => {
    if (!obj || edits.length === 0) return undefined;
    const res = applyObjectEdits(obj, edits);
    if (!res.ok) return res.reason;
    if (res.changed)
      writes.push({ target, namespace: KS_NAMESPACE, name, before: obj, after: res.after, edits, changes });
    return undefined;
  };

  // kubesphere.yaml: edited as text so that every other byte stays as it was.
  const cmEdits: ObjectEdit[] = [];
  const cmChanges: Change[] = [];
  if (settings.jwtSecret !== hostSecret) {
    cmEdits.push({
      kind: 'config-yaml',
      key: KS_CONFIG_KEY,
      path: settings.jwtSecretPath,
      value: hostSecret,
      secret: true,
    });
    cmChanges.push(
      secretChange(
        'sync-jwt-secret',
        `${KS_CONFIG_KEY}: ${settings.jwtSecretPath.join('.')}`,
        settings.jwtSecret,
        hostSecret,
      ),
    );
  }
  if (needMaxAge) {
    const m = settings.accessTokenMaxAge;
    cmEdits.push({ kind: 'config-yaml', key: KS_CONFIG_KEY, path: m.path, value: '0s', secret: false });
    cmChanges.push({
      action: 'set-access-token-max-age',
      path: `${KS_CONFIG_KEY}: ${m.path.join('.')}`,
      secret: false,
      from: m.present ? m.raw : null,
      to: '0s',
    });
  }
  // 3.3+ and 4.x files state the role too; ks-installer renders `member` once the CC says so.
  if (needFileRole) {
    cmEdits.push({
      kind: 'config-yaml',
      key: KS_CONFIG_KEY,
      path: ['multicluster', 'clusterRole'],
      value: 'member',
      secret: false,
    });
    cmChanges.push({
      action: 'set-access-token-max-age',
      path: `${KS_CONFIG_KEY}: multicluster.clusterRole`,
      secret: false,
      from: typeof settings.clusterRoleRaw === 'string' ? settings.clusterRoleRaw : null,
      to: 'member',
    });
  }
  const cmProblem = add('configmap', KS_CONFIGMAP, present(snapshot.configMap), cmEdits, cmChanges);
  if (cmProblem) return refuse({ code: 'config-not-editable', args: { reason: cmProblem } });

  // 3.x: ks-installer re-renders the ConfigMap from these at its next run, so they must say the same.
  if (is3x) {
    const secretObj = present(snapshot.kubesphereSecret);
    if (facts.installerSecret !== hostSecret) {
      const edits: ObjectEdit[] = [{ kind: 'secret-data', key: 'secret', value: hostSecret }];
      const changes: Change[] = [
        {
          ...secretChange('sync-jwt-secret', 'data.secret', facts.installerSecret, hostSecret),
          why: 'installer-renders-secret',
        },
      ];
      // The static admin token beside it was signed with the old secret: re-sign it, claims unchanged.
      const token = secretData(secretObj, 'token');
      const resigned = token === undefined ? undefined : resignHs256(token, hostSecret);
      if (token !== undefined && resigned !== undefined && resigned !== token) {
        edits.push({ kind: 'secret-data', key: 'token', value: resigned });
        changes.push(secretChange('sync-jwt-secret', 'data.token (re-signed)', token, resigned));
      }
      add('secret', KS_SECRET, secretObj, edits, changes);
    }
    if (cc) {
      const edits: ObjectEdit[] = [];
      const changes: Change[] = [];
      // The installer takes the CC's jwtSecret when set, else kubesphere-secret's: pin it in the CC when
      // either would render another secret.
      const rendered = cc.jwtSecret ?? facts.installerSecret;
      if (rendered !== hostSecret) {
        edits.push({ kind: 'field', path: ['spec', 'authentication', 'jwtSecret'], value: hostSecret });
        changes.push({
          ...secretChange('sync-jwt-secret', 'spec.authentication.jwtSecret', cc.jwtSecret, hostSecret),
          why: 'installer-renders-cc-secret',
        });
      }
      if (needCcMaxAge) {
        edits.push({
          kind: 'field',
          path: ['spec', 'authentication', 'oauthOptions', 'accessTokenMaxAge'],
          value: '0s',
        });
        changes.push({
          action: 'set-access-token-max-age',
          path: 'spec.authentication.oauthOptions.accessTokenMaxAge',
          secret: false,
          from: cc.accessTokenMaxAge?.raw ?? null,
          to: '0s',
          why:
            ccMaxAgeRule(facts.version) === 'decides'
              ? 'installer-3.1-renders-cc-oauth'
              : 'installer-version-unknown-cc-oauth',
        });
      }
      if (needCcRole) {
        edits.push({ kind: 'field', path: ['spec', 'multicluster', 'clusterRole'], value: 'member' });
        changes.push({
          action: 'set-access-token-max-age',
          path: 'spec.multicluster.clusterRole',
          secret: false,
          from: cc.clusterRole ?? null,
          to: 'member',
          why: 'installer-zero-for-member-role',
        });
      }
      add('clusterconfiguration', KS_INSTALLER, present(snapshot.clusterConfiguration), edits, changes);
    }
  }
  writes.sort((a, b) => WRITE_ORDER.indexOf(a.target) - WRITE_ORDER.indexOf(b.target));

  const pending = report.checks.find((c) => c.id === 'apiserver-restart-pending');
  const restartPending = pending?.status === 'fail';
  const configChanged = writes.some((w) => w.target === 'configmap');
  const restart =
    facts.deployment && (configChanged || restartPending)
      ? {
          namespace: KS_NAMESPACE,
          name: facts.deployment.name,
          reason: configChanged ? ('config-changed' as const) : ('restart-pending' as const),
        }
      : undefined;
  // Nothing of the member's to change, yet the console still fails: saying "nothing to do" would be wrong.
  if (writes.length === 0 && !restart && report.status === 'unhealthy' && !causeFixable(report.cause))
    return refuse({ code: 'not-repairable', args: { cause: report.cause } });
  return { ...empty, writes, restart, forced };
}

export function planIsEmpty(plan: MemberPlan): boolean {
  return plan.writes.length === 0 && plan.restart === undefined;
}

function secretChange(action: ActionId, path: string, from: string | undefined, to: string): Change {
  return { action, path, secret: true, from: fingerprint(from), to: fingerprint(to) ?? '' };
}

function fingerprint(secret: string | undefined): string | null {
  const f = fingerprintSecret(secret ?? '');
  return f.present ? (f.fingerprint ?? null) : null;
}

function secretData(secret: ObjectJson | undefined, key: string): string | undefined {
  const b64 = (secret as { data?: Record<string, string> } | undefined)?.data?.[key];
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
}
