import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assess } from '../../src/kubesphere/checks/assess.js';
import { summarizeLogs } from '../../src/kubesphere/logs/summary.js';
import {
  classifyAuthEvidence,
  classifyLogLine,
  listAuthEvidence,
  LogTally,
  parseLogLine,
  type LogEventKind,
  type LogTallyResult,
} from '../../src/kubesphere/logs/index.js';
import { fixture, snapshot } from '../helpers/snapshots.js';

const NOW = new Date('2024-01-16T08:00:00Z');
const logLines = (name: string): string[] =>
  readFileSync(new URL(`../fixtures/logs/${name}.log`, import.meta.url), 'utf8')
    .replace(/\n$/, '')
    .split('\n');

function tallyOf(names: string[], opts: { now?: Date; secrets?: string[] } = {}): LogTallyResult {
  const tally = new LogTally({ now: opts.now ?? NOW, ...(opts.secrets ? { secrets: opts.secrets } : {}) });
  for (const name of names)
    for (const line of logLines(name)) tally.add(line, { pod: name, container: 'ks-apiserver' });
  return tally.result();
}

describe('classifyLogLine: the messages of kubesphere.md, per version', () => {
  it.each<[string, string, LogEventKind]>([
    ['3.0', 'E0115 10:25:12.100011       1 token.go:65] token not found in cache', 'cache-miss'],
    [
      '3.0',
      'E0115 10:25:12.100085       1 authentication.go:60] Unable to authenticate the request due to error: token not found in cache',
      'cache-miss',
    ],
    ['3.0', 'E0115 10:29:02.000011       1 jwt.go:51] signature is invalid', 'signature-invalid'],
    ['3.0', 'E0115 10:31:00.000011       1 jwt.go:51] Token used before issued', 'clock-skew'],
    // jwt-go v3 checks iat, then nbf, and keeps the last error: KubeSphere 3.0/3.1 tokens have nbf = iat.
    ['3.0', 'E0115 10:31:00.000011       1 jwt.go:51] token is not valid yet', 'clock-skew'],
    [
      '3.0',
      'E0115 10:31:00.000122       1 authentication.go:60] Unable to authenticate the request due to error: token is not valid yet',
      'clock-skew',
    ],
    ['3.1', 'W0115 10:30:00.000000       1 jwt_token.go:52] token is not valid yet', 'clock-skew'],
    [
      '3.0',
      'Error: redis service address MUST not be empty, please check configmap/kubesphere-config in kubesphere-system namespace',
      'config-load-failed',
    ],
    ['3.1', 'W0115 10:24:10.000000       1 jwt_token.go:52] token not found in cache', 'cache-miss'],
    ['3.1', 'W0115 10:28:00.000000       1 jwt_token.go:52] signature is invalid', 'signature-invalid'],
    [
      '3.2',
      'W0115 10:26:00.000011       1 issuer.go:187] jwt: failed to parse token: signature is invalid',
      'signature-invalid',
    ],
    ['3.3', 'W0115 10:22:00.000000       1 jwt.go:53] token not found in cache', 'cache-miss'],
    [
      '3.4',
      'W0115 10:26:00.000011       1 issuer.go:182] jwt: failed to parse token: signature is invalid',
      'signature-invalid',
    ],
    [
      '3.4',
      'W0115 10:30:00.000011       1 issuer.go:198] jwt: token used before issued, iat:1705314614, now:1705314600',
      'clock-skew',
    ],
    ['3.4', 'W0115 10:40:00.000000       1 jwt.go:53] jwt: token is expired by 1m5s', 'token-expired'],
    [
      '3.4',
      'W0115 10:20:01.100000       1 cache.go:64] In-memory cache will be used, this may cause data inconsistencies when running with multiple replicas.',
      'in-memory-cache',
    ],
    [
      '3.2',
      'W0115 10:20:01.010000       1 options.go:183] ks-apiserver starts without redis provided, it will use in memory cache. This may cause inconsistencies when running ks-apiserver with multiple replicas.',
      'in-memory-cache',
    ],
    [
      '3.3',
      'W0115 10:20:01.020000       1 options.go:193] ks-apiserver starts without cache provided, it will use in memory cache.',
      'in-memory-cache',
    ],
    [
      '4.1',
      'E0115 10:23:00.000048       1 authentication.go:64] Request authentication failed: token not found in cache',
      'cache-miss',
    ],
    [
      '4.1',
      'E0115 10:26:00.000085       1 authentication.go:64] Request authentication failed: signature is invalid',
      'signature-invalid',
    ],
    [
      '3.4',
      'E0115 10:20:00.523000       1 run.go:74] "command failed" err="JWT secret MUST not be empty"',
      'empty-jwt-secret',
    ],
    ['3.0', 'Error: jwt secret is empty', 'empty-jwt-secret'],
    [
      '3.3',
      'F0115 10:20:00.912000       1 server.go:46] Failed to load configuration from disk: time: missing unit in duration "7200"',
      'config-load-failed',
    ],
    // pkg/apiserver/config/config.go OnConfigChange: 3.3 passes the error as a second klog.Warning operand (no
    // separator), 3.4 uses Warningf.
    [
      '3.3',
      'W0115 10:40:00.000011       1 config.go:113] config reload errorWhile parsing config: yaml: line 3: did not find expected key',
      'config-reload-failed',
    ],
    [
      '3.4',
      'W0115 10:40:00.000011       1 config.go:113] config reload error: time: invalid duration "five minutes"',
      'config-reload-failed',
    ],
  ])('%s: %s', (_v, line, kind) => {
    expect(classifyLogLine(line)?.kind).toBe(kind);
  });

  it('reads the RFC 3339 prefix of --timestamps and the klog header', () => {
    const ev = classifyLogLine(
      '2024-01-15T10:25:12.100191417Z E0115 10:25:12.100011       1 token.go:65] token not found in cache',
    );
    expect(ev).toMatchObject({
      kind: 'cache-miss',
      timestamp: '2024-01-15T10:25:12.100191417Z',
      message: 'token not found in cache',
      klog: {
        severity: 'E',
        month: 1,
        day: 15,
        hour: 10,
        minute: 25,
        second: 12,
        micros: 100011,
        pid: 1,
        source: 'token.go:65',
      },
    });
  });

  it('classifies by message, never by file:line', () => {
    expect(
      classifyLogLine('W0115 10:22:00.000000       1 somewhere_new.go:999] token not found in cache')?.kind,
    ).toBe('cache-miss');
    expect(
      classifyLogLine('W0115 10:22:00.000000       1 jwt.go:53] Start listening on :9090'),
    ).toBeUndefined();
  });

  it('keeps how long ago an expired token expired', () => {
    expect(
      classifyLogLine('W0115 10:40:00.000000       1 jwt.go:53] jwt: token is expired by 1m5s')?.detail,
    ).toBe('1m5s');
  });

  it("reads the member's answer out of the 4.x host line", () => {
    const line = logLines('v4.1-host')[1] ?? '';
    expect(classifyLogLine(line)).toMatchObject({
      kind: 'host-unauthorized',
      host: '192.0.2.21:30881',
      detail: 'signature is invalid',
      cause: 'signature-invalid',
    });
  });

  it.each([
    '',
    '2024-01-15T10:26:00.0033Z ',
    'I0115 10:20:00.600000       1 apiserver.go:227] Start listening on :9090',
    'W0115 10:20:01.102345       1 client_config.go:552] Neither --kubeconfig nor --master was specified.',
    'E0115 10:20:00.000000       1 ldap.go:12] failed to connect to ldap: connection refused',
  ])('%j is no token failure', (line) => {
    expect(classifyLogLine(line)).toBeUndefined();
  });

  it('parses lines without klog header as bare messages', () => {
    expect(parseLogLine('plain text')).toEqual({ message: 'plain text' });
  });
});

