// The real native wait calls for tests, wrapped to count what the code under test does with them.
import assert from 'node:assert/strict';
import { existsSync, readlinkSync } from 'node:fs';
import { loadNative, NativeCallError, type NativeWaitCalls } from '../../src/host/linux/native.js';

export function realNative(): NativeWaitCalls {
  const load = loadNative();
  assert.ok(load.ok, load.ok ? '' : load.reason);
  return load.calls;
}

export interface CountingNative {
  readonly native: NativeWaitCalls;
  /** Polls started (each one is a wake-up when it returns). */
  readonly polls: () => number;
  /** Of the eventfds made through `native`, how many are still open. */
  readonly eventfdsOpen: () => number;
}

/** The real calls, counting polls and keeping the eventfds made; `failFirst` polls reject with these errnos first. */
export function countingNative(failFirst: number[] = []): CountingNative {
  const real = realNative();
  let polls = 0;
  const made: number[] = [];
  return {
    native: {
      eventfd: (initval, flags) => {
        const fd = real.eventfd(initval, flags);
        made.push(fd);
        return fd;
      },
      pollManyAsync: (entries, timeoutMs) => {
        polls++;
        const errno = failFirst.shift();
        if (errno !== undefined) return Promise.reject(new NativeCallError('poll', errno));
        return real.pollManyAsync(entries, timeoutMs);
      },
    },
    polls: () => polls,
    // By number: callers check when nothing else opens fds between the close and the check.
    eventfdsOpen: () =>
      made.filter(
        (fd) =>
          existsSync(`/proc/self/fd/${fd}`) && readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventfd]',
      ).length,
  };
}
