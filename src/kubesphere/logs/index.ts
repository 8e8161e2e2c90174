/** ks-apiserver logs: line classification, the per-request tally and what it is evidence of. */
export { classifyLogLine, classifyMessage, LOG_EVENT_KINDS, parseLogLine } from './line.js';
export type { KlogHeader, LogEvent, LogEventKind, MemberReason, ParsedLogLine } from './line.js';
export { LogTally } from './tally.js';
export type { KindTally, LogOrigin, LogTallyOptions, LogTallyResult } from './tally.js';
export { classifyAuthEvidence, listAuthEvidence } from './auth-evidence.js';
export type { AuthEvidence, EvidenceContext } from './auth-evidence.js';
