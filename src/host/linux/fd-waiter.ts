// Waiting on file descriptors without a timer: ONE poll() on koffi's worker thread for as long as the wait
// lasts, over the caller's fds plus an eventfd of our own. cancel() writes to that eventfd, so a wait of any
// length (no timeout at all, even) still ends at once when asked, and the worker thread is free again: no
// native work is left pending that would keep the process alive.
import { closeSync, readSync, writeSync } from 'node:fs';
import { OomguardError, UsageError } from '../../model/errors.js';
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  errnoName,
  loadNative,
  NativeCallError,
  type NativeWaitCalls,
  POLLIN,
  type PollEntry,
} from './native.js';

export type { PollEntry } from './native.js';

export type FdWaitResult =
  /** At least one of the caller's fds has revents; one value per entry, in order. */
  | { readonly kind: 'ready'; readonly revents: readonly number[] }
  | { readonly kind: 'timeout' }
  /** cancel() or close() ended the wait (or the waiter was closed before it). */
  | { readonly kind: 'cancelled' };

/** poll() takes its timeout as a C int. */
export const MAX_WAIT_MS = 2_147_483_647;

/** uint64 1 in the host's byte order (little-endian on x86-64 and arm64): what eventfd adds on write. */
const ONE = Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]);

/**
 * One wait at a time on a set of fds, cancellable from the event loop. The caller keeps owning its fds and
 * must not close one while a wait on it is in progress (the worker thread may still be polling it, and the
 * number could be reused): cancel(), then close it once the wait has settled (idle()).
 */
export class FdWaiter {
  private readonly efd: number;
  private running: Promise<FdWaitResult> | null = null;
  /** cancel() asked the current wait to end. */
  private cancelling = false;
  /** cancel() wrote to the eventfd, whose counter must be read back to 0 before the next wait. */
  private signalled = false;
  private closed = false;
  private readonly counter = Buffer.alloc(8);

  /** native: default loadNative()'s calls; OomguardError when they cannot be loaded here. */
  constructor(private readonly native: NativeWaitCalls = nativeWaitCalls()) {
    const efd = native.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) throw new OomguardError(`eventfd() for a cancellable wait failed: ${errnoName(-efd)}`);
    this.efd = efd;
  }

  /** A wait is in progress (its poll has not returned yet). */
  get busy(): boolean {
    return this.running !== null;
  }

  /**
   * Polls `entries` until one has revents, `timeoutMs` (an integer 0..MAX_WAIT_MS, or -1 for none) passed,
   * or cancel()/close(). Rejects with an OomguardError when a wait is already in progress, and with a
   * NativeCallError when poll() itself fails (EINTR is retried for the time left).
   */
  wait(entries: readonly PollEntry[], timeoutMs: number): Promise<FdWaitResult> {
    if (!Number.isInteger(timeoutMs) || timeoutMs < -1 || timeoutMs > MAX_WAIT_MS) {
      return Promise.reject(
        new UsageError(
          `fd wait: timeout must be -1 (none) or an integer 0..${MAX_WAIT_MS} ms, not ${timeoutMs}`,
        ),
      );
    }
    if (this.closed) return Promise.resolve({ kind: 'cancelled' });
    if (this.running !== null) {
      return Promise.reject(new OomguardError('fd wait: a wait is already in progress on this waiter'));
    }
    const run = this.run(entries, timeoutMs).finally(() => this.settle());
    this.running = run;
    return run;
  }

  /** Ends the wait in progress (it resolves 'cancelled' unless one of its fds was ready). No-op when idle. */
  cancel(): void {
    if (this.running === null || this.cancelling) return;
    this.cancelling = true;
    writeSync(this.efd, ONE);
    this.signalled = true;
  }

  /** Cancels any wait, then closes the eventfd once its poll has returned. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.running !== null) this.cancel();
    else closeSync(this.efd);
  }

  /** Resolves when no poll is running on the worker thread any more (at once when idle). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(entries: readonly PollEntry[], timeoutMs: number): Promise<FdWaitResult> {
    const all = [...entries, { fd: this.efd, events: POLLIN }];
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this.cancelling) return { kind: 'cancelled' };
      const left = timeoutMs < 0 ? -1 : Math.max(0, Math.ceil(deadline - performance.now()));
      let revents: number[];
      try {
        revents = await this.native.pollManyAsync(all, left);
      } catch (error) {
        // A signal delivered to the worker thread interrupts its poll; nothing happened on the fds.
        if (error instanceof NativeCallError && error.code === 'EINTR') continue;
        throw error;
      }
      const ours = revents.slice(0, entries.length);
      if (ours.some((r) => r !== 0)) return { kind: 'ready', revents: ours };
      if (this.cancelling) return { kind: 'cancelled' };
      // poll() returned 0: it waited at least `left` ms.
      return { kind: 'timeout' };
    }
  }

  private settle(): void {
    this.running = null;
    this.cancelling = false;
    // The write happened on this thread before now, so the counter is non-zero and the read cannot block.
    if (this.signalled) readSync(this.efd, this.counter, 0, 8, null);
    this.signalled = false;
    if (this.closed) closeSync(this.efd);
  }
}

function nativeWaitCalls(): NativeWaitCalls {
  const load = loadNative();
  if (!load.ok)
    throw new OomguardError(`waiting on file descriptors needs the native layer (${load.reason})`);
  return load.calls;
}

/**
 * Runs cancellable waits side by side (a PSI trigger and a usage threshold, say) and resolves with the first
 * result, once the others have been aborted and have ended too: when this resolves no wait is in progress,
 * so the next round can start at once. Each wait is its own poll on a threadpool thread while it runs.
 */
