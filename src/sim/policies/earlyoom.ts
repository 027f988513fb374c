// earlyoom's behaviour (rfjakob/earlyoom 1.8+): SIGTERM when MemAvailable% and SwapFree% are both at or below
// 10 %, SIGKILL at 5 %; the victim has the highest oom_score, ties to the larger RSS; then it waits up to
// 10 s for the exit in 100 ms steps, escalating to SIGKILL at the kill level, and reaps with process_mrelease.
import type { Candidate } from '../../model/ranking.js';
import type { MemInfo, Snapshot } from '../../model/snapshot.js';
import { rankProcesses } from '../../policy/rank.js';
import { formatSize } from '../units.js';
import { buildSnapshot } from '../view.js';
import type { Agent, SimProcess, World } from '../world.js';

export const EARLYOOM_TERM_PERCENT = 10;
export const EARLYOOM_KILL_PERCENT = 5;
const KILL_WAIT_MS = 10_000;
const WAIT_STEP_MS = 100;
const NO_VICTIM_SLEEP_MS = 1000;

export interface EarlyoomLevel {
  readonly level: 'ok' | 'term' | 'kill';
  readonly memPercent: number;
  readonly swapPercent: number;
  readonly why: string;
}

/** MemAvailable × 100 / (MemAvailable + AnonPages) and SwapFree × 100 / SwapTotal (0 without swap). */
export function earlyoomLevel(mi: MemInfo): EarlyoomLevel {
  const avail = mi.memAvailable ?? Math.max(0, mi.memFree + mi.cached + mi.buffers - mi.shmem);
  const base = avail + mi.anonPages;
  const memPercent = base > 0 ? (avail * 100) / base : 0;
  const swapPercent = mi.swapTotal > 0 ? (mi.swapFree * 100) / mi.swapTotal : 0;
  const under = (limit: number) => memPercent <= limit && swapPercent <= limit;
  const level = under(EARLYOOM_KILL_PERCENT) ? 'kill' : under(EARLYOOM_TERM_PERCENT) ? 'term' : 'ok';
  const why = `mem avail ${memPercent.toFixed(2)} % (${formatSize(avail)}), swap free ${swapPercent.toFixed(2)} %`;
  return { level, memPercent, swapPercent, why };
}

/** earlyoom's victim: PID > 2, not a kernel thread, highest oom_score, then larger RSS, then the lower PID. */
export function earlyoomVictim(snap: Snapshot): Candidate | null {
  const ranked = rankProcesses(snap, { ranker: 'kernel' }).candidates.filter(
    (c) => c.killable && c.pid > 2 && c.oomScoreAdj !== -1000,
  );
  let best: Candidate | null = null;
  for (const c of [...ranked].sort((a, b) => a.pid - b.pid)) {
    if (
      best === null ||
      c.oomScore > best.oomScore ||
      (c.oomScore === best.oomScore && c.rssBytes > best.rssBytes)
    ) {
      best = c;
    }
  }
  return best;
}

/** The adaptive poll: headroom above the term level at RAM and zram fill rates, clamped to 100..1000 ms. */
export function earlyoomSleepMs(mi: MemInfo, lvl: EarlyoomLevel): number {
  const memHeadroomKiB = (Math.max(0, lvl.memPercent - EARLYOOM_TERM_PERCENT) * mi.memTotal) / 100 / 1024;
  const swapHeadroomKiB = (Math.max(0, lvl.swapPercent - EARLYOOM_TERM_PERCENT) * mi.swapTotal) / 100 / 1024;
  return Math.min(Math.max(Math.trunc(memHeadroomKiB / 6000 + swapHeadroomKiB / 800), WAIT_STEP_MS), 1000);
}

export class EarlyoomAgent implements Agent {
  readonly label = 'earlyoom';
  nextPollMs = 0;
  private waiting: { p: SimProcess; since: number; sig: 'SIGTERM' | 'SIGKILL' } | null = null;

  poll(w: World): void {
    const mi = buildSnapshot(w, { processes: false }).meminfo;
    const lvl = earlyoomLevel(mi);
    if (this.waiting !== null && this.wait(w, lvl)) {
      this.nextPollMs = w.now + WAIT_STEP_MS;
      return;
    }
    if (lvl.level === 'ok') {
      this.nextPollMs = w.now + earlyoomSleepMs(mi, lvl);
      return;
    }
    const c = earlyoomVictim(buildSnapshot(w, { processes: true }));
    const p = c === null ? undefined : w.procs.get(c.pid);
    if (c === null || p === undefined) {
      this.nextPollMs = w.now + NO_VICTIM_SLEEP_MS;
      return;
    }
    const reason = `earlyoom: ${lvl.why}; oom_score ${c.oomScore}, RSS ${formatSize(c.rssBytes)}`;
    if (lvl.level === 'kill') {
      w.kill(p, 'oomguard', reason);
      w.release(p);
    } else w.term(p, 'oomguard', reason);
    this.waiting = { p, since: w.now, sig: lvl.level === 'kill' ? 'SIGKILL' : 'SIGTERM' };
    this.nextPollMs = w.now + WAIT_STEP_MS;
  }

  /** True while still waiting for the victim to exit. */
  private wait(w: World, lvl: EarlyoomLevel): boolean {
    const v = this.waiting;
    if (v === null || v.p.gone || w.now - v.since >= KILL_WAIT_MS) {
      this.waiting = null;
      return false;
    }
    if (v.sig === 'SIGTERM' && lvl.level === 'kill') {
      w.kill(v.p, 'oomguard', `earlyoom: escalating to SIGKILL: ${lvl.why}`);
      w.release(v.p);
      v.sig = 'SIGKILL';
    }
    return !v.p.gone;
  }
}
