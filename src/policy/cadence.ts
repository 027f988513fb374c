// How long to sleep before the next look: long when memory is plentiful, short as it runs out.
//
//   sleep_ms = clamp(trunc(mem_headroom_KiB / 6000 + swap_headroom_KiB / 800), poll_min, poll_max)
//   mem_headroom  = max(0, available memory − memory TERM level in bytes)
//   swap_headroom = max(0, free swap − swap TERM level in bytes)   (0 without swap)
//
// This is earlyoom's formula. The divisors are fill rates in KiB/ms (RAM at about 6 GB/s, zram swap at
// 800 MB/s): the sleep is roughly the shortest time in which a runaway allocator could use up the headroom,
// memory first and then swap, since both must be short for a level to apply. Unlike earlyoom, headroom is
// measured against the TERM level in bytes as the verdict computed it, so size levels (-M/-S) and a watched
// cgroup's limit count too, and the bounds are configurable (poll.min, poll.max; default 100 ms and 3 s, nohang's
// bounds: earlyoom stops at 1 s, which only matters above 6 GiB of headroom and triples an idle daemon's looks).
import type { ThresholdVerdict } from './thresholds.js';

/** KiB per ms a process can fill RAM with. */
export const MEM_FILL_KIB_PER_MS = 6000;
/** KiB per ms a process can fill (zram) swap with. */
export const SWAP_FILL_KIB_PER_MS = 800;

export interface Cadence {
  readonly sleepMs: number;
  readonly memHeadroomBytes: number;
  readonly swapHeadroomBytes: number;
  readonly why: string;
}

export function nextSleep(
  verdict: Pick<ThresholdVerdict, 'memAvailBytes' | 'memTermBytes' | 'swapFreeBytes' | 'swapTermBytes'>,
  bounds: { readonly pollMinMs: number; readonly pollMaxMs: number },
): Cadence {
  const memHeadroomBytes = Math.max(0, verdict.memAvailBytes - verdict.memTermBytes);
  const swapHeadroomBytes = Math.max(0, verdict.swapFreeBytes - verdict.swapTermBytes);
  const raw = Math.trunc(
    memHeadroomBytes / 1024 / MEM_FILL_KIB_PER_MS + swapHeadroomBytes / 1024 / SWAP_FILL_KIB_PER_MS,
  );
  const sleepMs = Math.min(bounds.pollMaxMs, Math.max(bounds.pollMinMs, raw));
  return {
    sleepMs,
    memHeadroomBytes,
    swapHeadroomBytes,
    // Written only when read: this runs every look.
    get why() {
      return (
        `sleep ${sleepMs} ms = clamp(trunc(${Math.trunc(memHeadroomBytes / 1024)} KiB / ${MEM_FILL_KIB_PER_MS}` +
        ` + ${Math.trunc(swapHeadroomBytes / 1024)} KiB / ${SWAP_FILL_KIB_PER_MS}) = ${raw},` +
        ` ${bounds.pollMinMs}, ${bounds.pollMaxMs})`
      );
    },
  };
}
