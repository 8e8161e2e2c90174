import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { planSnapshots } from '../helpers/plan.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

/** The exact edits repair plans: which object, which key, which value, and which of them are secrets. */
const forbidden = { failure: { kind: 'forbidden' as const, message: 'forbidden' } };
const plan = planSnapshots;

const FP = /^[0-9a-f]{8}$/;
const edits = (p: ReturnType<typeof plan>['plan']) => p.writes.map((w) => [w.target, w.edits]);

describe('kubesphere.yaml edits', () => {
  it('a 3.4 member with another secret, no accessTokenMaxAge and role none: three edits, only the secret marked secret', () => {
    const HOST = 'FAKEv34hostJwtSecret000000000000';
    const host = snapshot({ context: 'host', yaml: fixture('v3.4-host.yaml'), image: 'ks:v3.4.1' });
    const member = snapshot({ context: 'solo', yaml: fixture('v3.4-none.yaml'), image: 'ks:v3.4.1' });
    const { plan: p } = plan(host, member, true);
    const cm = p.writes.find((w) => w.target === 'configmap')!;
    expect(cm.edits).toEqual([
      {
        kind: 'config-yaml',
        key: 'kubesphere.yaml',
        path: ['authentication', 'jwtSecret'],
        value: HOST,
        secret: true,
      },
      {
        kind: 'config-yaml',
        key: 'kubesphere.yaml',
        path: ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
        value: '0s',
        secret: false,
      },
      {
        kind: 'config-yaml',
        key: 'kubesphere.yaml',
        path: ['multicluster', 'clusterRole'],
        value: 'member',
        secret: false,
      },
    ]);
    expect(cm.changes.map((c) => [c.path, c.secret, c.from, c.to])).toEqual([
      [
        'kubesphere.yaml: authentication.jwtSecret',
        true,
        expect.stringMatching(FP),
        expect.stringMatching(FP),
      ],
      // Absent from the file: added, from nothing.
      ['kubesphere.yaml: authentication.oauthOptions.accessTokenMaxAge', false, null, '0s'],
      ['kubesphere.yaml: multicluster.clusterRole', false, 'none', 'member'],
    ]);
    // The secret change shows fingerprints of the two secrets, never the secrets themselves.
    expect(cm.changes[0]!.from).not.toBe(cm.changes[0]!.to);
  });
});

