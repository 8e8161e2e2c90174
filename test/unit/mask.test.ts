import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import type { AuthLogSummary } from '../../src/kubesphere/checks/logs.js';
import { deriveFacts } from '../../src/kubesphere/cluster/facts.js';
import type { ClusterSnapshot } from '../../src/kubesphere/cluster/snapshot.js';
import { fingerprintSecret } from '../../src/kubesphere/config/fingerprint.js';
import {
  jwtSecretsInYaml,
  maskSecretAssignments,
  secretsInObjects,
  secretsInPlay,
  secretsInSnapshot,
} from '../../src/kubesphere/config/secrets.js';
import { planMemberRepair } from '../../src/kubesphere/repair/plan.js';
import { plannedRecords } from '../../src/repair/apply.js';
import { createColors } from '../../src/output/color.js';
import { unifiedDiff } from '../../src/output/diff.js';
import { secretMasker } from '../../src/output/mask.js';
import { renderPlanText, type MemberRun } from '../../src/output/repair-render.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const fp = (s: string) => fingerprintSecret(s).fingerprint!;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('secretMasker', () => {
  it('masks every occurrence in one hunk, each with the fingerprint of its secret', () => {
    const secret = 'FAKEmemberJwtSecret0000000000000';
    const diff = unifiedDiff(
      `a: 1\njwtSecret: "${secret}"\n# was ${secret}\nb: ${secret}\n`,
      `a: 2\njwtSecret: "${secret}"\n# was ${secret}\nb: ${secret}\n`,
      { from: 'old', to: 'new' },
    );
    const masked = secretMasker([secret])(diff);
    expect(masked).not.toContain(secret);
    expect(count(masked, `******** (fp ${fp(secret)})`)).toBe(3);
    expect(masked).toContain('+a: 2');
  });

  it('masks the base64 form, labelled as such', () => {
    const secret = 'FAKEsecretValue';
    const masked = secretMasker([secret])(`data:\n  secret: ${b64(secret)}\n  plain: ${secret}\n`);
    expect(masked).not.toContain(b64(secret));
    expect(masked).not.toContain(secret);
    expect(masked).toContain(`secret: ******** (fp ${fp(secret)}, base64)`);
    expect(masked).toContain(`plain: ******** (fp ${fp(secret)})`);
  });

  it.each(['x', 'ab', 'k3y', 's3cr', 'pass1', 'qwerty', 'Zz9Zz9Z'])(
    'masks a short secret (%s) wherever it appears, and never inside a mask it wrote',
    (secret) => {
      const text = `  jwtSecret: ${secret}\n  note: ${secret}|${secret}\n`;
      const masked = secretMasker([secret])(text);
      const label = `******** (fp ${fp(secret)})`;
      expect(count(masked, label)).toBe(3);
      expect(masked.replaceAll(label, '')).not.toContain(secret);
    },
  );

  it.each(['fp', '8', 'base64', '*', ' (f'])(
    'a short secret that occurs in mask labels (%s) does not mangle the masks of others',
    (secret) => {
      const long = 'FAKEmemberJwtSecret0000000000000';
      const masked = secretMasker([long, secret])(`a: ${long}\nb: ${secret}\nc: ${b64(long)}\n`);
      expect(masked).toBe(
        `a: ******** (fp ${fp(long)})\nb: ******** (fp ${fp(secret)})\nc: ******** (fp ${fp(long)}, base64)\n`,
      );
    },
  );

  it('a secret inside a longer one: the longer is masked whole, with its own fingerprint', () => {
    const short = 'abc123';
    const long = 'abc123def456';
    const masked = secretMasker([short, long])(`x ${long} y ${short} z`);
    expect(masked).toBe(`x ******** (fp ${fp(long)}) y ******** (fp ${fp(short)}) z`);
  });

  it('overlapping secrets leave no character of either', () => {
    const a = 'XYabcdef';
    const b = 'abcdefQRST';
    const masked = secretMasker([a, b])(`v=XYabcdefQRST;`);
    expect(masked).toBe(`v=******** (fp ${fp(b)});`);
  });

  it('masks a secret at the very start and the very end of the text', () => {
    const secret = 'FAKEedgeSecret';
    const label = `******** (fp ${fp(secret)})`;
    expect(secretMasker([secret])(`${secret} middle ${secret}`)).toBe(`${label} middle ${label}`);
  });

  it('two secrets side by side are two masks, each with its own fingerprint', () => {
    const a = 'FAKEleftSecret';
    const b = 'FAKErightSecret';
    expect(secretMasker([a, b])(`=${a}${b}=`)).toBe(`=******** (fp ${fp(a)})******** (fp ${fp(b)})=`);
  });

  it('a longer secret overlapped by a shorter later one keeps its own fingerprint', () => {
    const a = 'XYabcdefgh';
    const b = 'ghQR';
    expect(secretMasker([a, b])('v=XYabcdefghQR;')).toBe(`v=******** (fp ${fp(a)});`);
  });

  it('a multi-line secret (block scalar) is masked line by line as a diff shows it', () => {
    const secret = 'FAKEpartOne\n\nFAKEpartTwo\n';
    const label = `******** (fp ${fp(secret)})`;
    const diff = [
      '   jwtSecret: |',
      '-    FAKEpartOne',
      '-',
      '-    FAKEpartTwo',
      '+    other',
      ' end: 1',
    ].join('\n');
    expect(secretMasker([secret])(diff)).toBe(
      ['   jwtSecret: |', `-    ${label}`, '-', `-    ${label}`, '+    other', ' end: 1'].join('\n'),
    );
  });

  it('ignores empty and undefined entries and keeps the secrets it masks', () => {
    const m = secretMasker(['', undefined, 's3cr3tValue', 's3cr3tValue']);
    expect(m.secrets).toEqual(['s3cr3tValue']);
    expect(m('nothing to hide here')).toBe('nothing to hide here');
  });

  it.each([
    ['  jwtSecret: "unknownValue1"', '  jwtSecret: "********"'],
    ["+    jwtSecret: 'unknownValue1'  # old", "+    jwtSecret: '********'  # old"],
    ['-jwtSecret: unknownValue1', '-jwtSecret: ********'],
    ['   JWTSecret:unknownValue1', '   JWTSecret:********'],
    ['{"jwtSecret":"unknownValue1","x":1}', '{"jwtSecret":"********","x":1}'],
    ['       clientSecret: unknownValue1', '       clientSecret: ********'],
    ['  password: unknownValue1 # redis', '  password: ******** # redis'],
    // What repair changes must stay readable.
    ['+    accessTokenMaxAge: 0s', '+    accessTokenMaxAge: 0s'],
    ['   jwtSecret: ""', '   jwtSecret: ""'],
    ['   jwtSecret: |', '   jwtSecret: |'],
    ['   jwtSecret: >-', '   jwtSecret: >-'],
    ['   jwtSecret: |2', '   jwtSecret: |2'],
    ['   jwtSecret: abc|', '   jwtSecret: ********'],
    ['   jwtSecret: abc   ', '   jwtSecret: ********   '],
  ])('masks the value of a secret key nobody listed: %s', (line, shown) => {
    expect(secretMasker([])(line)).toBe(shown);
  });

  it('masks JWT-shaped tokens', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6ImFkbWluIn0.c2lnbmF0dXJl';
    expect(secretMasker([])(`token ${jwt} end`)).not.toContain(jwt);
  });
});

