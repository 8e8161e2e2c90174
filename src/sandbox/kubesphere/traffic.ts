import type { ApiserverProcess, ApiserverSim } from './apiserver-sim.js';
import { accessTokenClaims, issuedInFuture, signHS256, verifyHS256 } from './jwt.js';
import type { Claims } from './jwt.js';
import { authFailureEntries, clockFailureEntries, hostUnauthorizedEntry } from './log-catalog.js';
import type { AuthFailure } from './log-catalog.js';
import type { KsVersion } from './versions.js';

export interface TrafficCluster {
  name: string;
  version: KsVersion;
  /** host:port the host's proxy dials for this cluster (what 4.x logs as `host:`). */
  endpointHost: string;
  sim: ApiserverSim;
  /** Its nodes' clock against `now`, in ms (negative: behind): tokens are issued and checked by local time. */
  clockOffsetMs?: number;
}

export interface TrafficOptions {
  host: TrafficCluster;
  members: TrafficCluster[];
  now: () => Date;
  intervalMs: number;
  random?: () => number;
}

interface Session {
  token: string;
  claims: Claims;
  issuer: ApiserverProcess;
  generation: number;
  expiresAt: number | undefined;
}

const HOUR = 3_600_000;
/** maximumClockSkew as the sandbox's templates write it (and the default). */
const CLOCK_SKEW_SEC = 10;

const local = (c: TrafficCluster, at: Date): Date =>
  c.clockOffsetMs ? new Date(at.getTime() + c.clockOffsetMs) : at;

/**
 * A user on the host console: logs in (a host replica issues an HS256 access token with its jwtSecret and
 * caches it if its accessTokenMaxAge ≠ 0), then keeps loading pages of the host and of every member. Each
 * request is verified by one replica of the target cluster with that replica's loaded config; rejections are
 * logged as the target's release logs them, and a rejected user logs in again.
 */
export class ConsoleTraffic {
  private session: Session | undefined;
  private readonly turn = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Signature verdicts for the current session's token, by verifying secret: one HMAC per secret per login. */
  private readonly verdicts = new Map<string, boolean>();
  private readonly random: () => number;

  constructor(private readonly o: TrafficOptions) {
    this.random = o.random ?? Math.random;
  }

  /** History for pods that were already running: one round every `stepMs` over the last `windowMs`. */
  backfill(windowMs = HOUR, stepMs = 30_000): void {
    const end = this.o.now().getTime();
    const n = this.o.members.length + 1;
    for (let t = end - windowMs; t < end; t += stepMs) {
      // Spread one round over the step so every container's lines stay in time order.
      this.round((i) => new Date(t + Math.floor((i * stepMs) / (2 * n))), false);
    }
  }

  start(): void {
    if (this.timer || this.o.intervalMs <= 0) return;
    this.timer = setInterval(() => this.round(() => this.o.now()), this.o.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One page load on the host and one on every member. `relogin`: a rejected user logs in again (live); the
   * history keeps one session per round, which changes no log line and saves most of the signing.
   */
  round(timeOf: (i: number) => Date, relogin = true): void {
    const { host, members } = this.o;
    this.request(host, undefined, timeOf(0), relogin);
    members.forEach((m, i) => this.request(m, host, timeOf(i + 1), relogin));
  }

  private request(
    target: TrafficCluster,
    proxiedBy: TrafficCluster | undefined,
    at: Date,
    relogin: boolean,
  ): void {
    const session = this.login(at);
    if (!session) return;
    const now = local(target, at);
    const procs = target.sim.serving().filter((p) => p.readyAt.getTime() <= now.getTime());
    if (procs.length === 0) return;
    // Members: round-robin over replicas; the host's own Service spreads requests at random.
    const k = proxiedBy ? (this.turn.get(target.name) ?? 0) : Math.floor(this.random() * procs.length);
    if (proxiedBy) this.turn.set(target.name, k + 1);
    const proc = procs[k % procs.length]!;
    const failure = this.verify(target, proc, session, now);
    if (!failure) return;
    const entries =
      typeof failure === 'string'
        ? authFailureEntries(target.version, failure)
        : clockFailureEntries(target.version, failure.clock);
    target.sim.log(proc, entries, now);
    if (proxiedBy) {
      const why = typeof failure === 'string' ? failure : failure.clock;
      const entry = hostUnauthorizedEntry(proxiedBy.version, target.endpointHost, why);
      const via = this.pick(proxiedBy.sim.serving());
      if (entry && via) proxiedBy.sim.log(via, [entry], local(proxiedBy, at));
    }
    // A token issued in the member's future stays rejected until it ages: the user logs in again, in history too.
    if (relogin || !proxiedBy || typeof failure !== 'string') this.session = undefined;
  }

  /** `at` is the target's own clock. The signature first, then the times, then the cache (issuer.go, jwt.go). */
  private verify(
    cluster: TrafficCluster,
    proc: ApiserverProcess,
    session: Session,
    at: Date,
  ): AuthFailure | { clock: string } | undefined {
    const { token } = session;
    let valid = this.verdicts.get(proc.cfg.jwtSecret);
    if (valid === undefined) {
      const v = verifyHS256(token, proc.cfg.jwtSecret, at);
      if (!v.ok && v.error !== 'signature is invalid') return undefined;
      valid = v.ok;
      this.verdicts.set(proc.cfg.jwtSecret, valid);
    }
    if (!valid) return 'signature is invalid';
    const uptimeSec = (at.getTime() - proc.startedAt.getTime()) / 1000;
    const early = issuedInFuture(cluster.version, session.claims, at, CLOCK_SKEW_SEC, uptimeSec);
    if (early) return { clock: early };
    if (proc.cfg.accessTokenMaxAgeNs === 0) return undefined;
    const cached = proc.cfg.cache === 'redis' ? cluster.sim.redis.has(token) : proc.memCache.has(token);
    return cached ? undefined : 'token not found in cache';
  }

  /** `at` is the real time; the host issues by its own clock. */
  private login(real: Date): Session | undefined {
    const at = local(this.o.host, real);
    const s = this.session;
    const live = this.o.host.sim.serving();
    if (
      s &&
      live.includes(s.issuer) &&
      s.issuer.generation === s.generation &&
      (s.expiresAt ?? Infinity) - at.getTime() > 60_000
    ) {
      return s;
    }
    const issuer = this.pick(live.filter((p) => p.readyAt.getTime() <= at.getTime()));
    if (!issuer) return undefined;
    const maxAge = issuer.cfg.accessTokenMaxAgeNs;
    const claims = accessTokenClaims(this.o.host.version, 'admin', at, maxAge, CLOCK_SKEW_SEC);
    const token = signHS256(claims, issuer.cfg.jwtSecret);
    this.verdicts.clear();
    if (maxAge > 0) (issuer.cfg.cache === 'redis' ? this.o.host.sim.redis : issuer.memCache).add(token);
    this.session = {
      token,
      claims,
      issuer,
      generation: issuer.generation,
      expiresAt: maxAge > 0 ? at.getTime() + maxAge / 1e6 : undefined,
    };
    return this.session;
  }

  private pick<T>(items: T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.random() * items.length)];
  }
}
