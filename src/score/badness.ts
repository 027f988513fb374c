// The kernel's oom_badness (mm/oom_kill.c, 3.7+) and /proc/PID/oom_score (fs/proc/base.c, 5.9+), and
// the totalpages each is measured against. All arithmetic truncates toward zero, as the kernel's C does.
import { OomguardError } from '../model/errors.js';
import type { CgroupInfo, MemInfo } from '../model/snapshot.js';
import { bytesToPages, describePages } from './pages.js';

export interface BadnessInput {
  readonly rssPages: number;
  readonly swapPages: number;
  readonly pageTablePages: number;
  readonly adj: number;
  readonly totalPages: number;
}

/** The adj term: adj × trunc(T/1000) pages. trunc(T/1000) is taken first, as the kernel does. */
export function adjPages(adj: number, totalPages: number): number {
  return adj * Math.trunc(totalPages / 1000);
}

/** Raw pages, unclamped: negative when oom_score_adj outweighs the memory. */
export function oomBadness(input: BadnessInput): number {
  return badnessOfPages(input.rssPages, input.swapPages, input.pageTablePages, input.adj, input.totalPages);
}

/** oomBadness from its terms as arguments: the ranking's loop over every process builds no input object. */
export function badnessOfPages(
  rssPages: number,
  swapPages: number,
  pageTablePages: number,
  adj: number,
  totalPages: number,
): number {
  return rssPages + swapPages + pageTablePages + adjPages(adj, totalPages);
}

/** /proc/PID/oom_score: 0..2000, 0 for an ineligible task (badness null). */
export function oomScore(badness: number | null, globalTotalPages: number): number {
  if (badness === null) return 0;
  const perMille = Math.trunc((badness * 1000) / globalTotalPages);
  return Math.trunc(((1000 + perMille) * 2) / 3);
}

/** totalpages with a sentence saying where it came from. */
export interface TotalPages {
  readonly pages: number;
  readonly source: string;
}

/** Global totalpages: RAM pages + swap pages (totalram_pages() + total_swap_pages). */
export function globalTotalPages(meminfo: MemInfo, pageSize: number): TotalPages {
  const ram = bytesToPages(meminfo.memTotal, pageSize);
  const swap = bytesToPages(meminfo.swapTotal, pageSize);
  if (ram < 1) {
    throw new OomguardError(`meminfo reports MemTotal ${meminfo.memTotal} B: no RAM to measure against`);
  }
  return {
    pages: ram + swap,
    source: `global: MemTotal ${describePages(ram, pageSize)} + SwapTotal ${describePages(swap, pageSize)} = ${ram + swap} pages`,
  };
}

/**
 * A memcg's totalpages (mem_cgroup_get_max): limit pages + swap allowance, 0 → 1. null when the memcg
 * has no memory limit, so the caller can fall back to the limited ancestor or the global T.
 */
export function memcgTotalPages(cgroup: CgroupInfo, meminfo: MemInfo, pageSize: number): TotalPages | null {
  if (cgroup.limit === null) return null;
  const limit = bytesToPages(cgroup.limit, pageSize);
  const swap = swapAllowance(cgroup, bytesToPages(meminfo.swapTotal, pageSize), pageSize);
  const pages = Math.max(limit + swap.pages, 1);
  const limitFile = cgroup.version === 2 ? 'memory.max' : 'memory.limit_in_bytes';
  return {
    pages,
    source: `memcg ${cgroup.path}: ${limitFile} ${describePages(limit, pageSize)} + swap allowance ${swap.pages} pages (${swap.source}) = ${pages} pages`,
  };
}

function swapAllowance(cgroup: CgroupInfo, totalSwap: number, pageSize: number): TotalPages {
  // v1 has per-memcg swappiness; v2 uses the global one, which the snapshot does not carry (null).
  if (cgroup.swappiness === 0) return { pages: 0, source: 'memory.swappiness 0' };
  if (cgroup.version === 2) {
    if (cgroup.swapLimit === null) {
      return { pages: totalSwap, source: `memory.swap.max unlimited, total swap ${totalSwap} pages` };
    }
    const max = bytesToPages(cgroup.swapLimit, pageSize);
    return {
      pages: Math.min(max, totalSwap),
      source: `min(memory.swap.max ${max} pages, total swap ${totalSwap} pages)`,
    };
  }
  if (cgroup.memswLimit === null || cgroup.limit === null) {
    // memsw unlimited or not accounted: the kernel's swap excess is then capped by total swap alone.
    return { pages: totalSwap, source: `memsw unlimited or absent, total swap ${totalSwap} pages` };
  }
  // The kernel refuses memsw < limit, so the difference is never negative on a real host.
  const excess = Math.max(
    bytesToPages(cgroup.memswLimit, pageSize) - bytesToPages(cgroup.limit, pageSize),
    0,
  );
  return {
    pages: Math.min(excess, totalSwap),
    source: `min(memsw limit − limit ${excess} pages, total swap ${totalSwap} pages)`,
  };
}

/** The parent of a cgroup path ('/a/b' → '/a', '/a' → '/'); null for the root. */
export function parentCgroup(path: string): string | null {
  if (path === '/') return null;
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/**
 * The memcg whose limit an allocation in `path` would hit first going up: the nearest of the cgroup
 * and its ancestors with a memory limit. Cgroups missing from the map are passed over. null: none.
 */
export function effectiveOomDomain(
  path: string,
  cgroups: ReadonlyMap<string, CgroupInfo>,
): CgroupInfo | null {
  for (let at: string | null = path; at !== null; at = parentCgroup(at)) {
    const cgroup = cgroups.get(at);
    if (cgroup !== undefined && cgroup.limit !== null) return cgroup;
  }
  return null;
}
