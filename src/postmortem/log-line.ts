// One line of a kernel log as dmesg, dmesg -T, dmesg -r/-x, journalctl -k or a syslog file prints it: the
// prefixes those tools add are stripped so the parser sees only the kernel's own text. Pure.

export interface LogLine {
  /** 1-based line number in the input. */
  readonly lineNo: number;
  /** The host from a syslog/journal prefix; null for dmesg output (one host). */
  readonly host: string | null;
  /** The timestamp as printed ("1281.927874", "Mon Dec  8 17:51:31 2025", "Apr 18 02:17:55"); null without one. */
  readonly stamp: string | null;
  /** Seconds since boot when the line carries a monotonic [ 123.456] stamp. */
  readonly seconds: number | null;
  /** The kernel's message with the prefixes removed (leading blanks kept: Mem-Info continues with them). */
  readonly text: string;
  /** false for a syslog/journal line from another program than the kernel: it is not part of any report. */
  readonly fromKernel: boolean;
}

// The s flag: a message may hold U+2028/U+2029 (a task name), which `.` would not match.
// "Apr 18 02:17:55 mdw kernel: ..." (journalctl short, syslog), also with microseconds (short-precise).
const SYSLOG = /^([A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?(.*)$/s;
// "2024-01-02T03:04:05+0000 host kernel: ..." (journalctl -o short-iso / short-iso-precise, rsyslog RFC 3339).
const ISO =
  /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (\S+) ([^\s:[]+)(?:\[\d+\])?: ?(.*)$/s;
// dmesg -x: "kern  :warn  : ..."
const FACILITY = /^[a-z]+ *:[a-z]+ *: /;
// dmesg -r: "<4>"
const RAW_PRIORITY = /^<\d+>/;
// "[ 1281.927874] " and an optional caller id "[  T1234] " / "[T1234] " (CONFIG_PRINTK_CALLER).
const MONOTONIC = /^\[ *(\d+\.\d+)\](?:\[ *[TC]\d+\])? ?/;
// dmesg -T: "[Mon Dec  8 17:51:31 2025] "
const WALL = /^\[([A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})\] ?/;

/** Strips the prefixes of one line; `previousHost` is the host of the line before (unprefixed lines continue it). */
export function parseLogLine(raw: string, lineNo: number, previousHost: string | null): LogLine {
  let text = raw.replace(/\r$/, '');
  let host: string | null = previousHost;
  let stamp: string | null = null;
  let seconds: number | null = null;
  let fromKernel = true;

  const sys = SYSLOG.exec(text) ?? ISO.exec(text);
  if (sys) {
    stamp = sys[1] ?? null;
    host = sys[2] ?? null;
    fromKernel = sys[3] === 'kernel';
    text = sys[4] ?? '';
  }
  text = text.replace(FACILITY, '').replace(RAW_PRIORITY, '');
  const mono = MONOTONIC.exec(text);
  if (mono) {
    stamp ??= mono[1] ?? null;
    seconds = Number(mono[1]);
    text = text.slice(mono[0].length);
  } else {
    const wall = WALL.exec(text);
    if (wall) {
      stamp ??= wall[1] ?? null;
      text = text.slice(wall[0].length);
    }
  }
  return { lineNo, host, stamp, seconds, text, fromKernel };
}