describe('parseLogLine: the prefixes a line can carry', () => {
  const KLOG_LINE = 'E0115 10:25:12.100011       1 token.go:65] token not found in cache';

  it.each<[string, string, string]>([
    ['no fraction', '2024-01-15T10:25:12Z', '2024-01-15T10:25:12Z'],
    ['an offset', '2024-01-15T12:25:12.5+02:00', '2024-01-15T12:25:12.5+02:00'],
    ['a negative offset, two spaces', '2024-01-15T05:25:12.5-05:00 ', '2024-01-15T05:25:12.5-05:00'],
    ['the CRI stream and a full line tag', '2024-01-15T10:25:12.1Z stdout F', '2024-01-15T10:25:12.1Z'],
    ['a partial line tag', '2024-01-15T10:25:12.1Z stderr P', '2024-01-15T10:25:12.1Z'],
  ])('a runtime timestamp with %s', (_what, prefix, timestamp) => {
    expect(parseLogLine(`${prefix} ${KLOG_LINE}`)).toEqual({
      timestamp,
      klog: expect.objectContaining({ severity: 'E', source: 'token.go:65' }),
      message: 'token not found in cache',
    });
  });

  it('a timestamp or klog header inside the message is part of the message', () => {
    const quoted = `retrying after 2024-01-15T10:25:12Z ${KLOG_LINE}`;
    expect(parseLogLine(quoted)).toEqual({ message: quoted });
    expect(parseLogLine(`caller said: ${KLOG_LINE}`)).toEqual({ message: `caller said: ${KLOG_LINE}` });
  });

  it('reads a pid of several digits and a header without the space after "]"', () => {
    expect(parseLogLine('W0115 10:22:00.000000   31337 jwt.go:53]token not found in cache')).toEqual({
      klog: {
        severity: 'W',
        month: 1,
        day: 15,
        hour: 10,
        minute: 22,
        second: 0,
        micros: 0,
        pid: 31337,
        source: 'jwt.go:53',
      },
      message: 'token not found in cache',
    });
  });

  it('drops the carriage return of a CRLF line end, and only that', () => {
    expect(parseLogLine('token not found\rin cache\r')).toEqual({ message: 'token not found\rin cache' });
  });
});

