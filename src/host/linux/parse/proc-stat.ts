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

/** Parses data[0, length); null when the text is not a stat line (no parentheses or fields missing). */
export function parseProcStat(data: Uint8Array | string, length?: number): ProcStat | null {
  const bytes = asBytes(data);
  const end = length ?? bytes.length;
  const open = indexOfByte(bytes, OPEN, 0, end);
  let close = -1;
  for (let i = end - 1; i > open; i--) {
    if (bytes[i] === CLOSE) {
      close = i;
      break;
    }
  }
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
    comm: Buffer.from(bytes.buffer, bytes.byteOffset + open + 1, close - open - 1).toString('utf8'),
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
