// The daemon's kernel wake-ups, waited on together: the system PSI trigger, and on cgroup v1 a usage
// threshold on the watched cgroup at its TERM level (src/policy/thresholds.ts, scopeWakeUsageBytes), so
// that the loop looks the moment usage crosses it instead of at the next poll. Each wait is one poll();
// a source that reports its end ('gone') is dropped, so the loop never spins on it.
import { firstOf } from './fd-waiter.js';
import { armUsageThreshold, type UsageThreshold } from './memcg-threshold.js';
import type { PsiTrigger } from './psi-trigger.js';

export interface WakeSourcesOptions {
  readonly psi: PsiTrigger | null;
  /** The watched cgroup's directory in the v1 memory hierarchy; null: no usage threshold. */
  readonly scopeDir: string | null;
  /** Told once when a usage threshold cannot be armed; the daemon then polls as before. */
  readonly onWarning: (message: string) => void;
}

export class WakeSources {
  private psi: PsiTrigger | null;
  private scopeDir: string | null;
  private usage: UsageThreshold | null = null;
  private usageAt: number | null = null;

  constructor(private readonly options: WakeSourcesOptions) {
    this.psi = options.psi;
    this.scopeDir = options.scopeDir;
  }

  /** True while some source may wake the loop. */
  get active(): boolean {
    return this.psi !== null || this.scopeDir !== null;
  }

  /** The usage in bytes at which to wake (null: none). Re-arms only when it moved. */
  setUsageThreshold(bytes: number | null): void {
    if (this.scopeDir === null || bytes === this.usageAt) return;
    this.usage?.close();
    this.usage = null;
    this.usageAt = bytes;
    if (bytes === null) return;
    try {
      this.usage = armUsageThreshold(this.scopeDir, bytes);
    } catch (e) {
      this.options.onWarning(`no usage-threshold wake-ups, polling only: ${(e as Error).message}`);
      this.scopeDir = null;
    }
  }

  /** Resolves when a source fired, or after timeoutMs. */
  wait(timeoutMs: number): Promise<unknown> {
    const waits: ((signal: AbortSignal) => Promise<unknown>)[] = [];
    const psi = this.psi;
    if (psi !== null) {
      waits.push(async (signal) => {
        const r = await psi.wait(timeoutMs, signal);
        if (r === 'gone' && this.psi === psi) this.psi = null;
        return r;
      });
    }
    const usage = this.usage;
    if (usage !== null) {
      waits.push(async (signal) => {
        const r = await usage.wait(timeoutMs, signal);
        // A threshold closed to move it also ends with 'gone': only the current one is dropped.
        if (r === 'gone' && this.usage === usage) {
          this.usage = null;
          this.scopeDir = null;
        }
        return r;
      });
    }
    if (waits.length === 0) return new Promise((resolve) => setTimeout(resolve, timeoutMs));
    return firstOf(waits);
  }

  close(): void {
    this.psi?.close();
    this.usage?.close();
    this.psi = null;
    this.usage = null;
  }
}
