import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyAnyLine, classifyLogLine, LOG_EVENT_KINDS } from '../../src/kubesphere/logs/line.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/logs');
const fixtureLines = readdirSync(FIXTURES).flatMap((f) =>
  readFileSync(join(FIXTURES, f), 'utf8').split('\n'),
);

/** One message of every kind, as ks-apiserver (or the host, for host-unauthorized) writes it. */
const EXAMPLES = [
  'E1201 21:29:03.141576       1 jwt.go:53] JWT secret MUST not be empty',
  'F1201 21:29:03.141576       1 server.go:10] jwt secret is empty',
  'F1201 21:29:03.141576       1 server.go:10] Failed to load configuration from disk: boom',
  '2026/12/01 21:29:03 redis service address MUST not be empty, please check configmap/kubesphere-config',
  'E1201 21:29:03.141576       1 config.go:1] config reload error: yaml: unmarshal errors',
  'E1201 21:29:03.141576       1 issuer.go:171] jwt: failed to parse token: signature is invalid',
  'W1201 21:29:03.141576       1 jwt.go:53] token not found in cache',
  'E1201 21:29:03.141576       1 jwt.go:53] Token used before issued',
  'E1201 21:29:03.141576       1 jwt.go:53] token is not valid yet',
  'E1201 21:29:03.141576       1 jwt.go:53] token is expired by 5m3s',
  'W1201 21:29:03.141576       1 options.go:1] In-memory cache will be used, this may cause issues',
  'W1201 21:29:03.141576       1 options.go:1] ks-apiserver starts without redis provided',
  'E1201 21:29:03.141576       1 proxy.go:1] Request unauthorized, host: 10.0.0.2:6443, reason: {"message":"token not found in cache"}',
  '2026-12-01T21:29:03.141576000Z W1201 21:29:03.141576       1 jwt.go:53] token not found in cache',
];

describe('classifyLogLine rejects quickly only lines no pattern matches', () => {
  it('classifies every fixture line and example as the full classification does', () => {
    const lines = [...fixtureLines, ...EXAMPLES, ...EXAMPLES.map((l) => l.toUpperCase())];
    for (const line of lines) expect(classifyLogLine(line), line).toEqual(classifyAnyLine(line));
  });

  it('the examples cover every kind', () => {
    const kinds = new Set(EXAMPLES.map((l) => classifyLogLine(l)?.kind));
    for (const k of LOG_EVENT_KINDS) expect(kinds, k).toContain(k);
  });
});