describe('classifyLogLine: details', () => {
  it('"token is expired" without how long ago is still an expired token, with no detail', () => {
    const ev = classifyLogLine('W0115 10:40:00.000000       1 jwt.go:53] jwt: token is expired');
    expect(ev?.kind).toBe('token-expired');
    expect(ev).not.toHaveProperty('detail');
  });

  it('only an expired token carries the expiry as its detail', () => {
    const ev = classifyLogLine(
      'W0115 10:40:00.000000       1 jwt.go:53] signature is invalid (token is expired by 5m)',
    );
    expect(ev?.kind).toBe('signature-invalid');
    expect(ev).not.toHaveProperty('detail');
  });

  const hostLine = (reason: string, sep = ','): string =>
    `W0115 10:26:00.003000       1 multicluster.go:188] Request unauthorized, host: 192.0.2.21:30881${sep} reason: ${reason}`;

  it.each<[string, string]>([
    ['token not found in cache', 'cache-miss'],
    ['signature is invalid', 'signature-invalid'],
    ['token used before issued', 'clock-skew'],
    ['jwt: token is expired by 3m', 'token-expired'],
    ['JWT secret MUST not be empty', 'empty-jwt-secret'],
  ])("the member's answer %j is classified as %s", (message, cause) => {
    const status = JSON.stringify({ kind: 'Status', message, code: 401 });
    expect(classifyLogLine(hostLine(status))).toMatchObject({
      kind: 'host-unauthorized',
      detail: message,
      cause,
    });
  });

  it.each(['In-memory cache will be used', 'Failed to load configuration from disk', 'connection refused'])(
    'a member answer that is no member token failure (%s) has no cause',
    (reason) => {
      const ev = classifyLogLine(hostLine(reason));
      expect(ev).toMatchObject({ kind: 'host-unauthorized', detail: reason });
      expect(ev).not.toHaveProperty('cause');
    },
  );

  it('reads a host line without the comma and trims the reason; a JSON answer without a message is kept whole', () => {
    expect(classifyLogLine(hostLine('  signature is invalid  ', ''))).toMatchObject({
      host: '192.0.2.21:30881',
      detail: 'signature is invalid',
      cause: 'signature-invalid',
    });
    expect(classifyLogLine(hostLine('{"code":401}'))).toMatchObject({ detail: '{"code":401}' });
  });
});