describe('maskSecretAssignments (log samples: jwtSecret keys only)', () => {
  it.each([
    [
      'I1128 options.go:40] &{JwtSecret:abcdef0123 OAuthOptions:x}',
      'I1128 options.go:40] &{JwtSecret:********',
    ],
    ['KUBESPHERE_AUTHENTICATION_JWTSECRET=abcdef0123', 'KUBESPHERE_AUTHENTICATION_JWTSECRET=********'],
    ['failed to verify token: signature is invalid', 'failed to verify token: signature is invalid'],
    ['{"jwtSecret":"abcdef0123","x":1}', '{"jwtSecret":"********","x":1}'],
    ['jwtSecret : abcdef0123', 'jwtSecret : ********'],
    ['helm: jwt_secret=abcdef0123', 'helm: jwt_secret=********'],
    ['JwtSecret:|abcdef0123', 'JwtSecret:********'],
    ['jwtSecret: abc, jwtSecret: def', 'jwtSecret: ********'],
    ['jwtSecret: "abc" and jwtSecret: "def"', 'jwtSecret: "********" and jwtSecret: "********"'],
    ['jwtSecret: "unclosed value', 'jwtSecret: "********'],
    ['clientSecret: kubesphere', 'clientSecret: kubesphere'],
  ])('%s', (line, shown) => {
    expect(maskSecretAssignments(line)).toBe(shown);
  });
});

