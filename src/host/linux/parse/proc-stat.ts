// /proc/PID/stat: `pid (comm) state ppid pgrp session tty tpgid flags ...`. The comm may itself hold
// `)`, `(`, spaces and newlines, so it runs from the FIRST '(' to the LAST ')'; the numbered fields
// (man 5 proc) follow the last ')'.
import { asBytes, indexOfByte, intAt } from './bytes.js';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  /** Field 3. */
  readonly state: string;
  readonly ppid: number;
  readonly pgrp: number;
  readonly session: number;
  /** Field 9. */
  readonly flags: number;
  readonly utime: number;
  readonly stime: number;
  readonly nice: number;
  readonly numThreads: number;
  /** Field 22, clock ticks after boot. */
  readonly startTime: number;
  /** Field 23, bytes. */
  readonly vsize: number;
}

const OPEN = 0x28;
const CLOSE = 0x29;
const LAST_FIELD = 23;

/** The bytes and text of the last comm decoded: processes that share a name (workers, shells) share it. */
const lastCommBytes = new Uint8Array(64);
let lastCommLength = -1;
let lastComm = '';

/** UTF-8 text of data[start, end): the last one again when the bytes are the same, else decoded in place. */
function commAt(data: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n === lastCommLength) {
    let same = true;
    for (let k = 0; k < n; k++) {
      if (data[start + k] !== lastCommBytes[k]) {
        same = false;
        break;
      }
    }
    if (same) return lastComm;
  }
  const text = Buffer.isBuffer(data)
    ? data.toString('utf8', start, end)
    : Buffer.from(data.buffer, data.byteOffset + start, n).toString('utf8');
  if (n <= lastCommBytes.length) {
    for (let k = 0; k < n; k++) lastCommBytes[k] = data[start + k] as number;
    lastCommLength = n;
    lastComm = text;
  }
  return text;
}

/** A DataView on the last buffer parsed: the host parses every stat in one reused buffer. */
let lastBytes: Uint8Array | null = null;
let lastView: DataView = new DataView(new ArrayBuffer(0));

/**
 * Index of the last ')' in data(open, end), or -1. Some 250 bytes of numbers follow the comm, so it steps back
 * four bytes at a time while none of them is a ')' (x has a zero byte iff (x − 0x01010101) & ~x & 0x80808080).
 */
function lastClose(data: Uint8Array, open: number, end: number): number {
  if (data !== lastBytes) {
    lastBytes = data;
    lastView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  const view = lastView;
  let i = end;
  while (i - 4 > open) {
    const x = view.getUint32(i - 4, true) ^ 0x29292929;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
    i -= 4;
  }
  for (i--; i > open; i--) if (data[i] === CLOSE) return i;
  return -1;
}

/** Parses data[0, length); null when the text is not a stat line (no parentheses or fields missing). */
export function parseProcStat(data: Uint8Array | string, length?: number): ProcStat | null {
  const bytes = asBytes(data);
  const end = Math.min(length ?? bytes.length, bytes.length);
  const open = indexOfByte(bytes, OPEN, 0, end);
  const close = lastClose(bytes, open, end);
  if (open === end || close < 0 || close + 2 >= end) return null;
  const pid = intAt(bytes, 0, open);
  const stateByte = bytes[close + 2] as number;
  let ppid = Number.NaN;
  let pgrp = Number.NaN;
  let session = Number.NaN;
  let flags = Number.NaN;
  let utime = Number.NaN;
  let stime = Number.NaN;
  let nice = Number.NaN;
  let numThreads = Number.NaN;
  let startTime = Number.NaN;
  let vsize = Number.NaN;
  // Field 3 (state) starts at close + 2; walk the space-separated fields after it.
  let field = 4;
  let i = indexOfByte(bytes, 0x20, close + 2, end) + 1;
  while (field <= LAST_FIELD && i < end) {
    const next = indexOfByte(bytes, 0x20, i, end);
    switch (field) {
      case 4:
        ppid = intAt(bytes, i, next);
        break;
      case 5:
        pgrp = intAt(bytes, i, next);
        break;
      case 6:
        session = intAt(bytes, i, next);
        break;
      case 9:
        flags = intAt(bytes, i, next);
        break;
      case 14:
        utime = intAt(bytes, i, next);
        break;
      case 15:
        stime = intAt(bytes, i, next);
        break;
      case 19:
        nice = intAt(bytes, i, next);
        break;
      case 20:
        numThreads = intAt(bytes, i, next);
        break;
      case 22:
        startTime = intAt(bytes, i, next);
        break;
      case 23:
        vsize = intAt(bytes, i, next);
        break;
    }
    field++;
    i = next + 1;
  }
  if (field <= LAST_FIELD || Number.isNaN(pid) || Number.isNaN(vsize)) return null;
  return {
    pid,
    comm: commAt(bytes, open + 1, close),
    state: String.fromCharCode(stateByte),
    ppid,
    pgrp,
    session,
    flags,
    utime,
    stime,
    nice,
    numThreads,
    startTime,
    vsize,
  };
}
