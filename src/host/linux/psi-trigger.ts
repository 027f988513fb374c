// PSI triggers (Documentation/accounting/psi.rst): the kernel wakes us when tasks stalled on memory for
// stallUs within any windowUs, instead of us polling /proc/pressure/memory on a timer.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { HostReadError, OomguardError, UsageError } from '../../model/errors.js';
import { FdWaiter, PolledEventFd, type SharedPollable } from './fd-waiter.js';
import { loadNative, type NativeWaitCalls, POLLERR, POLLHUP, POLLNVAL, POLLPRI } from './native.js';

export type PsiKind = 'some' | 'full';
export type PsiWaitResult = 'event' | 'timeout' | 'gone';

export interface PsiTrigger extends SharedPollable<'event'> {
  /** The pressure file the trigger lives on (/proc/pressure/memory or a cgroup's memory.pressure). */
  readonly file: string;
  /**
   * Resolves 'event' when the trigger fired, 'timeout' after timeoutMs without one, 'gone' when the
   * trigger no longer exists (its cgroup was removed, or close() was called). One waiter at a time; the
   * whole timeout is one poll, so an idle wait costs no wake-up. Aborting `signal` ends the wait early
   * with 'timeout' (for waiting on this and something else together: abort the loser, await both).
   */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<PsiWaitResult>;
  /** Removes the trigger. Idempotent; a wait in progress resolves 'gone'. */
  close(): void;
}

const MIN_WINDOW_US = 500_000;
const MAX_WINDOW_US = 10_000_000;
/** Without CAP_SYS_RESOURCE (Linux 6.4+) the window must be a multiple of this. */
const UNPRIVILEGED_WINDOW_US = 2_000_000;

export function openPsiTrigger(
  file: string,
  kind: PsiKind,
  stallUs: number,
  windowUs: number,
  opts: { readonly native?: NativeWaitCalls | null } = {},
): PsiTrigger {
  const spec = `${kind} ${stallUs} ${windowUs}`;
  if (kind !== 'some' && kind !== 'full')
    throw new UsageError(`PSI trigger "${spec}": kind must be some or full`);
  if (!Number.isSafeInteger(windowUs) || windowUs < MIN_WINDOW_US || windowUs > MAX_WINDOW_US) {
    throw new UsageError(`PSI trigger "${spec}": the window must be 500000..10000000 µs (0.5 s to 10 s)`);
  }
  if (!Number.isSafeInteger(stallUs) || stallUs <= 0 || stallUs > windowUs) {
    throw new UsageError(`PSI trigger "${spec}": the stall must be 1 µs up to the window`);
  }
  const native = opts.native === undefined ? nativeOrThrow() : opts.native;
  if (native === null) throw new OomguardError('PSI triggers need the native layer: native calls disabled');

  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (error) {
    throw new HostReadError(`cannot open ${file} for a PSI trigger: ${codeOf(error)}`, file);
  }
  try {
    // The kernel overwrites the last byte written with NUL, so the terminating NUL is part of the write.
    writeSync(fd, `${spec}\0`);
  } catch (error) {
    closeSync(fd);
    throw refusal(file, spec, windowUs, codeOf(error));
  }
  let waiter: FdWaiter;
  try {
    waiter = new FdWaiter(native);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return new PsiTriggerFd(file, fd, waiter);
}

function refusal(file: string, spec: string, windowUs: number, code: string): OomguardError {
  const head = `PSI trigger "${spec}" on ${file} refused (${code})`;
  if ((code === 'EINVAL' || code === 'EPERM') && windowUs % UNPRIVILEGED_WINDOW_US !== 0) {
    return new UsageError(
      `${head}: without CAP_SYS_RESOURCE the window must be a multiple of 2 s (2000000 µs), e.g. "${spec.replace(/ \d+$/, ' 2000000')}"`,
    );
  }
  if (code === 'EPERM')
    return new OomguardError(`${head}: before Linux 6.4 PSI triggers need CAP_SYS_RESOURCE`);
  if (code === 'EOPNOTSUPP') return new OomguardError(`${head}: PSI is disabled (boot with psi=1)`);
  return new OomguardError(head);
}

class PsiTriggerFd extends PolledEventFd<'event'> implements PsiTrigger {
  constructor(
    readonly file: string,
    fd: number,
    waiter: FdWaiter,
  ) {
    super(`PSI trigger on ${file}`, fd, POLLPRI, waiter);
  }

  protected onReady(_fd: number, revents: number): 'event' | 'gone' {
    // A removed cgroup's pressure file answers POLLERR (with POLLPRI), so look at the error first.
    return (revents & (POLLERR | POLLHUP | POLLNVAL)) !== 0 ? 'gone' : 'event';
  }
}

function nativeOrThrow(): NativeWaitCalls {
  const load = loadNative();
  if (!load.ok) {
    throw new OomguardError(
      `PSI triggers need the native layer (${load.reason}); poll the pressure file instead`,
    );
  }
  return load.calls;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}
