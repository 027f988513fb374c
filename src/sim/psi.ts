// Pressure stall information for the simulated kernel: the share of time some task waited for memory,
// averaged like the kernel's /proc/pressure/memory (updated every 2 s; 10 s, 60 s and 300 s windows).
import type { Psi, PsiLine } from '../model/snapshot.js';

const PERIOD_MS = 2000;
const DECAY10 = Math.exp(-PERIOD_MS / 10_000);
const DECAY60 = Math.exp(-PERIOD_MS / 60_000);
const DECAY300 = Math.exp(-PERIOD_MS / 300_000);

export class PsiTracker {
  private avg10 = 0;
  private avg60 = 0;
  private avg300 = 0;
  private totalUs = 0;
  private windowStart = 0;
  private windowStall = 0;

  /** One step of `stepMs` ending at `now`, during which tasks stalled for `weight` (0..1) of the time. */
  add(now: number, stepMs: number, weight: number): void {
    const stalled = weight * stepMs;
    this.totalUs += Math.round(stalled * 1000);
    this.windowStall += stalled;
    const span = now - this.windowStart;
    if (span >= PERIOD_MS) {
      const pct = (this.windowStall * 100) / span;
      this.avg10 = this.avg10 * DECAY10 + pct * (1 - DECAY10);
      this.avg60 = this.avg60 * DECAY60 + pct * (1 - DECAY60);
      this.avg300 = this.avg300 * DECAY300 + pct * (1 - DECAY300);
      this.windowStart = now;
      this.windowStall = 0;
    }
  }

  /** The PSI file: `full` equals `some` (in the model, a stalled allocation stops every task of its scope). */
  read(): Psi {
    const round = (x: number) => Math.round(x * 100) / 100;
    const line: PsiLine = {
      avg10: round(this.avg10),
      avg60: round(this.avg60),
      avg300: round(this.avg300),
      totalUs: this.totalUs,
    };
    return { some: line, full: line };
  }
}
