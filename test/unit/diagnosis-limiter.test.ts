/**
 * Fleet mode gathers at most `--concurrency` members at once (runDiagnosis' limiter): never more jobs running
 * than allowed, every job run exactly once with its own result, and a failed job neither stops the others nor
 * keeps its slot. Written for the mutants StrykerJS found surviving in diagnosis.ts (issue 13).
 */
import { describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/kube/failure.js';
import type { ClusterClient } from '../../src/kube/types.js';
import { limiter, runDiagnosis } from '../../src/kubesphere/checks/diagnosis.js';

/** A job that runs until released, recording how many ran at once. */
function gate() {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const releases: Array<() => void> = [];
  const job =
    (id: number, fail = false) =>
    async () => {
      running++;
      peak = Math.max(peak, running);
      started.push(id);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      if (fail) throw new Error(`job ${id} failed`);
      return id * 10;
    };
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return {
    job,
    tick,
    started,
    get peak() {
      return peak;
    },
    async releaseAll() {
      while (releases.length > 0 || running > 0) {
        releases.splice(0).forEach((r) => r());
        await tick();
      }
    },
    releaseFirst: () => releases.shift()?.(),
  };
}

describe('limiter', () => {
  it('runs at most n jobs at once, starts the next as one ends, and returns each its own result', async () => {
    const g = gate();
    const limit = limiter(2);
    const results = Promise.all([1, 2, 3, 4, 5].map((id) => limit(g.job(id))));
    await g.tick();
    expect(g.started).toEqual([1, 2]);
    g.releaseFirst();
    await g.tick();
    expect(g.started).toEqual([1, 2, 3]);
    await g.releaseAll();
    expect(await results).toEqual([10, 20, 30, 40, 50]);
    expect(g.peak).toBe(2);
    expect(g.started).toEqual([1, 2, 3, 4, 5]);
  });

  it('one at a time runs the jobs in order', async () => {
    const g = gate();
    const limit = limiter(1);
    const results = Promise.all([1, 2, 3].map((id) => limit(g.job(id))));
    await g.tick();
    expect(g.started).toEqual([1]);
    await g.releaseAll();
    expect(await results).toEqual([10, 20, 30]);
    expect(g.peak).toBe(1);
  });

  it('a failed job rejects its own promise only and frees its slot', async () => {
    const g = gate();
    const limit = limiter(1);
    const first = limit(g.job(1, true));
    const second = limit(g.job(2));
    const firstResult = first.catch((e: Error) => e.message);
    await g.tick();
    expect(g.started).toEqual([1]);
    await g.releaseAll();
    expect(await firstResult).toBe('job 1 failed');
    expect(await second).toBe(20);
    expect(g.started).toEqual([1, 2]);
  });

  it('more slots than jobs: all start at once', async () => {
    const g = gate();
    const limit = limiter(32);
    const results = Promise.all([1, 2, 3].map((id) => limit(g.job(id))));
    await g.tick();
    expect(g.started).toEqual([1, 2, 3]);
    await g.releaseAll();
    expect(await results).toEqual([10, 20, 30]);
  });
});

describe('runDiagnosis gathers at most --concurrency members at once', () => {
  /**
   * Readers of clusters that answer every request after a few ms with a failure (gathering never throws for
   * one): a member counts as being gathered from its first request until runDiagnosis says it is done.
   */
  function fleet(n: number) {
    const active = new Set<string>();
    let peak = 0;
    const reader = (context: string): ClusterClient =>
      new Proxy({ context, server: `https://${context}.example:6443` } as ClusterClient, {
        get(target, prop) {
          if (prop in target) return target[prop as keyof ClusterClient];
          if (prop === 'then' || prop === 'clock') return undefined;
          return () => {
            if (context !== 'host') {
              active.add(context);
              peak = Math.max(peak, active.size);
            }
            return new Promise((_resolve, reject) =>
              setTimeout(() => reject(new Error('connect ECONNREFUSED')), 2),
            );
          };
        },
      });
    const members = Array.from({ length: n }, (_, i) => reader(`member-${i + 1}`));
    return {
      host: reader('host'),
      members,
      done: (context: string) => active.delete(context),
      get peak() {
        return peak;
      },
    };
  }

  it.each([1, 2, 3])('--concurrency %i', async (concurrency) => {
    const f = fleet(6);
    const gathered: string[] = [];
    const d = await runDiagnosis(f.host, f.members, {
      sinceSeconds: 60,
      since: '1m',
      concurrency,
      describeFailure,
      onGathered: (c) => {
        gathered.push(c);
        f.done(c);
      },
    });
    expect(f.peak).toBe(concurrency);
    expect(gathered.filter((c) => c !== 'host').sort()).toEqual(f.members.map((m) => m.context).sort());
    expect(d.report.members).toHaveLength(6);
  });

  it('without --concurrency, up to 64 at once', async () => {
    const f = fleet(80);
    await runDiagnosis(f.host, f.members, {
      sinceSeconds: 60,
      since: '1m',
      describeFailure,
      onGathered: (c) => f.done(c),
    });
    expect(f.peak).toBe(64);
  });
});
