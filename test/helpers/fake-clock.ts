// A Clock for the daemon's unit tests that advances itself: sleep(ms) moves `now` forward by ms at once and
// resolves on the next microtask. The daemon's async code (grace periods, exit polls, recovery waits) then
// runs deterministically and instantly, with every wait landing on exact fake times.
//
// Things that must happen "meanwhile" (memory recovers during a grace period, a stop request) are scheduled
// with at(timeMs, fn): a sleep that passes that time stops there, runs fn, then goes on to its end.
//
// A wake promise given to sleep() is not raced: the sleep always lasts its full ms. A test that wants an
// early wake-up schedules it with at() instead. Because no sleep ever yields to the event loop, a loop that
// never stops (Daemon.run without an abort) would spin forever: tests stop it through at() or the emit sink.
import type { Clock } from '../../src/daemon/clock.js';

interface Scheduled {
  readonly atMs: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  private t: number;
  private seq = 0;
  private pending: Scheduled[] = [];

  constructor(startMs = 0) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, _wake?: Promise<unknown>): Promise<void> {
    this.sleeps.push(ms);
    this.advance(ms);
    return Promise.resolve();
  }

  /** Moves time forward by ms, running what was scheduled on the way, each at its own time. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`FakeClock: cannot advance by ${ms} ms`);
    const end = this.t + ms;
    for (;;) {
      const next = this.pending
        .filter((s) => s.atMs <= end)
        .sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.pending = this.pending.filter((s) => s !== next);
      this.t = Math.max(this.t, next.atMs);
      next.fn();
    }
    this.t = end;
  }

  /** Runs fn once time reaches atMs (at once, at the next advance, when atMs is not in the future). */
  at(atMs: number, fn: () => void): void {
    this.pending.push({ atMs, seq: this.seq++, fn });
  }
}
