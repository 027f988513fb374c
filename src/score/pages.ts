// Bytes to kernel pages, as /proc reports them and the kernel counts them.
import type { ProcessInfo } from '../model/snapshot.js';

const MIB = 1024 * 1024;

/** Whole pages in a byte count, truncating (the kernel's counters are whole pages). */
export function bytesToPages(bytes: number, pageSize: number): number {
  return Math.trunc(bytes / pageSize);
}

/**
 * Page-table pages as oom_badness counts them: ⌊pgtables_bytes / PAGE⌋. VmPTE is pgtables_bytes in kB,
 * exact on x86-64; where page tables are page fragments (s390, ppc64) the floor drops the remainder.
 */
export function pageTablePages(vmPteBytes: number, pageSize: number): number {
  return Math.trunc(vmPteBytes / pageSize);
}

/** A process's memory in pages, each term of oom_badness separately. */
export interface ProcessPages {
  readonly anon: number;
  readonly file: number;
  readonly shmem: number;
  readonly swap: number;
  readonly pageTables: number;
}

export function processPages(p: ProcessInfo, pageSize: number): ProcessPages {
  return {
    anon: bytesToPages(p.rssAnon, pageSize),
    file: bytesToPages(p.rssFile, pageSize),
    shmem: bytesToPages(p.rssShmem, pageSize),
    swap: bytesToPages(p.swap, pageSize),
    pageTables: pageTablePages(p.pageTables, pageSize),
  };
}

/** Bytes as MiB for people: at most two decimals, trailing zeros dropped ("512 MiB", "0.5 MiB"). */
export function formatMiB(bytes: number): string {
  return `${Number((bytes / MIB).toFixed(2))} MiB`;
}

/** "131072 pages (512 MiB)". */
export function describePages(pages: number, pageSize: number): string {
  return `${pages} pages (${formatMiB(pages * pageSize)})`;
}
