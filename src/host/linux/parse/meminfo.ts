// /proc/meminfo: `Key:   value kB` lines. Values are kB (KiB) and become bytes. Parsed from the bytes in
// place: the daemon reads this file at every look, and strings per line were most of an idle look's garbage.
import type { MemInfo } from '../../../model/snapshot.js';
import { asBytes, bytesEqual, indexOfByte, intAt } from './bytes.js';

/** The keys kept, in the order of the kB values below. */
const KEYS = [
  'MemTotal',
  'MemFree',
  'MemAvailable',
  'Buffers',
  'Cached',
  'SwapCached',
  'Active(anon)',
  'Inactive(anon)',
  'Active(file)',
  'Inactive(file)',
  'AnonPages',
  'Shmem',
  'SReclaimable',
  'SUnreclaim',
  'SwapTotal',
  'SwapFree',
  'CommitLimit',
  'Committed_AS',
  'Hugetlb',
] as const;

/** Parses /proc/meminfo (text or its bytes); null when there is no MemTotal line (not a meminfo file). */
export function parseMeminfo(input: Uint8Array | string, length?: number): MemInfo | null {
  const data = asBytes(input);
  const end = length ?? data.length;
  // NaN: the key was not seen. A later line with the same key wins, as in a map.
  const kb: number[] = KEYS.map(() => Number.NaN);
  for (let start = 0; start < end; ) {
    const lineEnd = indexOfByte(data, 0x0a, start, end);
    const colon = indexOfByte(data, 0x3a, start, lineEnd);
    if (colon > start && colon < lineEnd) {
      for (let k = 0; k < KEYS.length; k++) {
        if (!bytesEqual(data, start, colon, KEYS[k] as string)) continue;
        const value = intAt(data, colon + 1, lineEnd);
        if (Number.isFinite(value)) kb[k] = value;
        break;
      }
    }
    start = lineEnd + 1;
  }
  const at = (k: number): number => kb[k] as number;
  if (Number.isNaN(at(0))) return null;
  const bytes = (k: number): number => (Number.isNaN(at(k)) ? 0 : at(k) * 1024);
  return {
    memTotal: at(0) * 1024,
    memFree: bytes(1),
    memAvailable: Number.isNaN(at(2)) ? null : at(2) * 1024,
    buffers: bytes(3),
    cached: bytes(4),
    swapCached: bytes(5),
    activeAnon: bytes(6),
    inactiveAnon: bytes(7),
    activeFile: bytes(8),
    inactiveFile: bytes(9),
    anonPages: bytes(10),
    shmem: bytes(11),
    sReclaimable: bytes(12),
    sUnreclaim: bytes(13),
    swapTotal: bytes(14),
    swapFree: bytes(15),
    commitLimit: bytes(16),
    committedAs: bytes(17),
    hugetlb: bytes(18),
  };
}
