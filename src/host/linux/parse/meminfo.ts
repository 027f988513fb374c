// /proc/meminfo: `Key:   value kB` lines. Values are kB (KiB) and become bytes.
import type { MemInfo } from '../../../model/snapshot.js';

/** Parses /proc/meminfo; null when there is no MemTotal line (not a meminfo file). */
export function parseMeminfo(text: string): MemInfo | null {
  const kb = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = Number.parseInt(line.slice(colon + 1), 10);
    if (Number.isFinite(value)) kb.set(line.slice(0, colon), value);
  }
  const memTotal = kb.get('MemTotal');
  if (memTotal === undefined) return null;
  const bytes = (key: string): number => (kb.get(key) ?? 0) * 1024;
  const available = kb.get('MemAvailable');
  return {
    memTotal: memTotal * 1024,
    memFree: bytes('MemFree'),
    memAvailable: available === undefined ? null : available * 1024,
    buffers: bytes('Buffers'),
    cached: bytes('Cached'),
    swapCached: bytes('SwapCached'),
    activeAnon: bytes('Active(anon)'),
    inactiveAnon: bytes('Inactive(anon)'),
    activeFile: bytes('Active(file)'),
    inactiveFile: bytes('Inactive(file)'),
    anonPages: bytes('AnonPages'),
    shmem: bytes('Shmem'),
    sReclaimable: bytes('SReclaimable'),
    sUnreclaim: bytes('SUnreclaim'),
    swapTotal: bytes('SwapTotal'),
    swapFree: bytes('SwapFree'),
    commitLimit: bytes('CommitLimit'),
    committedAs: bytes('Committed_AS'),
    hugetlb: bytes('Hugetlb'),
  };
}
