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
 * A kernel event fd that can take part in a poll shared with other such fds (waitTogether): one poll on one
 * threadpool thread for all of them, however many there are.
 */
export interface SharedPollable<Event extends string> {
  /**
   * Joins a poll: the entry to poll, or null when the source is closed or gone (its result is then 'gone').
   * `cancel` ends that poll early: close() calls it. Throws when the source is already in a wait.
   */
  joinPoll(cancel: () => void): PollEntry | null;
  /** Leaves the poll it joined: what the fd's revents there (0: none) mean for it. */
  leavePoll(revents: number): Event | 'timeout' | 'gone';
}

/**
 * Polls `sources` together, in ONE poll on `waiter`, until one of them is ready, timeoutMs passed (an integer
 * 0..MAX_WAIT_MS) or the waiter was cancelled: each source's result, in order. A source that is closed or gone
 * answers 'gone' at once, and then nothing is polled: the caller drops it and waits again.
 */
export async function waitTogether<Event extends string>(
  sources: readonly SharedPollable<Event>[],
  waiter: FdWaiter,
  timeoutMs: number,
): Promise<(Event | 'timeout' | 'gone')[]> {
  const entries: (PollEntry | null)[] = [];
  try {
    for (const source of sources) entries.push(source.joinPoll(() => waiter.cancel()));
  } catch (error) {
    entries.forEach((entry, i) => {
      if (entry !== null) sources[i]?.leavePoll(0);
    });
    throw error;
  }
  let revents: readonly number[] = [];
  if (entries.every((entry) => entry !== null)) {
    try {
      const result = await waiter.wait(entries as PollEntry[], timeoutMs);
      if (result.kind === 'ready') revents = result.revents;
    } catch (error) {
      for (const source of sources) source.leavePoll(0);
      throw error;
    }
  }
  // Every source leaves, even when one of them fails to make sense of its revents: none stays "in a wait".
  const results: (Event | 'timeout' | 'gone')[] = [];
  let failure: unknown = null;
  sources.forEach((source, i) => {
    try {
      results.push(entries[i] === null ? 'gone' : source.leavePoll(revents[i] ?? 0));
    } catch (error) {
      failure ??= error;
      results.push('gone');
    }
  });
  if (failure !== null) throw failure;
  return results;
}

/**
 * One kernel event fd (a PSI trigger, a usage-threshold eventfd) waited on by one caller at a time. close()
 * during a wait ends it with 'gone' and leaves the fds open until the worker's poll has returned: closing
 * them under that poll could let a new file reuse the number while the poll still scans it.
 */
export abstract class PolledEventFd<Event extends string> implements SharedPollable<Event> {
  private waiting = false;
  private closed = false;
  /** Ends the poll this source is in (its own waiter's, or a shared one's). */
  private cancelPoll: (() => void) | null = null;

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
    const waiter = this.waiter;
    const onAbort = () => waiter.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // Cancelled through the signal, the wait leaves with no revents: 'timeout'.
      return (await waitTogether([this], waiter, Math.ceil(timeoutMs)))[0] ?? 'gone';
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  joinPoll(cancel: () => void): PollEntry | null {
    if (this.closed || this.isGone()) return null;
    if (this.waiting) throw new OomguardError(`${this.label}: wait() already in progress`);
    this.waiting = true;
    this.cancelPoll = cancel;
    return { fd: this.fd, events: this.events };
  }

  leavePoll(revents: number): Event | 'timeout' | 'gone' {
    this.waiting = false;
    this.cancelPoll = null;
    // The poll has returned: no worker thread looks at the fd any more, so a close() during it can finish.
    if (this.closed) {
      this.release();
      return 'gone';
    }
    return revents === 0 ? 'timeout' : this.onReady(this.fd, revents);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.waiting) this.cancelPoll?.();
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
