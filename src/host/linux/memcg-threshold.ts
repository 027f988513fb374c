// cgroup v1 memory usage thresholds (Documentation/admin-guide/cgroup-v1/memory.rst, "Memory thresholds"):
// the kernel signals an eventfd when the cgroup's memory.usage_in_bytes crosses a threshold, upwards or
// downwards, so a daemon scoped to a cgroup can sleep until usage nears its limit instead of polling.
// Registration: write "<eventfd> <fd of memory.usage_in_bytes> <bytes>" to the cgroup's cgroup.event_control.
// The kernel drops the registration when the eventfd is closed, or signals it once more when the cgroup goes.
import { closeSync, constants, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HostReadError, OomguardError, UsageError } from '../../model/errors.js';
import { FdWaiter, PolledEventFd, type SharedPollable } from './fd-waiter.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, errnoName, loadNative, type NativeWaitCalls, POLLIN } from './native.js';

export type UsageWaitResult = 'event' | 'timeout' | 'gone';

export interface UsageThreshold extends SharedPollable<'event'> {
  /** The cgroup's directory in the v1 memory hierarchy. */
  readonly cgroupDir: string;
  readonly thresholdBytes: number;
  /**
   * Resolves 'event' when usage crossed the threshold (either way) since the last wait, 'timeout' after
   * timeoutMs without, 'gone' once the cgroup was removed or close() was called. The whole timeout is one
   * poll. One waiter at a time; aborting `signal` ends the wait early with 'timeout'.
   */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<UsageWaitResult>;
  /** Unregisters the threshold. Idempotent; a wait in progress resolves 'gone'. */
  close(): void;
}

/**
 * Arms a usage threshold on a v1 memory cgroup. Arming reports nothing about the present: when usage is
 * already past the threshold, the first event comes when it falls back below, so read memory.usage_in_bytes
 * after arming. To move the threshold (a new limit), close() this one and arm another.
 */
export function armUsageThreshold(
  cgroupDir: string,
  thresholdBytes: number,
  opts: { readonly native?: NativeWaitCalls | null } = {},
): UsageThreshold {
  if (!Number.isSafeInteger(thresholdBytes) || thresholdBytes <= 0) {
    throw new UsageError(
      `usage threshold on ${cgroupDir}: must be a whole number of bytes > 0, not ${thresholdBytes}`,
    );
  }
  const native = opts.native === undefined ? nativeOrThrow() : opts.native;
  if (native === null)
    throw new OomguardError('usage thresholds need the native layer: native calls disabled');

  const usageFile = join(cgroupDir, 'memory.usage_in_bytes');
  const controlFile = join(cgroupDir, 'cgroup.event_control');
  let usageFd: number;
  try {
    usageFd = openSync(usageFile, constants.O_RDONLY);
  } catch (error) {
    throw new HostReadError(whyNoUsageFile(cgroupDir, usageFile, codeOf(error)), usageFile);
  }
  const fds = [usageFd];
  try {
    const eventFd = native.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (eventFd < 0)
      throw new OomguardError(`eventfd() for a usage threshold failed: ${errnoName(-eventFd)}`);
    fds.push(eventFd);
    let controlFd: number;
    try {
      controlFd = openSync(controlFile, constants.O_WRONLY);
    } catch (error) {
      throw new HostReadError(
        `cannot open ${controlFile} to arm a usage threshold (${codeOf(error)})`,
        controlFile,
      );
    }
    const line = `${eventFd} ${usageFd} ${thresholdBytes}`;
    try {
      writeSync(controlFd, line);
    } catch (error) {
      throw new OomguardError(`writing "${line}" to ${controlFile} was refused (${codeOf(error)})`);
    } finally {
      closeSync(controlFd);
    }
    // The kernel looked at memory.usage_in_bytes only to know which counter is meant: it keeps no reference.
    closeSync(usageFd);
    fds.shift();
    return new Threshold(cgroupDir, thresholdBytes, eventFd, new FdWaiter(native));
  } catch (error) {
    for (const fd of fds) closeSync(fd);
    throw error;
  }
}

function whyNoUsageFile(cgroupDir: string, usageFile: string, code: string): string {
  const head = `cannot arm a usage threshold: opening ${usageFile} failed (${code})`;
  if (code !== 'ENOENT') return head;
  if (!existsSync(cgroupDir)) return `${head}: no such cgroup`;
  if (existsSync(join(cgroupDir, 'cgroup.controllers'))) {
    return (
      `${head}: ${cgroupDir} is a cgroup v2 directory, which has no memory.usage_in_bytes or cgroup.event_control. ` +
      'Usage thresholds are cgroup v1 only; on v2 poll memory.events (it signals each memory.high and memory.max ' +
      'event) with memory.high set at the level to wake at'
    );
  }
  return `${head}: ${cgroupDir} is not in the cgroup v1 memory hierarchy`;
}

class Threshold extends PolledEventFd<'event'> implements UsageThreshold {
  private removed = false;
  private readonly counter = Buffer.alloc(8);

  constructor(
    readonly cgroupDir: string,
    readonly thresholdBytes: number,
    eventFd: number,
    waiter: FdWaiter,
  ) {
    super(`usage threshold on ${cgroupDir}`, eventFd, POLLIN, waiter);
  }

  protected onReady(eventFd: number): 'event' | 'gone' {
    // Back to 0, so the next wait sleeps until the next crossing. Readable, so the read cannot block.
    readSync(eventFd, this.counter, 0, 8, null);
    // Removing the cgroup signals the eventfd too (after rmdir has returned, so the directory is gone).
    if (!existsSync(this.cgroupDir)) {
      this.removed = true;
      return 'gone';
    }
    return 'event';
  }

  protected override isGone(): boolean {
    return this.removed;
  }
}

function nativeOrThrow(): NativeWaitCalls {
  const load = loadNative();
  if (!load.ok) throw new OomguardError(`usage thresholds need the native layer (${load.reason})`);
  return load.calls;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}