describe("maskSecretAssignments(text, 'credentials') (configuration diffs: any credential-like key)", () => {
  it.each([
    ['  clientSecret: kubesphere', '  clientSecret: ********'],
    ['  password: hunter2', '  password: ********'],
    ['  ldapPasswd: hunter2 # bind', '  ldapPasswd: ******** # bind'],
    ['  bearerToken: "abc"', '  bearerToken: "********"'],
    ['  secretAccessKey: AKIA0', '  secretAccessKey: ********'],
    ['  apiKey: k-1', '  apiKey: ********'],
    ['  privateKey: pk', '  privateKey: ********'],
    ['  jwtSecret: abcdef0123', '  jwtSecret: ********'],
    ['  accessTokenMaxAge: 0s', '  accessTokenMaxAge: 0s'],
    ['  endpoint: http://prometheus:9090', '  endpoint: http://prometheus:9090'],
  ])('%s', (line, shown) => {
    expect(maskSecretAssignments(line, 'credentials')).toBe(shown);
  });
});

describe('finding the secrets a document holds', () => {
  it('every jwtSecret in kubesphere.yaml: shadowed duplicates, any case, block scalars, escapes as written', () => {
    const text = [
      'authentication:',
      '  jwtSecret: "FAKEshadowed\\"One"',
      '  JwtSecret: FAKEshadowedTwo',
      '  jwtSecret: |-',
      '    FAKEblockValue',
      '  jwtSecret: FAKEeffective',
      'other: {jwtSecret: FAKEinFlow}',
    ].join('\n');
    expect(jwtSecretsInYaml(text)).toEqual(
      expect.arrayContaining([
        'FAKEshadowed"One',
        'FAKEshadowed\\"One',
        'FAKEshadowedTwo',
        'FAKEblockValue',
        'FAKEeffective',
        'FAKEinFlow',
      ]),
    );
  });

  it.each([
    ['a plain duplicate and a quoted one', 'a:\n  jwtSecret: one\n  jwtSecret: "two"\n', ['two', 'one']],
    ['a numeric value', 'jwtSecret: 12345\n', ['12345']],
    ['an empty value', 'jwtSecret: ""\nother: x\n', []],
    ['keys that only look alike', 'jwtSecretName: no\nmyjwt: no\nsecret: kubesphere\n', []],
    ['jwt_secret and JWT-SECRET spellings', 'jwt_secret: one\nJWT-SECRET: two\n', ['one', 'two']],
    [
      'a shadowed block scalar in a sequence item',
      'list:\n- jwtSecret: |-\n    FAKEseqBlock\n  jwtSecret: FAKEseqLast\n',
      ['FAKEseqLast', 'FAKEseqBlock'],
    ],
    [
      'a YAML text inside a string value (and the raw line as written)',
      'cfg: "a: 1\\njwt_secret: inner"\n',
      ['inner', 'inner"'],
    ],
  ])('jwtSecretsInYaml: %s', (_name, text, expected) => {
    expect(jwtSecretsInYaml(text).sort()).toEqual([...expected].sort());
  });

  it('secretsInObjects: only Secrets are base64-decoded; numbers, booleans and arrays under jwtSecret keys count', () => {
    const cm = { kind: 'ConfigMap', metadata: { name: 'x' }, data: { other: b64('not-a-secret') } };
    expect(secretsInObjects([cm])).toEqual([]);
    const cc = {
      kind: 'ClusterConfiguration',
      metadata: { name: 'ks-installer' },
      spec: { a: [{ jwtSecret: 424242 }, { jwtSecret: true }, { jwtSecret: null }], b: { secretName: 'no' } },
    };
    expect(secretsInObjects([cc, null, 'text']).sort()).toEqual(['424242', 'true']);
  });

  it('secretsInSnapshot: the ConfigMap, the ClusterConfiguration and kubesphere-secret of one cluster', () => {
    const snap = snapshot({
      context: 'member',
      yaml: fixture('v3.4-member.yaml').replace(
        '  jwtSecret: "FAKEv34hostJwtSecret000000000000"',
        '  jwtSecret: FAKEshadowed\n  jwtSecret: FAKEinFile',
      ),
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: 'FAKEinCc', clusterRole: 'member' },
      installerSecret: 'FAKEinSecret',
      installerToken: 'FAKEstaticToken',
    });
    expect(secretsInSnapshot(snap).sort()).toEqual(
      ['FAKEinCc', 'FAKEinFile', 'FAKEinSecret', 'FAKEshadowed', 'FAKEstaticToken'].sort(),
    );
  });

  it('secretsInPlay: the secrets both clusters use, none empty', () => {
    const host = snapshot({
      context: 'host',
      yaml: fixture('v3.4-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: 'FAKEhostCc', clusterRole: 'host' },
      installerSecret: '',
    });
    const member = snapshot({
      context: 'member',
      yaml: 'not: [valid',
      image: 'kubesphere/ks-apiserver:v3.4.1',
      installerSecret: 'FAKEmemberSecret',
    });
    const hostFile = jwtSecretsInYaml(fixture('v3.4-host.yaml'))[0]!;
    expect(secretsInPlay(deriveFacts(host), deriveFacts(member)).sort()).toEqual(
      [hostFile, 'FAKEhostCc', 'FAKEmemberSecret'].sort(),
    );
  });

  it("every data value of a Secret (the static token too), and the ClusterConfiguration's jwtSecret", () => {
    const secret = {
      kind: 'Secret',
      metadata: { name: 'kubesphere-secret' },
      data: { secret: b64('FAKEinstallerSecret'), token: b64('FAKEstaticToken') },
    };
    const cc = {
      kind: 'ClusterConfiguration',
      metadata: {
        name: 'ks-installer',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({
            spec: { authentication: { jwtSecret: 'FAKEappliedSecret' } },
          }),
        },
      },
      spec: { authentication: { jwtSecret: 'FAKEccSecret' } },
    };
    expect(secretsInObjects([secret, cc, undefined])).toEqual(
      expect.arrayContaining(['FAKEinstallerSecret', 'FAKEstaticToken', 'FAKEccSecret', 'FAKEappliedSecret']),
    );
  });
});

