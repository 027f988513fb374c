// /proc/PID/status: `Key:\tvalue` lines. Sizes are kB and become bytes. Kernel threads and zombies have
// no Vm*/Rss* lines at all: their threads no longer own an mm.
import { asBytes, bytesEqual, indexOfByte, intAt } from './bytes.js';

export interface ProcStatus {
  /** Real and effective uid. */
  readonly uid: number;
  readonly euid: number;
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
  readonly vmSwap: number;
  readonly vmPte: number;
  /** `Kthread:` line (6.x kernels); null where the kernel does not print it. */
  readonly kthread: boolean | null;
  readonly capEff: bigint;
  /** Whether any Vm* line exists, i.e. the task still has an mm. */
  readonly hasMm: boolean;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Hex number at data[start, end) as bigint, built from two 32-bit halves to stay exact. */
function hexAt(data: Uint8Array, start: number, end: number): bigint {
  let i = start;
  while (i < end && (data[i] === 0x20 || data[i] === 0x09)) i++;
  let high = 0;
  let low = 0;
  for (; i < end; i++) {
    const d = hexDigit(data[i] as number);
    if (d < 0) break;
    // Shift the 64-bit (high, low) pair left by one hex digit.
    high = ((high * 16) % 0x100000000) + Math.trunc(low / 0x10000000);
    low = (low % 0x10000000) * 16 + d;
  }
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Parses data[0, length); null when there is no Uid line (not a status file, or an empty read). */
export function parseProcStatus(data: Uint8Array | string, length?: number): ProcStatus | null {
  const bytes = asBytes(data);
  const end = length ?? bytes.length;
  let uid = Number.NaN;
  let euid = Number.NaN;
  let rssAnon = 0;
  let rssFile = 0;
  let rssShmem = 0;
  let vmSwap = 0;
  let vmPte = 0;
  let kthread: boolean | null = null;
  let capEff = 0n;
  let hasMm = false;
  let line = 0;
  while (line < end) {
    const eol = indexOfByte(bytes, 0x0a, line, end);
    const colon = indexOfByte(bytes, 0x3a, line, eol);
    if (colon < eol) {
      const v = colon + 1;
      if (bytes[line] === 0x56 && bytes[line + 1] === 0x6d) {
        // Vm*
        hasMm = true;
        if (bytesEqual(bytes, line, colon, 'VmSwap')) vmSwap = intAt(bytes, v, eol) * 1024;
        else if (bytesEqual(bytes, line, colon, 'VmPTE')) vmPte = intAt(bytes, v, eol) * 1024;
      } else if (bytesEqual(bytes, line, colon, 'Uid')) {
        uid = intAt(bytes, v, eol);
        let second = v;
        while (second < eol && (bytes[second] === 0x09 || bytes[second] === 0x20)) second++;
        second = indexOfByte(bytes, 0x09, second, eol);
        euid = intAt(bytes, second, eol);
      } else if (bytesEqual(bytes, line, colon, 'RssAnon')) rssAnon = intAt(bytes, v, eol) * 1024;
      else if (bytesEqual(bytes, line, colon, 'RssFile')) rssFile = intAt(bytes, v, eol) * 1024;
      else if (bytesEqual(bytes, line, colon, 'RssShmem')) rssShmem = intAt(bytes, v, eol) * 1024;
      else if (bytesEqual(bytes, line, colon, 'Kthread')) kthread = intAt(bytes, v, eol) === 1;
      else if (bytesEqual(bytes, line, colon, 'CapEff')) capEff = hexAt(bytes, v, eol);
    }
    line = eol + 1;
  }
  if (Number.isNaN(uid) || Number.isNaN(euid)) return null;
  return { uid, euid, rssAnon, rssFile, rssShmem, vmSwap, vmPte, kthread, capEff, hasMm };
}