describe('ClusterConfiguration and kubesphere-secret on 3.x', () => {
  const HOST31 = 'FAKEv31hostJwtSecret000000000000';
  const host31 = () =>
    snapshot({
      context: 'host',
      yaml: fixture('v3.1-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.1.1',
      cc: { jwtSecret: HOST31, clusterRole: 'host' },
      installerSecret: HOST31,
    });

  it('3.1 renders the CC accessTokenMaxAge for a member: a CC of 2h is set to 0s there, and only there', () => {
    const member = snapshot({
      context: 'member',
      yaml: fixture('v3.1-member.yaml').replace('FAKEv31memberJwtSecret0000000000', HOST31),
      image: 'kubesphere/ks-apiserver:v3.1.1',
      cc: { jwtSecret: HOST31, clusterRole: 'member', accessTokenMaxAge: '2h' },
      installerSecret: HOST31,
    });
    const { plan: p } = plan(host31(), member);
    expect(p.refusal).toBeUndefined();
    expect(edits(p)).toEqual([
      [
        'clusterconfiguration',
        [
          {
            kind: 'field',
            path: ['spec', 'authentication', 'oauthOptions', 'accessTokenMaxAge'],
            value: '0s',
          },
        ],
      ],
    ]);
    expect(p.writes[0]!.changes).toEqual([
      {
        action: 'set-access-token-max-age',
        path: 'spec.authentication.oauthOptions.accessTokenMaxAge',
        secret: false,
        from: '2h',
        to: '0s',
        why: 'installer-3.1-renders-cc-oauth',
      },
    ]);
    // The ConfigMap already says 0 and is not touched, so nothing restarts.
    expect(p.restart).toBeUndefined();
  });

  it('a 3.x member of unknown version with a CC accessTokenMaxAge: set to 0s, saying the version is unknown', () => {
    const member = snapshot({
      context: 'member',
      yaml: fixture('v3.1-member.yaml').replace('FAKEv31memberJwtSecret0000000000', HOST31),
      image: 'registry.example/ks-apiserver:custom',
      cc: { jwtSecret: HOST31, clusterRole: 'member', accessTokenMaxAge: '2h' },
      installerSecret: HOST31,
    });
    expect(deriveFacts(member).version).toBeUndefined();
    const { plan: p } = plan(host31(), member);
    expect(p.writes.map((w) => [w.target, w.changes.map((c) => [c.path, c.from, c.to, c.why])])).toEqual([
      [
        'clusterconfiguration',
        [
          [
            'spec.authentication.oauthOptions.accessTokenMaxAge',
            '2h',
            '0s',
            'installer-version-unknown-cc-oauth',
          ],
        ],
      ],
    ]);
  });

  const HOST32 = 'FAKEv32hostJwtSecret000000000000';
  const host32 = () =>
    snapshot({
      context: 'host',
      yaml: fixture('v3.2-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST32, clusterRole: 'host' },
      installerSecret: HOST32,
    });
  const member32 = (installerSecret: string, installerToken?: string): ClusterSnapshot =>
    snapshot({
      context: 'member',
      yaml: fixture('v3.2-member.yaml'),
      image: 'kubesphere/ks-apiserver:v3.2.1',
      cc: { jwtSecret: HOST32, clusterRole: 'member' },
      installerSecret,
      ...(installerToken ? { installerToken } : {}),
    });

  it('the CC already pins the host secret: only kubesphere-secret is rewritten, the CC is left alone', () => {
    const { plan: p } = plan(host32(), member32('FAKEv32otherJwtSecret00000000000'));
    expect(edits(p)).toEqual([['secret', [{ kind: 'secret-data', key: 'secret', value: HOST32 }]]]);
  });

  it('a static token that is not a JWT is left as it is: only the secret is rewritten', () => {
    const { plan: p } = plan(host32(), member32('FAKEv32otherJwtSecret00000000000', 'not-a-jwt'));
    expect(edits(p)).toEqual([['secret', [{ kind: 'secret-data', key: 'secret', value: HOST32 }]]]);
  });

  it('a static token signed with the old secret is re-signed with the host secret, claims unchanged', () => {
    const old = 'FAKEv32otherJwtSecret00000000000';
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ username: 'admin', token_type: 'static_token' })}`;
    const sign = (s: string) => createHmac('sha256', s).update(unsigned).digest('base64url');
    const { plan: p } = plan(host32(), member32(old, `${unsigned}.${sign(old)}`));
    expect(edits(p)).toEqual([
      [
        'secret',
        [
          { kind: 'secret-data', key: 'secret', value: HOST32 },
          { kind: 'secret-data', key: 'token', value: `${unsigned}.${sign(HOST32)}` },
        ],
      ],
    ]);
  });

  it('a kubesphere-secret without data: the secret is written, and reading its absent token does not fail', () => {
    const m = member32('unused');
    const bare: ClusterSnapshot = {
      ...m,
      kubesphereSecret: {
        ...(m.kubesphereSecret as object),
        data: undefined,
      } as unknown as ClusterSnapshot['kubesphereSecret'],
    };
    const { plan: p } = plan(host32(), bare);
    expect(edits(p)).toEqual([['secret', [{ kind: 'secret-data', key: 'secret', value: HOST32 }]]]);
  });
});

describe('refusals', () => {
  it('a file ks-apiserver reads but the byte-preserving editor will not touch (a byte order mark): config-not-editable', () => {
    const host = snapshot({ context: 'host', yaml: fixture('v3.4-host.yaml'), image: 'ks:v3.4.1' });
    const yaml = `\uFEFF${fixture('v3.4-member.yaml').replace('accessTokenMaxAge: 0', 'accessTokenMaxAge: 2h')}`;
    const member = snapshot({ context: 'member', yaml, image: 'ks:v3.4.1' });
    expect(deriveFacts(member).config.state).toBe('ok');
    const { plan: p } = plan(host, member);
    expect(p.writes).toEqual([]);
    expect(p.refusal).toEqual({
      code: 'config-not-editable',
      args: { reason: expect.stringContaining('byte order mark') },
    });
  });

  it('a member whose pods cannot be listed (report error) is not-readable, with nothing planned', () => {
    const host = snapshot({ context: 'host', yaml: fixture('v3.4-host.yaml'), image: 'ks:v3.4.1' });
    const member: ClusterSnapshot = {
      ...snapshot({ context: 'member', yaml: fixture('v3.4-member.yaml'), image: 'ks:v3.4.1' }),
      pods: forbidden,
      logs: undefined,
    };
    const { plan: p, report } = plan(host, member);
    expect(report.status).toBe('error');
    expect(p).toEqual({
      context: 'member',
      server: 'https://member.example:6443',
      writes: [],
      restart: undefined,
      refusal: { code: 'not-readable', args: { cause: report.cause } },
      forced: false,
    });
  });
});