type Counts = Partial<Record<LogEventKind, number>>;

describe('LogTally counts requests, not lines', () => {
  it.each<[string, Counts, number]>([
    ['v3.0-member', { 'cache-miss': 3, 'signature-invalid': 2, 'clock-skew': 1, 'token-expired': 1 }, 30],
    [
      'v3.1-member',
      { 'cache-miss': 4, 'signature-invalid': 2, 'clock-skew': 1, 'token-expired': 2, 'in-memory-cache': 1 },
      14,
    ],
    [
      'v3.2-member',
      { 'cache-miss': 2, 'signature-invalid': 3, 'clock-skew': 1, 'token-expired': 1, 'in-memory-cache': 1 },
      16,
    ],
    [
      'v3.3-member',
      { 'cache-miss': 2, 'signature-invalid': 1, 'clock-skew': 2, 'token-expired': 1, 'in-memory-cache': 1 },
      14,
    ],
    [
      'v3.4-member',
      { 'cache-miss': 5, 'signature-invalid': 2, 'clock-skew': 1, 'token-expired': 1, 'in-memory-cache': 1 },
      19,
    ],
    [
      'v4.1-member',
      { 'cache-miss': 2, 'signature-invalid': 3, 'clock-skew': 1, 'token-expired': 1, 'in-memory-cache': 1 },
      20,
    ],
    ['v4.1-host', { 'host-unauthorized': 3 }, 7],
    ['v3.4-member-empty-secret', { 'empty-jwt-secret': 1 }, 1],
    ['v3.0-member-clock-skew', { 'clock-skew': 2 }, 9],
    ['v3.1-member-clock-skew', { 'clock-skew': 3 }, 4],
    ['v3.0-member-no-redis', { 'config-load-failed': 1 }, 2],
    ['v3.3-member-bad-duration', { 'config-load-failed': 1 }, 3],
  ])('%s', (name, counts, lines) => {
    const r = tallyOf([name]);
    expect(r.linesSeen).toBe(lines);
    const requests = Object.fromEntries(
      Object.entries(r.kinds)
        .filter(([, v]) => v.requests > 0)
        .map(([k, v]) => [k, v.requests]),
    );
    expect(requests).toEqual(counts);
  });

  it('counts the lines of the chains too', () => {
    const r = tallyOf(['v3.0-member']);
    expect(r.kinds['cache-miss'].lines).toBe(9);
    expect(r.kinds['signature-invalid'].lines).toBe(8);
    expect(r.linesMatched).toBe(25);
  });

  it('keeps separate pods apart, even at the same instant', () => {
    const r = tallyOf(['v3.4-host-in-memory-a', 'v3.4-host-in-memory-b']);
    expect(r.kinds['cache-miss']).toMatchObject({
      requests: 6,
      pods: ['v3.4-host-in-memory-a', 'v3.4-host-in-memory-b'],
    });
    expect(r.kinds['in-memory-cache'].requests).toBe(2);
  });

  it('a repeated line from the same source line is a new request', () => {
    const tally = new LogTally({ now: NOW });
    const line = 'W0115 10:22:00.000000       1 jwt.go:53] token not found in cache';
    tally.add(line, { pod: 'p' });
    tally.add(line, { pod: 'p' });
    expect(tally.result().kinds['cache-miss'].requests).toBe(2);
  });

  it('without klog headers, adjacent lines with different messages chain', () => {
    const tally = new LogTally({ now: NOW });
    tally.add('jwt: failed to parse token: signature is invalid', { pod: 'p' });
    tally.add('signature is invalid', { pod: 'p' });
    tally.add('jwt: failed to parse token: signature is invalid', { pod: 'p' });
    expect(tally.result().kinds['signature-invalid']).toMatchObject({ requests: 2, lines: 3 });
  });

  it('lines of one kind further apart than the window are separate requests', () => {
    const tally = new LogTally({ now: NOW, chainWindowMs: 1 });
    tally.add(
      'W0115 10:22:00.000000       1 issuer.go:182] jwt: failed to parse token: signature is invalid',
      { pod: 'p' },
    );
    tally.add('W0115 10:22:00.005000       1 jwt.go:53] signature is invalid', { pod: 'p' });
    expect(tally.result().kinds['signature-invalid'].requests).toBe(2);
  });

  it('records first and last seen from the runtime timestamps', () => {
    const r = tallyOf(['v3.0-member']);
    expect(r.kinds['cache-miss'].firstSeen).toBe('2024-01-15T10:25:12.100Z');
    expect(r.kinds['cache-miss'].lastSeen).toBe('2024-01-15T10:27:30.500Z');
    expect(r.kinds['clock-skew'].firstSeen).toBe('2024-01-15T10:31:00.000Z');
  });

  it.each<[string, string]>([
    ['2024-01-16T08:00:00Z', '2024-01-15T10:24:10.000Z'],
    ['2024-06-30T00:00:00Z', '2024-01-15T10:24:10.000Z'],
    ['2025-01-02T00:00:00Z', '2024-01-15T10:24:10.000Z'],
    ['2025-01-15T00:00:00Z', '2025-01-15T10:24:10.000Z'],
  ])('klog lines have no year: with now=%s the first cache miss is %s', (now, first) => {
    expect(tallyOf(['v3.1-member'], { now: new Date(now) }).kinds['cache-miss'].firstSeen).toBe(first);
  });

  it('keeps the first line of the newest 3 requests per kind, oldest first', () => {
    const r = tallyOf(['v3.4-member']);
    // Five cache misses at 10:24:00.000000, .000400, .000900, .001700, .002600: the last three are shown.
    expect(r.kinds['cache-miss'].samples).toEqual([
      expect.stringContaining('W0115 10:24:00.000900'),
      expect.stringContaining('W0115 10:24:00.001700'),
      expect.stringContaining('W0115 10:24:00.002600'),
    ]);
    expect(r.kinds['signature-invalid'].samples).toEqual([
      expect.stringContaining('10:26:00.000011       1 issuer.go:182] jwt: failed to parse token'),
      expect.stringContaining('10:26:00.000711       1 issuer.go:182] jwt: failed to parse token'),
    ]);
  });

  it('newest by time, not by the order the pods were read in', () => {
    const tally = new LogTally({ now: NOW, maxSamples: 2 });
    const at = (time: string): string => `W0115 ${time}       1 jwt.go:53] token not found in cache`;
    tally.add(at('10:30:00.000000'), { pod: 'b' });
    tally.add(at('10:40:00.000000'), { pod: 'b' });
    // A pod read later whose lines are older, then one newer line of it.
    tally.add(at('10:10:00.000000'), { pod: 'a' });
    tally.add(at('10:35:00.000000'), { pod: 'a' });
    expect(tally.result().kinds['cache-miss'].samples).toEqual([
      expect.stringContaining('10:35:00'),
      expect.stringContaining('10:40:00'),
    ]);
  });

  it('masks secrets and tokens in samples', () => {
    const tally = new LogTally({ now: NOW, secrets: ['FAKEsecret123'] });
    tally.add(
      'W0115 10:22:00.000000       1 jwt.go:53] token not found in cache (key FAKEsecret123, token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln)',
      { pod: 'p' },
    );
    const sample = tally.result().kinds['cache-miss'].samples[0] ?? '';
    expect(sample).not.toContain('FAKEsecret123');
    expect(sample).not.toContain('eyJ');
    expect(sample).toContain('********');
  });

  it('tallies what members answered the 4.x host', () => {
    expect(tallyOf(['v4.1-host']).kinds['host-unauthorized'].causes).toEqual({
      'signature-invalid': 2,
      'cache-miss': 1,
    });
  });
});