export async function firstOf<T>(waits: readonly ((signal: AbortSignal) => Promise<T>)[]): Promise<T> {
  if (waits.length === 0) throw new UsageError('firstOf: nothing to wait for');
  const controller = new AbortController();
  const running = waits.map((start) => start(controller.signal));
  try {
    return await Promise.race(running);
  } finally {
    controller.abort();
    await Promise.allSettled(running);
  }
}

/**
 * One kernel event fd (a PSI trigger, a usage-threshold eventfd) waited on by one caller at a time. close()
 * during a wait ends it with 'gone' and leaves the fds open until the worker's poll has returned: closing
 * them under that poll could let a new file reuse the number while the poll still scans it.
 */
export abstract class PolledEventFd<Event extends string> {
  private waiting = false;
  private closed = false;

  /** `label` names the source in errors: "PSI trigger on /proc/pressure/memory". */
  protected constructor(
    private readonly label: string,
    private readonly fd: number,
    private readonly events: number,
    private readonly waiter: FdWaiter,
  ) {}

  /**
   * Resolves what onReady() makes of the fd's revents, 'timeout' after timeoutMs without them (or when
   * `signal` aborts), 'gone' once closed or gone.
   */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<Event | 'timeout' | 'gone'> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_MS) {
      throw new UsageError(
        `${this.label}: wait timeout must be a finite number of ms 0..${MAX_WAIT_MS}, not ${timeoutMs}`,
      );
    }
    if (this.closed || this.isGone()) return 'gone';
    if (this.waiting) throw new OomguardError(`${this.label}: wait() already in progress`);
    if (signal?.aborted) return 'timeout';
    this.waiting = true;
    const onAbort = () => this.waiter.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await this.waiter.wait([{ fd: this.fd, events: this.events }], Math.ceil(timeoutMs));
      if (this.closed) return 'gone';
      if (result.kind !== 'ready') return 'timeout'; // or cancelled through the signal
      return this.onReady(this.fd, result.revents[0] ?? 0);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.waiting = false;
      if (this.closed) this.release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiting) this.waiter.cancel();
    else this.release();
  }

  /** The event the ready fd stands for, or 'gone' when it says its source went away. */
  protected abstract onReady(fd: number, revents: number): Event | 'gone';

  /** True once an earlier event said the source went away. */
  protected isGone(): boolean {
    return false;
  }

  private release(): void {
    closeSync(this.fd);
    this.waiter.close();
  }
}
