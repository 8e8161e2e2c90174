import { describe, expect, it } from 'vitest';
import type { MemberReport } from '../../src/kubesphere/checks/report.js';
import type { ActionRecord } from '../../src/repair/apply.js';
import type { Verification } from '../../src/repair/verify.js';
import { createColors } from '../../src/output/color.js';
import type { MemberRun } from '../../src/output/repair-render.js';
import { renderResultTable } from '../../src/output/repair-table.js';

const noColor = createColors({ color: false, stream: {}, env: {} });

const before = (name: string, cause: MemberReport['cause']): MemberReport => ({
  name,
  context: name,
  server: `https://${name}:6443`,
  kubesphereVersion: 'v3.4.1',
  clusterRole: 'member',
  discovery: { cluster: name, method: 'server-url', connection: 'direct' },
  status: cause === 'healthy' ? 'healthy' : 'unhealthy',
  cause,
  jwtSecret: { present: true, fingerprint: '0123abcd', length: 32 },
  checks: [],
});

const action = (id: ActionRecord['id'], status: ActionRecord['status'], error?: string): ActionRecord => ({
  id,
  target: `${id} target`,
  status,
  ...(error ? { error: { message: error } } : {}),
});

function run(
  name: string,
  actions: ActionRecord[],
  verification: Verification | null,
  refusal?: 'role-guard' | 'not-readable',
): MemberRun {
  return {
    plan: {
      context: name,
      server: `https://${name}:6443`,
      writes: [],
      restart: undefined,
      refusal: refusal ? { code: refusal, args: {} } : undefined,
      forced: false,
    },
    before: before(name, refusal === 'not-readable' ? 'unreadable' : 'token-cache'),
    actions,
    verification,
    mask: (t: string) => t,
  };
}

const healthy: Verification = { status: 'healthy', cause: 'healthy' };

describe('the result table of a fleet repair', () => {
  const runs = [
    run('ok', [action('set-access-token-max-age', 'done'), action('restart', 'done')], healthy),
    run('still', [action('set-access-token-max-age', 'done')], { status: 'unhealthy', cause: 'token-cache' }),
    run(
      'broke',
      [action('set-access-token-max-age', 'done'), action('restart', 'failed', 'forbidden')],
      null,
    ),
    run('untouched', [action('sync-jwt-secret', 'failed', 'conflict')], null),
    run('idle', [], null),
    run('guarded', [], null, 'role-guard'),
  ];
  const table = renderResultTable(runs, noColor, {
    backup: '/backups/20261202T000000Z',
    dryRun: false,
    headers: true,
    width: undefined,
  });
  const rowOf = (name: string) => table.find((l) => l.startsWith(`${name} `))?.split(/ {2,}/);

  it.each([
    ['ok', 'verified', "accepts the host's tokens"],
    ['still', 'changed', 'still unhealthy: token cache on (accessTokenMaxAge not 0)'],
    ['broke', 'failed', 'restart failed after 1 step(s) were done'],
    ['untouched', 'failed', 'sync-jwt-secret failed'],
    ['idle', 'skipped', 'nothing to do'],
    ['guarded', 'refused', 'its member role is not established (--force overrides)'],
  ])('%s: %s (%s)', (name, result, detail) => {
    expect(rowOf(name)).toEqual([name, result, detail]);
  });

  it('has a header, and the rollback command names the members it changed', () => {
    expect(table[0]).toMatch(/^MEMBER +RESULT +DETAIL$/);
    const undo = table.indexOf('To undo the changes to ok, still, broke:');
    expect(undo).toBeGreaterThan(0);
    expect(table[undo + 1]).toBe('  ks-restore rollback --backup /backups/20261202T000000Z');
  });

  it('a dry run changed nothing: no rollback command', () => {
    const dry = renderResultTable(
      [run('a', [action('set-access-token-max-age', 'planned')], null), run('b', [], null)],
      noColor,
      { backup: null, dryRun: true, headers: false, width: undefined },
    );
    expect(dry.map((l) => l.split(/ {2,}/))).toEqual([
      ['a', 'skipped', 'not applied (--dry-run)'],
      ['b', 'skipped', 'nothing to do'],
    ]);
  });
});