describe('LogTally: first and last seen, causes and samples whatever order the pods are read in', () => {
  const at = (time: string, message = 'token not found in cache'): string =>
    `W0115 ${time}       1 jwt.go:53] ${message}`;

  it('first seen is the earliest line and last seen the latest, not the first and last read', () => {
    const tally = new LogTally({ now: NOW });
    tally.add(at('10:30:00.000000'), { pod: 'b' });
    tally.add(at('10:10:00.000000'), { pod: 'a' });
    tally.add(at('10:40:00.000000'), { pod: 'c' });
    tally.add(at('10:20:00.000000'), { pod: 'd' });
    expect(tally.result().kinds['cache-miss']).toMatchObject({
      firstSeen: '2024-01-15T10:10:00.000Z',
      lastSeen: '2024-01-15T10:40:00.000Z',
    });
  });

  it.each<[string, string]>([
    ['2024-01-15T12:25:12+02:00 token not found in cache', '2024-01-15T10:25:12.000Z'],
    ['2024-01-15T05:25:12.25-05:00 token not found in cache', '2024-01-15T10:25:12.250Z'],
  ])('a runtime timestamp with an offset or no fraction: %s', (line, seen) => {
    const tally = new LogTally({ now: NOW });
    tally.add(line, { pod: 'p' });
    expect(tally.result().kinds['cache-miss']).toMatchObject({ firstSeen: seen, lastSeen: seen });
  });

  it('a klog line exactly one day ahead of now is this year, not last year', () => {
    const tally = new LogTally({ now: new Date('2024-01-14T10:22:00Z') });
    tally.add(at('10:22:00.000000'), { pod: 'p' });
    expect(tally.result().kinds['cache-miss'].firstSeen).toBe('2024-01-15T10:22:00.000Z');
  });

  it("counts only the member answers it could classify, and only on the host's lines", () => {
    const tally = new LogTally({ now: NOW });
    tally.add(
      at('10:26:00.000000', 'Request unauthorized, host: 192.0.2.21:30881, reason: connection reset'),
      {
        pod: 'host',
      },
    );
    tally.add(at('10:27:00.000000'), { pod: 'member' });
    const r = tally.result();
    expect(r.kinds['host-unauthorized']).toMatchObject({ requests: 1 });
    expect(r.kinds['host-unauthorized'].causes).toEqual({});
    expect(r.kinds['cache-miss']).toMatchObject({ requests: 1 });
    expect(r.kinds['cache-miss'].causes).toEqual({});
  });

  it('among lines of the same instant or without a time, the samples are the last ones read', () => {
    const tally = new LogTally({ now: NOW, maxSamples: 2 });
    for (const n of [1, 2, 3, 4])
      tally.add(at('10:22:00.000000', `token not found in cache #${n}`), { pod: 'p' });
    for (const n of [1, 2, 3]) tally.add(`jwt: token is expired by ${n}s`, { pod: `p${n}` });
    const r = tally.result();
    expect(r.kinds['cache-miss'].samples).toEqual([
      expect.stringMatching(/#3$/),
      expect.stringMatching(/#4$/),
    ]);
    expect(r.kinds['token-expired'].samples).toEqual([
      'jwt: token is expired by 2s',
      'jwt: token is expired by 3s',
    ]);
  });

  it('a line older than every kept sample is not kept', () => {
    const tally = new LogTally({ now: NOW, maxSamples: 2 });
    tally.add(at('10:30:00.000000'), { pod: 'b' });
    tally.add(at('10:40:00.000000'), { pod: 'b' });
    tally.add(at('10:10:00.000000'), { pod: 'a' });
    expect(tally.result().kinds['cache-miss'].samples).toEqual([
      expect.stringContaining('10:30:00'),
      expect.stringContaining('10:40:00'),
    ]);
  });

  it('keeps no samples when asked for none, and still counts', () => {
    const tally = new LogTally({ now: NOW, maxSamples: 0 });
    tally.add(at('10:30:00.000000'), { pod: 'p' });
    tally.add(at('10:40:00.000000'), { pod: 'p' });
    expect(tally.result().kinds['cache-miss']).toMatchObject({ requests: 2, samples: [] });
  });
});

describe('classifyAuthEvidence', () => {
  const only = (name: string, keep: RegExp): LogTallyResult => {
    const tally = new LogTally({ now: NOW });
    for (const line of logLines(name)) if (keep.test(line)) tally.add(line, { pod: name });
    return tally.result();
  };

  it.each(['v3.0-member', 'v3.1-member', 'v3.2-member', 'v3.3-member', 'v3.4-member', 'v4.1-member'])(
    '%s: "signature is invalid" means a secret mismatch, whatever else is there',
    (name) => {
      const r = tallyOf([name]);
      expect(classifyAuthEvidence(r)).toBe('secret-mismatch');
      expect(listAuthEvidence(r)).toEqual(['secret-mismatch', 'clock-skew', 'token-cache']);
    },
  );

  it.each(['v3.0-member', 'v3.2-member', 'v4.1-member'])(
    '%s: cache misses alone are the token cache, not a mismatch',
    (name) => {
      expect(classifyAuthEvidence(only(name, /not found in cache|In-memory|without/))).toBe('token-cache');
    },
  );

  it('clock skew alone', () => {
    expect(classifyAuthEvidence(only('v3.4-member', /used before issued/))).toBe('clock-skew');
  });

  it.each(['v3.0-member-clock-skew', 'v3.1-member-clock-skew'])(
    '%s: "token is not valid yet" alone is clock skew',
    (name) => {
      expect(listAuthEvidence(tallyOf([name]))).toEqual(['clock-skew']);
    },
  );

  it('expired sessions alone are harmless', () => {
    expect(classifyAuthEvidence(only('v3.1-member', /expired/))).toBe('expired-only');
  });

  it('a clean log says nothing', () => {
    expect(classifyAuthEvidence(only('v3.4-member', /Start listening/))).toBe('none');
    expect(listAuthEvidence(only('v3.4-member', /Start listening/))).toEqual(['none']);
  });

  it('cache misses on a multi-replica host without Redis are the host cache', () => {
    const r = tallyOf(['v3.4-host-in-memory-a', 'v3.4-host-in-memory-b']);
    expect(classifyAuthEvidence(r, { role: 'host', replicas: 3 })).toBe('in-memory-cache');
    expect(classifyAuthEvidence(r, { role: 'host', replicas: 1 })).toBe('token-cache');
    expect(classifyAuthEvidence(r, { role: 'member' })).toBe('token-cache');
    // Replicas unknown: taken as several.
    expect(classifyAuthEvidence(r, { role: 'host' })).toBe('in-memory-cache');
  });

  it('cache misses on a multi-replica host that uses Redis are the token cache', () => {
    const r = only('v3.4-host-in-memory-a', /not found in cache/);
    expect(r.kinds['cache-miss'].requests).toBeGreaterThan(0);
    expect(listAuthEvidence(r, { role: 'host', replicas: 3 })).toEqual(['token-cache']);
  });

  it("reads the 4.x host's view of its members", () => {
    expect(listAuthEvidence(tallyOf(['v4.1-host']))).toEqual(['secret-mismatch', 'token-cache']);
  });

  it.each<[string, string]>([
    ['v3.4-member-empty-secret', 'empty-jwt-secret'],
    ['v3.3-member-bad-duration', 'config-load-failed'],
    ['v3.0-member-no-redis', 'config-load-failed'],
  ])('%s: ks-apiserver does not start (%s)', (name, evidence) => {
    expect(classifyAuthEvidence(tallyOf([name]))).toBe(evidence);
  });

  it('accepts the tally itself', () => {
    const tally = new LogTally({ now: NOW });
    tally.add('W0115 10:22:00.000000       1 jwt.go:53] token not found in cache', { pod: 'p' });
    expect(classifyAuthEvidence(tally)).toBe('token-cache');
  });
});

describe("summarizeLogs (the diagnose checks' view)", () => {
  it('counts requests per kind, containers read and lines scanned', () => {
    const s = summarizeLogs(NOW);
    for (const line of logLines('v4.1-member')) s.add(line, { pod: 'ks-agent-1', container: 'ks-apiserver' });
    const r = s.result([
      { pod: 'ks-agent-1', container: 'ks-apiserver', previous: false, lines: 20 },
      { pod: 'ks-agent-1', container: 'ks-apiserver', previous: true, lines: 0 },
      {
        pod: 'ks-agent-2',
        container: 'ks-apiserver',
        previous: false,
        lines: 0,
        failure: { kind: 'timeout', message: 't' },
      },
    ]);
    expect(r.linesScanned).toBe(20);
    expect(r.containersScanned).toBe(2);
    expect(Object.keys(r.kinds).sort()).toEqual([
      'cache-miss',
      'clock-skew',
      'in-memory-cache',
      'signature-invalid',
      'token-expired',
    ]);
    expect(r.kinds['signature-invalid']).toMatchObject({
      count: 3,
      first: '2024-01-15T10:26:00.000Z',
      last: '2024-01-15T10:26:40.000Z',
    });
  });

  it("never chains the previous container's lines with the current one's", () => {
    const s = summarizeLogs(NOW);
    const [issuer, jwt] = [
      'W0115 10:26:00.000011       1 issuer.go:182] jwt: failed to parse token: signature is invalid',
      'W0115 10:26:00.000048       1 jwt.go:53] signature is invalid',
    ];
    s.add(issuer, { pod: 'p', container: 'ks-apiserver', previous: true });
    s.add(jwt, { pod: 'p', container: 'ks-apiserver', previous: false });
    expect(s.result([]).kinds['signature-invalid']?.count).toBe(2);
    // Nor the previous lines of two containers of one pod.
    s.add(issuer, { pod: 'q', container: 'ks-apiserver', previous: true });
    s.add(jwt, { pod: 'q', container: 'sidecar', previous: true });
    expect(s.result([]).kinds['signature-invalid']?.count).toBe(4);
  });
});

describe('a member whose log only says "token is not valid yet" (3.0/3.1 clock skew)', () => {
  it.each<[string, string]>([
    ['3.0', 'v3.0-member-clock-skew'],
    ['3.1', 'v3.1-member-clock-skew'],
  ])('%s: the diagnosis is clock skew', (version, log) => {
    const secret = `FAKEv${version.replace('.', '')}hostJwtSecret000000000000`;
    const image = `kubesphere/ks-apiserver:v${version}.${version === '3.0' ? 0 : 1}`;
    const host = snapshot({
      context: 'host',
      yaml: fixture(`v${version}-host.yaml`),
      image,
      cc: { jwtSecret: secret, clusterRole: 'host' },
      installerSecret: secret,
    });
    const member = snapshot({
      context: 'member',
      yaml: fixture(`v${version}-member.yaml`).replace(/jwtSecret: .*/, `jwtSecret: "${secret}"`),
      image,
      cc: { jwtSecret: secret, clusterRole: 'member' },
      installerSecret: secret,
    });
    const s = summarizeLogs(NOW);
    for (const line of logLines(log)) s.add(line, { pod: 'ks-apiserver-abc-0', container: 'ks-apiserver' });
    const logs = s.result(member.logs!.scans);
    const quiet = { linesScanned: 0, containersScanned: 1, kinds: {} };
    const report = assess({ snapshot: host, logs: quiet }, [{ gathered: { snapshot: member, logs } }], {
      since: '1h',
    });
    const m = report.members[0]!;
    expect(m.checks.find((c) => c.id === 'apiserver-auth-errors')).toMatchObject({
      status: 'warn',
      code: 'log-clock-skew',
    });
    expect(m).toMatchObject({ status: 'unhealthy', cause: 'clock-skew' });
  });
});
