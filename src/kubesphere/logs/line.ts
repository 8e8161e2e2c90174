/**
 * ks-apiserver log lines that explain a rejected token. Classification reads the message text only — file:line
 * moves between releases — and accepts klog lines with or without the RFC 3339 prefix of `--timestamps`.
 */

export type LogEventKind =
  | 'cache-miss'
  | 'signature-invalid'
  | 'clock-skew'
  | 'token-expired'
  | 'empty-jwt-secret'
  | 'in-memory-cache'
  | 'host-unauthorized'
  | 'config-load-failed'
  | 'config-reload-failed';

export const LOG_EVENT_KINDS: readonly LogEventKind[] = [
  'cache-miss',
  'signature-invalid',
  'clock-skew',
  'token-expired',
  'empty-jwt-secret',
  'in-memory-cache',
  'host-unauthorized',
  'config-load-failed',
  'config-reload-failed',
];

export interface KlogHeader {
  severity: 'I' | 'W' | 'E' | 'F';
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  pid: number;
  /** `file.go:123` as printed; only ever used to tell the lines of one request apart. */
  source: string;
}

export interface ParsedLogLine {
  /** RFC 3339 timestamp added by the container runtime (`kubectl logs --timestamps`). */
  timestamp?: string;
  klog?: KlogHeader;
  message: string;
}

/** What a member said about a request the host proxied, as the host logs it (4.x). */
export type MemberReason = Exclude<
  LogEventKind,
  'host-unauthorized' | 'in-memory-cache' | 'config-load-failed' | 'config-reload-failed'
>;

export interface LogEvent {
  kind: LogEventKind;
  message: string;
  timestamp?: string;
  klog?: KlogHeader;
  /** `token-expired`: how long ago ("5m3s"); `host-unauthorized`: the member's answer. */
  detail?: string;
  /** `host-unauthorized`: the member's address. */
  host?: string;
  /** `host-unauthorized`: the member's reason, classified. */
  cause?: MemberReason;
}

const RFC3339 =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))\s+(?:(?:stdout|stderr) [FP] )?/;
const KLOG = /^([IWEF])(\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s+(\d+) ([^\]\s]+:\d+)\] ?/;

export function parseLogLine(line: string): ParsedLogLine {
  let rest = line.replace(/\r$/, '');
  const out: ParsedLogLine = { message: '' };
  const ts = RFC3339.exec(rest);
  if (ts?.[1]) {
    out.timestamp = ts[1];
    rest = rest.slice(ts[0].length);
  }
  const k = KLOG.exec(rest);
  if (k) {
    out.klog = {
      severity: k[1] as KlogHeader['severity'],
      month: Number(k[2]),
      day: Number(k[3]),
      hour: Number(k[4]),
      minute: Number(k[5]),
      second: Number(k[6]),
      micros: Number(k[7]),
      pid: Number(k[8]),
      source: k[9] ?? '',
    };
    rest = rest.slice(k[0].length);
  }
  out.message = rest;
  return out;
}

const HOST_UNAUTHORIZED = /Request unauthorized, host: (\S*?),? reason: (.*)$/;
const EXPIRED = /token is expired(?: by ([^\s,"]+))?/i;

/** The kind of token failure a message reports, if any. Order matters: the most specific cause first. */
export function classifyMessage(message: string): Exclude<LogEventKind, 'host-unauthorized'> | undefined {
  if (/JWT secret MUST not be empty|jwt secret is empty/i.test(message)) return 'empty-jwt-secret';
  // 3.0 without a Redis address exits at start, like a configuration that does not load.
  if (/Failed to load configuration from disk|redis service address MUST not be empty/i.test(message))
    return 'config-load-failed';
  // 3.3/3.4 hot reload (viper OnConfigChange, pkg/apiserver/config/config.go): the new file did not unmarshal, so
  // the process keeps serving with the configuration it had.
  if (/^config reload error/i.test(message)) return 'config-reload-failed';
  if (/signature is invalid/i.test(message)) return 'signature-invalid';
  if (/token not found in cache/i.test(message)) return 'cache-miss';
  // 3.0/3.1 tokens carry nbf = iat, and jwt-go reports nbf last: "token is not valid yet" is their clock skew.
  if (/token used before issued|token is not valid yet/i.test(message)) return 'clock-skew';
  if (EXPIRED.test(message)) return 'token-expired';
  const inMemory = /In-memory cache will be used|starts without (?:redis|cache) provided/i;
  return inMemory.test(message) ? 'in-memory-cache' : undefined;
}

/**
 * A phrase every classification below needs (classifyMessage's and HOST_UNAUTHORIZED's), in one search of the
 * whole line: most lines say nothing about tokens, and one search costs far less than parsing the line and
 * trying each pattern. Keep it in step with them (ks-logs-prefilter.test.ts compares both on every fixture).
 */
const MAY_CLASSIFY =
  /jwt secret|failed to load configuration|redis service address|config reload error|signature is invalid|token (?:not found in cache|used before issued|is not valid yet|is expired)|in-memory cache will be used|starts without |request unauthorized, host: /i;

export function classifyLogLine(line: string): LogEvent | undefined {
  return MAY_CLASSIFY.test(line) ? classifyAnyLine(line) : undefined;
}

/** classifyLogLine without the quick rejection (for the test that keeps the two in step). */
export function classifyAnyLine(line: string): LogEvent | undefined {
  const parsed = parseLogLine(line);
  const base = {
    message: parsed.message,
    ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
    ...(parsed.klog ? { klog: parsed.klog } : {}),
  };
  const host = HOST_UNAUTHORIZED.exec(parsed.message);
  if (host) {
    const reason = (host[2] ?? '').trim();
    const cause = classifyMessage(reason);
    return {
      kind: 'host-unauthorized',
      ...base,
      host: host[1] ?? '',
      detail: memberMessage(reason),
      ...(cause && isMemberReason(cause) ? { cause } : {}),
    };
  }
  const kind = classifyMessage(parsed.message);
  if (!kind) return undefined;
  const expired = kind === 'token-expired' ? EXPIRED.exec(parsed.message)?.[1] : undefined;
  return { kind, ...base, ...(expired ? { detail: expired } : {}) };
}

function isMemberReason(kind: LogEventKind): kind is MemberReason {
  return ['cache-miss', 'signature-invalid', 'clock-skew', 'token-expired', 'empty-jwt-secret'].includes(
    kind,
  );
}

/** The member's 401 body is a Kubernetes Status: keep its message. */
function memberMessage(reason: string): string {
  try {
    const status = JSON.parse(reason) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not JSON: keep it as it is
  }
  return reason;
}
