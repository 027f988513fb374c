// /proc/PID/status: `Key:\tvalue` lines. Sizes are kB and become bytes. Kernel threads and zombies have
// no Vm*/Rss* lines at all: their threads no longer own an mm.
//
// A full scan parses one status per process, so this is a single pass over the bytes that looks at a line's
// first byte to pick the few keys it needs and skips every other line unread, and it stops after CapEff:
// the kernel prints the lines in a fixed order (fs/proc/array.c: task_state, task_mem, task_sig, task_cap,
// then seccomp, cpus, mems and context switches), and nothing it needs comes after CapEff.
import { asBytes } from './bytes.js';

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

const TAB = 0x09;
const NL = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The last CapEff parsed: most processes share one mask, and a bigint costs an allocation or three. */
let lastCapHigh = 0;
let lastCapLow = 0;
let lastCap = 0n;

/**
 * Hex number at data[start, end) as bigint, its lowest 64 bits when it has more digits: the digits before the
 * last 8 make the high half, the last 8 the low one, each exact in a double.
 */
function hexAt(data: Uint8Array, start: number, end: number): bigint {
  let i = start;
  while (i < end && (data[i] === SPACE || data[i] === TAB)) i++;
  const from = i;
  while (i < end && hexDigit(data[i] as number) >= 0) i++;
  const split = Math.max(from, i - 8);
  let high = 0;
  for (let k = Math.max(from, i - 16); k < split; k++) high = high * 16 + hexDigit(data[k] as number);
  let low = 0;
  for (let k = split; k < i; k++) low = low * 16 + hexDigit(data[k] as number);
  if (high !== lastCapHigh || low !== lastCapLow) {
    lastCapHigh = high;
    lastCapLow = low;
    lastCap = (BigInt(high) << 32n) | BigInt(low);
  }
  return lastCap;
}

/** Index of the first `byte` in data[start, end), or end. */
function find(data: Uint8Array, byte: number, start: number, end: number): number {
  let i = start;
  while (i < end && data[i] !== byte) i++;
  return i;
}

/**
 * The number at data[start, end) after blanks, as intAt reads it (digits up to the first non-digit; NaN when
 * there is none); unsigned, as every number status holds that is read here.
 */
function numberAt(data: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end && (data[i] === SPACE || data[i] === TAB)) i++;
  let value = 0;
  const first = i;
  for (; i < end; i++) {
    const c = data[i] as number;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return i === first ? Number.NaN : value;
}

/** A DataView on the last buffer parsed: the host parses every status in one reused buffer. */
let lastBytes: Uint8Array | null = null;
let lastView: DataView = new DataView(new ArrayBuffer(0));

function viewOf(data: Uint8Array): DataView {
  if (data !== lastBytes) {
    lastBytes = data;
    lastView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  return lastView;
}

/**
 * Index of the first newline in data[start, end), or end. Four bytes a step while no byte of them is a newline
 * (x has a zero byte iff (x − 0x01010101) & ~x & 0x80808080), then byte by byte: a status is some 45 lines.
 */
function newlineAt(data: Uint8Array, view: DataView, start: number, end: number): number {
  let i = start;
  while (i + 4 <= end) {
    const x = view.getUint32(i, true) ^ 0x0a0a0a0a;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    i += 4;
  }
  while (i < end && data[i] !== NL) i++;
  return i;
}

/** True when data[at, ...) holds `key` followed by ':' (key given as char codes), within end. */
function keyIs(data: Uint8Array, at: number, end: number, key: readonly number[]): boolean {
  const n = key.length;
  if (at + n >= end || data[at + n] !== COLON) return false;
  for (let k = 0; k < n; k++) if (data[at + k] !== key[k]) return false;
  return true;
}

const codes = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const UID = codes('Uid');
const VM_SWAP = codes('VmSwap');
const VM_PTE = codes('VmPTE');
const RSS_ANON = codes('RssAnon');
const RSS_FILE = codes('RssFile');
const RSS_SHMEM = codes('RssShmem');
const KTHREAD = codes('Kthread');
const CAP_EFF = codes('CapEff');

/** Parses data[0, length); null when there is no Uid line (not a status file, or an empty read). */
export function parseProcStatus(data: Uint8Array | string, length?: number): ProcStatus | null {
  const bytes = asBytes(data);
  const end = Math.min(length ?? bytes.length, bytes.length);
  const view = viewOf(bytes);
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
    const first = bytes[line];
    let eol = -1;
    if (first === 0x56 /* V */) {
      if (bytes[line + 1] === 0x6d /* m */) {
        eol = newlineAt(bytes, view, line, end);
        // Vm*: any such line with a key means an mm.
        if (find(bytes, COLON, line, eol) < eol) {
          hasMm = true;
          if (keyIs(bytes, line, eol, VM_SWAP)) vmSwap = numberAt(bytes, line + 7, eol) * 1024;
          else if (keyIs(bytes, line, eol, VM_PTE)) vmPte = numberAt(bytes, line + 6, eol) * 1024;
        }
      }
    } else if (first === 0x52 /* R */) {
      eol = newlineAt(bytes, view, line, end);
      if (keyIs(bytes, line, eol, RSS_ANON)) rssAnon = numberAt(bytes, line + 8, eol) * 1024;
      else if (keyIs(bytes, line, eol, RSS_FILE)) rssFile = numberAt(bytes, line + 8, eol) * 1024;
      else if (keyIs(bytes, line, eol, RSS_SHMEM)) rssShmem = numberAt(bytes, line + 9, eol) * 1024;
    } else if (first === 0x55 /* U */) {
      eol = newlineAt(bytes, view, line, end);
      if (keyIs(bytes, line, eol, UID)) {
        uid = numberAt(bytes, line + 4, eol);
        // The second tab-separated value, after the first's digits.
        let second = line + 4;
        while (second < eol && (bytes[second] === TAB || bytes[second] === SPACE)) second++;
        second = find(bytes, TAB, second, eol);
        euid = second < eol ? numberAt(bytes, second, eol) : Number.NaN;
      }
    } else if (first === 0x4b /* K */) {
      eol = newlineAt(bytes, view, line, end);
      if (keyIs(bytes, line, eol, KTHREAD)) kthread = numberAt(bytes, line + 8, eol) === 1;
    } else if (first === 0x43 /* C */) {
      eol = newlineAt(bytes, view, line, end);
      if (keyIs(bytes, line, eol, CAP_EFF)) {
        capEff = hexAt(bytes, line + 7, eol);
        if (!Number.isNaN(uid)) break; // the rest of the file holds nothing read here
      }
    }
    if (eol < 0) eol = newlineAt(bytes, view, line, end);
    line = eol + 1;
  }
  if (Number.isNaN(uid) || Number.isNaN(euid)) return null;
  return { uid, euid, rssAnon, rssFile, rssShmem, vmSwap, vmPte, kthread, capEff, hasMm };
}
