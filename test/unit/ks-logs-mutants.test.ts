/**
 * The logs area's last gaps (issue 13): member addresses once the per-address table is full, a host line with
 * an empty address, one stream whether its container is unnamed or named "", the summary's byHost only where
 * there are addresses, and a config reload error only when the message starts with it.
 */
import { describe, expect, it } from 'vitest';
import { classifyLogLine, LogTally } from '../../src/kubesphere/logs/index.js';
import { summarizeLogs } from '../../src/kubesphere/logs/summary.js';

const NOW = new Date('2026-01-15T12:00:00Z');
const hostLine = (second: number, host: string): string =>
  `W0115 10:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}.000000       1 multicluster.go:188] Request unauthorized, host: ${host}, reason: token not found in cache`;

describe('LogTally: requests per member address', () => {
  it('an address already counted keeps counting once 256 addresses are held; a new one is not added', () => {
    const tally = new LogTally({ now: NOW });
    for (let i = 0; i < 256; i++) tally.add(hostLine(i, `192.0.2.${i}:6443`), { pod: 'ks-apiserver-1' });
    tally.add(hostLine(300, '192.0.2.0:6443'), { pod: 'ks-apiserver-1' });
    tally.add(hostLine(400, '198.51.100.1:6443'), { pod: 'ks-apiserver-1' });
    const byHost = tally.result().kinds['host-unauthorized'].byHost;
    expect([Object.keys(byHost).length, byHost['192.0.2.0:6443'], byHost['198.51.100.1:6443']]).toEqual([
      256,
      2,
      undefined,
    ]);
  });

  it('a line with an empty address counts as a request, under no address', () => {
    const tally = new LogTally({ now: NOW });
    tally.add(
      'W0115 10:26:00.000000       1 multicluster.go:188] Request unauthorized, host: , reason: token not found in cache',
      { pod: 'ks-apiserver-1' },
    );
    const t = tally.result().kinds['host-unauthorized'];
    expect([t.requests, t.byHost, t.causes]).toEqual([1, {}, { 'cache-miss': 1 }]);
  });
});

describe('LogTally: streams', () => {
  it('a container left unnamed and one named "" are the same stream: lines of one request chain', () => {
    const tally = new LogTally({ now: NOW });
    tally.add('E0115 10:26:00.000100       1 issuer.go:100] signature is invalid', { pod: 'p' });
    tally.add('E0115 10:26:00.000200       1 jwt.go:50] signature is invalid', { pod: 'p', container: '' });
    const t = tally.result().kinds['signature-invalid'];
    expect([t.requests, t.lines]).toEqual([1, 2]);
  });
});

describe('summarizeLogs: byHost only for host lines', () => {
  it('a kind without member addresses has no byHost', () => {
    const s = summarizeLogs(NOW);
    s.add('E0115 10:26:00.000100       1 issuer.go:100] signature is invalid', {
      pod: 'p',
      container: 'ks-apiserver',
    });
    expect(s.result([{ pod: 'p', container: 'ks-apiserver', previous: false, lines: 1 }])).toEqual({
      linesScanned: 1,
      containersScanned: 1,
      kinds: {
        'signature-invalid': {
          count: 1,
          first: '2026-01-15T10:26:00.000Z',
          last: '2026-01-15T10:26:00.000Z',
          samples: ['E0115 10:26:00.000100       1 issuer.go:100] signature is invalid'],
        },
      },
    });
  });
});

describe('classifyLogLine: config reload errors', () => {
  it('only a message that starts with "config reload error" is one', () => {
    expect(
      classifyLogLine('I0115 10:26:00.000000       1 config.go:1] config reload error: bad yaml')?.kind,
    ).toBe('config-reload-failed');
    expect(
      classifyLogLine('I0115 10:26:00.000000       1 x.go:1] retrying after a config reload error: bad yaml'),
    ).toBe(undefined);
  });
});
