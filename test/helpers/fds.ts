// This test process's own open file descriptors, to show that nothing leaks.
import { readdirSync, readlinkSync } from 'node:fs';

/** How many eventfds this process has open. */
export function openEventfds(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === 'anon_inode:[eventfd]';
    } catch {
      return false; // the fd readdir itself used, closed by now
    }
  }).length;
}