describe('the repair plan as printed', () => {
  const HOST = 'FAKEv34hostJwtSecret000000000000';
  const SHADOWED = 'FAKEshadowedOldSecret11';
  const MEMBER = 'FAKEmemberJwtSecret0000000000000';
  const noErrors: AuthLogSummary = { linesScanned: 10, containersScanned: 1, kinds: {} };

  function printedPlan(host: ClusterSnapshot, member: ClusterSnapshot): string {
    const report = assess(
      { snapshot: host, logs: noErrors },
      [{ gathered: { snapshot: member, logs: noErrors } }],
      { since: '1h' },
    );
    const hostFacts = deriveFacts(host);
    const facts = deriveFacts(member);
    const plan = planMemberRepair({
      host: { facts: hostFacts, server: host.server },
      member: { snapshot: member, facts, report: report.members[0]! },
      force: false,
    });
    // As `ks-restore repair` builds it.
    const run: MemberRun = {
      plan,
      before: report.members[0]!,
      actions: plannedRecords(plan, { restart: true, timeoutMs: 300_000 }),
      verification: null,
      mask: secretMasker(secretsInPlay(hostFacts, facts)),
    };
    expect(plan.writes.length).toBeGreaterThan(0);
    return renderPlanText(run, createColors({ color: false, stream: {}, env: {} }), {
      timeout: '5m',
      restart: true,
    });
  }

  it('a shadowed duplicate jwtSecret on a diff context line is masked', () => {
    const yaml = fixture('v3.4-member.yaml').replace(
      `  jwtSecret: "${HOST}"`,
      `  jwtSecret: "${SHADOWED}"\n  jwtSecret: "${MEMBER}"`,
    );
    expect(yaml).toContain(SHADOWED);
    const host = snapshot({
      context: 'host',
      yaml: fixture('v3.4-host.yaml'),
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: HOST, clusterRole: 'host' },
      installerSecret: HOST,
    });
    const member = snapshot({
      context: 'member',
      yaml,
      image: 'kubesphere/ks-apiserver:v3.4.1',
      cc: { jwtSecret: MEMBER, clusterRole: 'member' },
      installerSecret: MEMBER,
      installerToken: 'FAKEstaticAdminToken',
    });
    const text = printedPlan(host, member);
    // The diff is there, and the shadowed line is in it, masked.
    expect(text).toContain(`jwtSecret: "******** (fp ${fp(SHADOWED)})"`);
    for (const s of [SHADOWED, MEMBER, HOST, 'FAKEstaticAdminToken']) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(b64(s));
    }
  });
});

describe('secretMasker: survivors of the issue 13 mutation run', () => {
  it('a secret stored with a CRLF line end (a Secret made from a Windows file) is masked where it shows without it', () => {
    const secret = 'FAKEcrlfSecret00\r\n';
    const masked = secretMasker([secret])('data: FAKEcrlfSecret00\n');
    expect(masked).toBe(`data: ******** (fp ${fp(secret)})\n`);
  });

  it('two overlapping secrets of the same length: one mask, labelled by the one that starts first', () => {
    const a = 'FAKEabcdef';
    const b = 'cdefFAKEgh';
    expect(secretMasker([b, a])('v=FAKEabcdefFAKEgh;')).toBe(`v=******** (fp ${fp(a)});`);
  });
});
