// MemAvailable at the moment of a global OOM, rebuilt from the report's Mem-Info the way the kernel's
// si_mem_available() computes it (mm/show_mem.c), so oomguard's thresholds can be judged after the fact. Pure.
import type { MemInfoSummary, ZoneSummary } from './report.js';

export interface AvailableEstimate {
  readonly pages: number;
  /** true: si_mem_available() exactly; false: an upper bound (zone watermarks missing from the report). */
  readonly exact: boolean;
  readonly source: string;
}

const kbToPages = (kb: number, pageSize: number): number => Math.trunc((kb * 1024) / pageSize);

function zonesComplete(zones: readonly ZoneSummary[]): boolean {
  return (
    zones.length > 0 &&
    zones.every(
      (z) =>
        Number.isFinite(z.lowKb) &&
        Number.isFinite(z.highKb) &&
        Number.isFinite(z.managedKb) &&
        z.lowmemReserve.length > 0,
    )
  );
}

/** null when the report has no "free:" counter. */
export function availableAtOom(info: MemInfoSummary, pageSize: number): AvailableEstimate | null {
  const c = info.counters;
  const free = c.free;
  if (free === undefined) return null;
  const pagecache = (c.active_file ?? 0) + (c.inactive_file ?? 0);
  const reclaimable = (c.slab_reclaimable ?? 0) + (c.kernel_misc_reclaimable ?? 0);
  if (!zonesComplete(info.zones)) {
    return {
      pages: free + pagecache + reclaimable,
      exact: false,
      source:
        'free + file LRU + reclaimable slab (an upper bound: the zone watermarks are not in the report)',
    };
  }
  // calculate_totalreserve_pages(): per zone the largest lowmem_reserve plus the high watermark, at most managed.
  let totalReserve = 0;
  let wmarkLow = 0;
  for (const z of info.zones) {
    const reserve = Math.max(...z.lowmemReserve) + kbToPages(z.highKb, pageSize);
    totalReserve += Math.min(reserve, kbToPages(z.managedKb, pageSize));
    wmarkLow += kbToPages(z.lowKb, pageSize);
  }
  const available =
    free -
    totalReserve +
    (pagecache - Math.min(Math.trunc(pagecache / 2), wmarkLow)) +
    (reclaimable - Math.min(Math.trunc(reclaimable / 2), wmarkLow));
  return {
    pages: Math.max(available, 0),
    exact: true,
    source: `si_mem_available(): free ${free} − reserve ${totalReserve} + file LRU ${pagecache} and reclaimable slab ${reclaimable}, each less min(half, low watermarks ${wmarkLow})`,
  };
}
