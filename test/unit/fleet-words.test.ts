import { describe, expect, it } from 'vitest';
import type { Cause, Finding, MemberReport } from '../../src/kubesphere/checks/report.js';
import { causeLabel, memberRemedy, secretLabel } from '../../src/output/fleet-words.js';
import { describeFinding } from '../../src/output/messages.js';

const CAUSES: Cause[] = [
  'healthy',
  'unreadable',
  'not-kubesphere',
  'config-invalid',
  'wrong-role',
  'secret-mismatch-and-token-cache',
  'secret-mismatch',
  'token-cache',
  'installer-revert',
  'restart-pending',
  'clock-skew',
  'host-cache',
  'stale-errors',
  'no-route',
  'host-sees-not-ready',
];

const member = (cause: Cause, checks: Finding[] = []): MemberReport => ({
  name: 'm',
  context: 'm',
  server: null,
  kubesphereVersion: null,
  clusterRole: null,
  discovery: { cluster: 'm', method: 'server-url', connection: 'direct' },
  status: cause === 'healthy' ? 'healthy' : 'unhealthy',
  cause,
  jwtSecret: { present: false, fingerprint: null, length: 0 },
  checks,
});

const reach = (code: string, args: Finding['args'] = {}): Finding => ({
  id: 'reachable',
  status: 'error',
  code,
  args,
});

describe('the CAUSE cell says it in words', () => {
  it.each(CAUSES.filter((c) => c !== 'healthy'))('%s', (cause) => {
    const label = causeLabel(member(cause));
    expect(label).not.toContain(cause);
    expect(label).toMatch(/ /);
  });

  it.each([
    ['no-route-proxy', {}, 'not reachable: proxy connection, no context'],
    ['no-route-no-context', {}, 'not reachable: no kubeconfig context'],
    [
      'unreachable-unreachable',
      {
        message:
          'cannot reach the API server of context "m" (https://m:6443) to get version: connection refused (ECONNREFUSED)',
      },
      'not reachable: connection refused (ECONNREFUSED)',
    ],
    ['unreachable-forbidden', { message: 'forbidden' }, 'not readable: access forbidden'],
    ['unreachable-timeout', { message: 'x' }, 'not readable: timed out'],
  ])('an unreachable member: %s', (code, args, want) => {
    const cause: Cause = code.startsWith('no-route') ? 'no-route' : 'unreadable';
    expect(causeLabel(member(cause, [reach(code, args)]))).toBe(want);
  });
});

describe('the jwtSecret in a heading', () => {
  const config = (status: Finding['status']): Finding => ({
    id: 'kubesphere-config',
    status,
    code: 'x',
    args: {},
  });
  it.each([
    ['read, and empty', [config('pass')], 'no jwtSecret'],
    ['kubesphere-config not read', [config('skip')], 'jwtSecret unknown'],
    ['kubesphere.yaml does not parse', [config('fail')], 'jwtSecret unknown'],
    ['no checks at all', [], 'jwtSecret unknown'],
  ])('%s: %s', (_name, checks, want) => {
    expect(secretLabel({ present: false, fingerprint: null, length: 0 }, checks)).toBe(want);
  });
  it('a fingerprint when there is one', () => {
    expect(secretLabel({ present: true, fingerprint: '0123abcd', length: 32 }, [])).toBe(
      'jwtSecret fp 0123abcd',
    );
  });
});

describe('what to do for a member repair does not fix', () => {
  it('an unreachable one: the hint of the failure, capitalised', () => {
    const m = member('unreadable', [
      reach('unreachable-unreachable', { message: 'x', hint: 'check the VPN' }),
    ]);
    expect(memberRemedy(m)).toBe('Check the VPN');
  });
  it('one that could be read, beside a host that could not: read the host first', () => {
    const m = member('unreadable', [{ id: 'reachable', status: 'pass', code: 'reachable', args: {} }]);
    expect(causeLabel(m)).toBe('not compared: the host could not be read');
    expect(memberRemedy(m)).toMatch(/^Make the host readable/);
  });
  it('a proxy one: how to reach it', () => {
    expect(memberRemedy(member('no-route', [reach('no-route-proxy', { cluster: 'm' })]))).toContain(
      '--member m=CONTEXT',
    );
  });
  it.each(['clock-skew', 'host-cache', 'host-sees-not-ready', 'stale-errors'] as Cause[])(
    '%s: never "ks-restore repair", which would not fix it',
    (cause) => {
      expect(memberRemedy(member(cause))).not.toMatch(/ks-restore repair/);
    },
  );
});

describe('a skipped check says why in words', () => {
  it.each(['unreachable', 'config', 'host', 'no-write-time', 'a-reason-from-a-newer-version'])(
    '%s',
    (reason) => {
      const w = describeFinding({
        id: 'apiserver-restart-pending',
        status: 'skip',
        code: 'skipped',
        args: { reason },
      });
      expect(w.summary).toMatch(/^skipped/);
      expect(w.summary).not.toContain(`(${reason})`);
      // A code (kebab-case) never shows; plain words may.
      if (reason.includes('-')) expect(w.summary).not.toContain(reason);
    },
  );
});
