// The daemon's kernel wake-ups, waited on together: the system PSI trigger, and on cgroup v1 a usage
// threshold on the watched cgroup at its TERM level (src/policy/thresholds.ts, scopeWakeUsageBytes), so
// that the loop looks the moment usage crosses it instead of at the next poll. All of them are ONE poll()
// on one threadpool thread (the pool has four, and fs.promises, dns.lookup and zlib queue behind them);
// a source that reports its end ('gone') is dropped, so the loop never spins on it.
import { FdWaiter, MAX_WAIT_MS, type SharedPollable, waitTogether } from './fd-waiter.js';
import { armUsageThreshold, type UsageThreshold } from './memcg-threshold.js';
import type { PsiTrigger } from './psi-trigger.js';

export interface WakeSourcesOptions {
  readonly psi: PsiTrigger | null;
  /** The watched cgroup's directory in the v1 memory hierarchy; null: no usage threshold. */
  readonly scopeDir: string | null;
  /** Told once when a usage threshold cannot be armed; the daemon then polls as before. */
  readonly onWarning: (message: string) => void;
  /** The waiter the sources are polled on (default: one of its own, made at the first wait). */
  readonly waiter?: FdWaiter;
}

export class WakeSources {
  private psi: PsiTrigger | null;
  private scopeDir: string | null;
  private usage: UsageThreshold | null = null;
  private usageAt: number | null = null;
  private waiter: FdWaiter | null;

  constructor(private readonly options: WakeSourcesOptions) {
    this.psi = options.psi;
    this.scopeDir = options.scopeDir;
    this.waiter = options.waiter ?? null;
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

  /** Resolves 'event' when a source fired, 'gone' when one ended (it is dropped), else 'timeout' after timeoutMs. */
  async wait(timeoutMs: number): Promise<'event' | 'timeout' | 'gone'> {
    const psi = this.psi;
    const usage = this.usage;
    const sources: SharedPollable<'event'>[] = [];
    if (psi !== null) sources.push(psi);
    if (usage !== null) sources.push(usage);
    if (sources.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return 'timeout';
    }
    this.waiter ??= new FdWaiter();
    const ms = Math.min(MAX_WAIT_MS, Math.max(0, Math.ceil(timeoutMs)));
    const results = await waitTogether(sources, this.waiter, ms);
    results.forEach((result, i) => {
      if (result !== 'gone') return;
      // Only the current source is dropped: a threshold closed to move it also ends with 'gone'.
      if (sources[i] === psi && this.psi === psi) this.psi = null;
      if (sources[i] === usage && this.usage === usage) {
        this.usage = null;
        this.scopeDir = null;
      }
    });
    if (results.includes('event')) return 'event';
    return results.includes('gone') ? 'gone' : 'timeout';
  }

  close(): void {
    this.psi?.close();
    this.usage?.close();
    this.waiter?.close();
    this.psi = null;
    this.usage = null;
    this.waiter = null;
  }
}
