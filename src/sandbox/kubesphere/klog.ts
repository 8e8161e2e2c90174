/** klog's header: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, the thread id right-aligned in 7 columns. */
export type Severity = 'I' | 'W' | 'E' | 'F';

/** One log statement of a ks-apiserver release: severity, the `file.go:line` it prints, the message. */
export interface LogEntry {
  sev: Severity;
  at: string;
  msg: string;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Formats an entry the way klog writes it from PID 1 of a container, in UTC. `micros` fills the sub-millisecond
 * digits a Date lacks (klog prints microseconds); defaults to a pseudo-random value.
 */
export function klogLine(e: LogEntry, time: Date, micros = Math.floor(Math.random() * 1000)): string {
  const stamp =
    `${pad(time.getUTCMonth() + 1)}${pad(time.getUTCDate())} ` +
    `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}.` +
    `${pad(time.getUTCMilliseconds(), 3)}${pad(micros, 3)}`;
  return `${e.sev}${stamp} ${String(1).padStart(7)} ${e.at}] ${e.msg}`;
}

/** Go's log package (log.Fatalln in 3.0–3.3 main): `2006/01/02 15:04:05 msg`. */
export function goLogLine(time: Date, msg: string): string {
  const d = `${time.getUTCFullYear()}/${pad(time.getUTCMonth() + 1)}/${pad(time.getUTCDate())}`;
  const t = `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}`;
  return `${d} ${t} ${msg}`;
}
