// Finds and decodes the kernel's OOM reports in a log. A report starts at "invoked oom-killer" and is
// complete once the kernel says whom it killed (or why it killed nobody); the reaper's line, which comes
// later, joins the report whose victim it names. Reports of different hosts in one merged syslog are kept
// apart. Fragments without their beginning (a log that starts mid-report, a rate-limited header) become
// partial reports of their own: nothing is ever attached to a report it does not belong to. Pure.
import { type LogLine, parseLogLine } from './log-line.js';
import type {
  KilledProcess,
  MemcgSummary,
  MemInfoSummary,
  OomConstraintLine,
  OomReport,
  PageCounterLine,
  TaskRow,
  TaskTableLayout,
  ZoneSummary,
} from './report.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

// Patterns that capture names use the s flag: a task name may hold U+2028/U+2029, which `.` skips otherwise
// (lines are already split on newlines, so the flag changes nothing else).
const INVOKED =
  /^(.*) invoked oom-killer: gfp_mask=(0x[0-9a-f]+)(?:\(([^)]*)\))?,(?: nodemask=([^,]*),)?\s*order=(-?\d+),(?: oom_adj=-?\d+,)? oom_score_adj=(-?\d+)/s;
const CPU_LINE =
  /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: .*? (?:Not tainted|Tainted: [A-Z ]*?) +(?:-+ +)?(\d+\.\d+\S*) #/s;
const CPUSET_LINE = /^(.*) cpuset=(\S*) mems_allowed=(\S*)$/s;
const TASK_IN = /^Task in (\S+) killed as a result of limit of (\S+)/;
const COUNTER = /^(memory|memory\+swap|swap|kmem): usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/;
const STATS_FOR = /^Memory cgroup stats for (\S*?):(.*)$/s;
const STAT_LINE = /^(\w+) (\d+)$/;
// The constraint line is taken apart with indexOf, not one regex: cgroup paths and comms may hold commas and
// key names, and a pattern of several `.*?` groups backtracks for minutes on a few KB of such text.
const CONSTRAINT_HEAD = /^oom-kill:constraint=([^,]+),nodemask=/;
const CONSTRAINT_TAIL = /,pid=(\d+),uid=(\d+)\s*$/;
const MEMINFO_LINE =
  /^(?:Mem-Info:$|\s*(?:active_anon|active_file|unevictable|slab_reclaimable|mapped|free|kernel_misc_reclaimable|sec_pagetables):\d+)/;
const ZONE = /^Node (\d+) (\w+) free:(\d+)kB/;
const LOWMEM = /^lowmem_reserve\[\]:((?: +\d+)*)\s*$/;
const PAGES_LINE =
  /^(\d+) (pages RAM|pages HighMem\/MovableOnly|pages reserved|pages cma reserved|total pagecache pages)$/;
const SWAP_LINE = /^(Free swap|Total swap) += (-?\d+)kB$/;
const TABLE_HEADER = /^\[ *pid *\] +(.*\bname)\s*$/s;
const TABLE_ROW = /^\[ *(\d+)\] +(.*)$/s;
const SELECTED = /^(.*?): ?Kill process (\d+) \((.*)\) score (\d+) or sacrifice child/s;
const KILLED =
  /^(?:(.*?): ?)?Killed process (\d+)(?:, UID (\d+),)? \((.*)\)(?:,? UID (\d+),)? total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?(?:, UID:(\d+) pgtables:(\d+)kB oom_score_adj:(-?\d+))?/s;
const REAPED =
  /^oom_reaper: reaped process (\d+) \((.*)\), now anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/s;
const OOM_GROUP = /^Tasks in (\S+) are going to be killed due to memory\.oom\.group set/;
const NO_KILL =
  /^(Out of memory and no killable processes\.\.\.|Kernel panic - not syncing: .*|Out of memory: .*panic_on_oom.*|.*: OOM victim \d+ \(.*\) is already exiting\. Skip killing the task)$/s;

type Section = 'header' | 'memcg-stats' | 'tasks' | 'killed';

interface Builder {
  report: Mutable<OomReport>;
  memcg: Mutable<MemcgSummary> | null;
  memInfo: Mutable<MemInfoSummary> | null;
  stats: Record<string, number>;
  counters: Record<string, number>;
  zones: Mutable<ZoneSummary>[];
  tasks: TaskRow[];
  problems: string[];
  killed: KilledProcess[];
  section: Section;
  /** The table's numeric columns after the pid, in order. */
  columns: string[];
  /** Complete: the kernel said whom it killed or why it killed nobody. */
  done: boolean;
}

/** Feeds lines one at a time; reports come out as they complete (for live use) and all at the end. */
export class OomReportAssembler {
  private readonly all: Builder[] = [];
  /** Per host: the report still being read, or the last complete one (for the reaper's line). */
  private readonly current = new Map<string, Builder>();
  private readonly justCompleted: Builder[] = [];
  private lineNo = 0;
  private count = 0;
  private previousHost: string | null = null;

  /** `retain`: how many reports to keep for finish() and late reaper lines (a live reader keeps few). */
  constructor(private readonly retain = Number.POSITIVE_INFINITY) {}

  /** One raw line of dmesg / journalctl / syslog output. */
  feed(raw: string): void {
    const line = parseLogLine(raw, ++this.lineNo, this.previousHost);
    this.previousHost = line.host;
    if (!line.fromKernel) return;
    this.feedLine(line);
  }

  /** Lines were lost here (a reader fell behind the ring buffer): a report being read cannot be trusted whole. */
  noteGap(what: string): void {
    for (const b of this.current.values()) if (!b.done) b.problems.push(what);
  }

  /** Reports that became complete since the last call, in order. */
  takeCompleted(): OomReport[] {
    return this.justCompleted.splice(0).map(freeze);
  }

  /** Every report of the input in order; those without an end are marked partial. */
  finish(): OomReport[] {
    for (const b of this.all) {
      if (!b.done) b.problems.push('the log ends before the kernel said whom it killed');
    }
    return this.all.map(freeze);
  }

  private feedLine(line: LogLine): void {
    const key = line.host ?? '';
    const text = line.text;
    const invoked = INVOKED.exec(text);
    if (invoked) {
      const open = this.current.get(key);
      if (open && !open.done)
        open.problems.push(
          `a new OOM report begins at line ${line.lineNo} before this one said whom it killed`,
        );
      const b = this.start(line, key);
      b.report.trigger = {
        comm: invoked[1] ?? '',
        gfpMask: invoked[2] ?? '',
        gfpFlags: invoked[3] ?? null,
        nodemask: invoked[4] ?? null,
        order: Number(invoked[5]),
        oomScoreAdj: Number(invoked[6]),
      };
      return;
    }
    const trimmed = text.trim();
    const open = this.current.get(key);
    const reaped = REAPED.exec(trimmed);
    if (reaped) {
      // The reaper runs seconds after the kill, possibly during the next report: it joins the report that
      // killed this pid on this host, and nothing else.
      const pid = Number(reaped[1]);
      const owner = [...this.all]
        .reverse()
        .find((b) => (b.report.host ?? '') === key && b.killed.some((k) => k.pid === pid));
      if (owner && owner.report.reaped === null) {
        owner.report.reaped = reapedFrom(reaped);
        owner.report.lastLine = line.lineNo;
        return;
      }
      if (open && !open.done) return;
    }
    if (open && !open.done) {
      this.feedOpen(open, line, trimmed);
      return;
    }
    if (open?.done && open.report.oomGroup !== null) {
      const k = KILLED.exec(trimmed);
      if (k) {
        open.killed.push(killedFrom(k));
        open.report.lastLine = line.lineNo;
        return;
      }
    }
    if (isFragment(trimmed)) {
      const b = this.start(line, key);
      b.problems.push(
        `the beginning of the report is missing: the log starts or resumes mid-report at line ${line.lineNo}`,
      );
      if (reaped) {
        b.report.reaped = reapedFrom(reaped);
        b.done = true;
      } else this.feedOpen(b, line, trimmed);
    }
  }

  private start(line: LogLine, key: string): Builder {
    const b: Builder = {
      report: {
        index: this.count++,
        host: line.host,
        firstLine: line.lineNo,
        lastLine: line.lineNo,
        stamp: line.stamp,
        seconds: line.seconds,
        partial: false,
        problems: [],
        trigger: null,
        invokingPid: null,
        kernelVersion: null,
        cpuset: null,
        memsAllowed: null,
        constraint: null,
        memcg: null,
        memInfo: null,
        taskTable: null,
        tasks: [],
        selected: null,
        killed: [],
        oomGroup: null,
        reaped: null,
        noKill: null,
      },
      memcg: null,
      memInfo: null,
      stats: {},
      counters: {},
      zones: [],
      tasks: [],
      problems: [],
      killed: [],
      section: 'header',
      columns: [],
      done: false,
    };
    this.all.push(b);
    if (this.all.length > this.retain) this.all.shift();
    this.current.set(key, b);
    return b;
  }

  private complete(b: Builder): void {
    b.done = true;
    b.section = 'killed';
    this.justCompleted.push(b);
  }

  /** A line of a report still being read. Lines the report does not know (stack dumps, other drivers) pass by. */
  private feedOpen(b: Builder, line: LogLine, text: string): void {
    const r = b.report;
    const known = (): void => {
      r.lastLine = line.lineNo;
    };

    if (b.section === 'tasks') {
      const row = TABLE_ROW.exec(text);
      if (row) {
        const parsed = parseRow(Number(row[1]), row[2] ?? '', b.columns);
        if (parsed) b.tasks.push(parsed);
        else b.problems.push(`task table row at line ${line.lineNo} could not be read: "${text}"`);
        known();
        return;
      }
      b.section = 'header';
    }

    // The first handler whose pattern matches and which accepts the line (does not return false) takes it.
    const handlers: [RegExp, (m: RegExpExecArray) => boolean | undefined][] = [
      [
        CPU_LINE,
        (m) => {
          if (r.invokingPid !== null) return false;
          r.invokingPid = Number(m[1]);
          r.kernelVersion = m[2] ?? null;
          return undefined;
        },
      ],
      [
        TASK_IN,
        (m) => {
          const memcg = ensureMemcg(b);
          memcg.taskIn = m[1] ?? null;
          memcg.limitOf = m[2] ?? null;
          return undefined;
        },
      ],
      [
        COUNTER,
        (m) => {
          const memcg = ensureMemcg(b);
          const counter: PageCounterLine = {
            usageKb: Number(m[2]),
            limitKb: Number(m[3]),
            failcnt: Number(m[4]),
          };
          if (m[1] === 'memory') memcg.memory = counter;
          else if (m[1] === 'memory+swap') memcg.memsw = counter;
          else if (m[1] === 'swap') memcg.swap = counter;
          else memcg.kmem = counter;
          return undefined;
        },
      ],
      [
        STATS_FOR,
        (m) => {
          const memcg = ensureMemcg(b);
          // 4.x prints one "stats for" line per cgroup of the subtree; the first is the OOM memcg's.
          if (memcg.statsFor !== null) {
            b.section = 'header';
            return undefined;
          }
          memcg.statsFor = m[1] ?? null;
          for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+):(\d+)KB/g)) b.stats[k ?? ''] = Number(v) * 1024;
          b.section = 'memcg-stats';
          return undefined;
        },
      ],
      [
        STAT_LINE,
        (m) => {
          if (b.section !== 'memcg-stats') return false;
          b.stats[m[1] ?? ''] = Number(m[2]);
          return undefined;
        },
      ],
      [
        MEMINFO_LINE,
        () => {
          ensureMemInfo(b);
          for (const [, k, v] of text.matchAll(/(\w+):(\d+)\b(?!kB)/g)) b.counters[k ?? ''] = Number(v);
          return undefined;
        },
      ],
      [
        ZONE,
        (m) => {
          ensureMemInfo(b);
          const kb = (key: string): number =>
            Number(new RegExp(`\\b${key}:(\\d+)kB`).exec(text)?.[1] ?? Number.NaN);
          b.zones.push({
            node: Number(m[1]),
            zone: m[2] ?? '',
            freeKb: Number(m[3]),
            minKb: kb('min'),
            lowKb: kb('low'),
            highKb: kb('high'),
            presentKb: kb('present'),
            managedKb: kb('managed'),
            lowmemReserve: [],
          });
          return undefined;
        },
      ],
      [
        LOWMEM,
        (m) => {
          const zone = b.zones[b.zones.length - 1];
          if (zone) zone.lowmemReserve = (m[1] ?? '').trim().split(/ +/).filter(Boolean).map(Number);
          return undefined;
        },
      ],
      [
        PAGES_LINE,
        (m) => {
          const info = ensureMemInfo(b);
          const n = Number(m[1]);
          if (m[2] === 'pages RAM') info.ramPages = n;
          else if (m[2] === 'pages reserved') info.reservedPages = n;
          else if (m[2] === 'pages cma reserved') info.cmaReservedPages = n;
          else if (m[2] === 'total pagecache pages') info.pagecachePages = n;
          else info.highmemPages = n;
          return undefined;
        },
      ],
      [
        SWAP_LINE,
        (m) => {
          const info = ensureMemInfo(b);
          if (m[1] === 'Free swap') info.freeSwapKb = Number(m[2]);
          else info.totalSwapKb = Number(m[2]);
          return undefined;
        },
      ],
      [
        TABLE_HEADER,
        (m) => {
          b.columns = (m[1] ?? '').split(/\s+/).filter((c) => c !== 'name');
          r.taskTable = { layout: layoutOf(b.columns), columns: ['pid', ...b.columns, 'name'] };
          b.section = 'tasks';
          return undefined;
        },
      ],
      [
        CPUSET_LINE,
        (m) => {
          if (r.cpuset !== null) return false;
          r.cpuset = m[2] ?? null;
          r.memsAllowed = m[3] ?? null;
          return undefined;
        },
      ],
      [
        SELECTED,
        (m) => {
          r.selected = { context: m[1] ?? '', pid: Number(m[2]), comm: m[3] ?? '', score: Number(m[4]) };
          return undefined;
        },
      ],
      [
        OOM_GROUP,
        (m) => {
          r.oomGroup = m[1] ?? null;
          return undefined;
        },
      ],
      [
        KILLED,
        (m) => {
          b.killed.push(killedFrom(m));
          this.complete(b);
          return undefined;
        },
      ],
      [
        NO_KILL,
        (m) => {
          r.noKill = m[1] ?? text;
          this.complete(b);
          return undefined;
        },
      ],
    ];
    const constraint = parseConstraint(text);
    if (constraint !== null) {
      r.constraint = constraint;
      known();
      return;
    }
    for (const [pattern, handle] of handlers) {
      const m = pattern.exec(text);
      if (m && handle(m) !== false) {
        known();
        return;
      }
    }
  }
}

/** Every OOM report in a log, in order. */
export function parseOomReports(text: string): OomReport[] {
  const assembler = new OomReportAssembler();
  for (const line of text.split('\n')) assembler.feed(line);
  return assembler.finish();
}

/** A line that can only come from inside an OOM report, so seeing it alone means the report's start is missing. */
function isFragment(text: string): boolean {
  return (
    parseConstraint(text) !== null ||
    KILLED.test(text) ||
    SELECTED.test(text) ||
    TABLE_HEADER.test(text) ||
    TASK_IN.test(text) ||
    REAPED.test(text) ||
    text === 'Mem-Info:' ||
    /^memory: usage \d+kB, limit \d+kB/.test(text)
  );
}

/**
 * "oom-kill:constraint=C,nodemask=N[,cpuset=S,mems_allowed=M],(global_oom|oom_memcg=P),task_memcg=T,task=X,pid=D,uid=U",
 * each variable part ending at the first key that can follow it (the task name is the rest); null for other lines.
 * Linear in the line's length whatever it holds.
 */
export function parseConstraint(text: string): OomConstraintLine | null {
  const head = CONSTRAINT_HEAD.exec(text);
  if (!head) return null;
  const tail = CONSTRAINT_TAIL.exec(text);
  if (!tail || tail.index < head[0].length) return null;
  const body = text.slice(head[0].length, tail.index);
  const globalAt = body.indexOf(',global_oom,task_memcg=');
  const memcgAt = body.indexOf(',oom_memcg=');
  const isGlobal = globalAt >= 0 && (memcgAt < 0 || globalAt < memcgAt);
  const scopeAt = isGlobal ? globalAt : memcgAt;
  if (scopeAt < 0) return null;
  let nodemask = body.slice(0, scopeAt);
  let cpuset: string | null = null;
  let memsAllowed: string | null = null;
  const cpusetAt = nodemask.indexOf(',cpuset=');
  const memsAt = cpusetAt < 0 ? -1 : nodemask.indexOf(',mems_allowed=', cpusetAt + 8);
  if (memsAt >= 0) {
    cpuset = nodemask.slice(cpusetAt + 8, memsAt);
    memsAllowed = nodemask.slice(memsAt + 14);
    nodemask = nodemask.slice(0, cpusetAt);
  }
  let rest: string;
  let oomMemcg: string | null = null;
  if (isGlobal) rest = body.slice(globalAt + ',global_oom,task_memcg='.length);
  else {
    const after = body.slice(memcgAt + ',oom_memcg='.length);
    const taskMemcgAt = after.indexOf(',task_memcg=');
    if (taskMemcgAt < 0) return null;
    oomMemcg = after.slice(0, taskMemcgAt);
    rest = after.slice(taskMemcgAt + ',task_memcg='.length);
  }
  const taskAt = rest.indexOf(',task=');
  if (taskAt < 0) return null;
  return {
    constraint: head[1] ?? '',
    nodemask,
    cpuset,
    memsAllowed,
    oomMemcg,
    taskMemcg: rest.slice(0, taskAt),
    task: rest.slice(taskAt + ',task='.length),
    pid: Number(tail[1]),
    uid: Number(tail[2]),
  };
}

function ensureMemcg(b: Builder): Mutable<MemcgSummary> {
  b.memcg ??= {
    memory: null,
    memsw: null,
    swap: null,
    kmem: null,
    statsFor: null,
    stats: b.stats,
    taskIn: null,
    limitOf: null,
  };
  return b.memcg;
}

function ensureMemInfo(b: Builder): Mutable<MemInfoSummary> {
  b.memInfo ??= {
    counters: b.counters,
    zones: b.zones,
    ramPages: null,
    highmemPages: null,
    reservedPages: null,
    cmaReservedPages: null,
    pagecachePages: null,
    freeSwapKb: null,
    totalSwapKb: null,
  };
  return b.memInfo;
}

function layoutOf(columns: readonly string[]): TaskTableLayout {
  if (columns.includes('rss_anon')) return 'rss-split';
  if (columns.includes('pgtables_bytes')) return 'pgtables_bytes';
  if (columns.includes('nr_pmds')) return 'nr_ptes+nr_pmds';
  if (columns.includes('nr_ptes')) return 'nr_ptes';
  return 'other';
}

/** A row: as many whole numbers as the header has columns, then the name (which may hold spaces). */
function parseRow(pid: number, rest: string, columns: readonly string[]): TaskRow | null {
  if (columns.length === 0) return null;
  const m = new RegExp(`^${'\\s*(-?\\d+)'.repeat(columns.length)} (.+)$`, 's').exec(rest);
  if (!m) return null;
  const value = (name: string): number | null => {
    const i = columns.indexOf(name);
    return i < 0 ? null : Number(m[i + 1]);
  };
  const uid = value('uid');
  const tgid = value('tgid');
  const totalVm = value('total_vm');
  const rss = value('rss');
  const adj = value('oom_score_adj');
  if (uid === null || tgid === null || totalVm === null || rss === null || adj === null) return null;
  return {
    pid,
    uid,
    tgid,
    totalVm,
    rss,
    rssAnon: value('rss_anon'),
    rssFile: value('rss_file'),
    rssShmem: value('rss_shmem'),
    pgtablesBytes: value('pgtables_bytes'),
    nrPtes: value('nr_ptes'),
    nrPmds: value('nr_pmds'),
    swapents: value('swapents'),
    oomScoreAdj: adj,
    name: (m[columns.length + 1] ?? '').replace(/^ +/, ''),
  };
}

function killedFrom(m: RegExpExecArray): KilledProcess {
  const uid = m[3] ?? m[5] ?? m[10];
  return {
    context: m[1] ?? '',
    pid: Number(m[2]),
    comm: m[4] ?? '',
    totalVmKb: Number(m[6]),
    anonRssKb: Number(m[7]),
    fileRssKb: Number(m[8]),
    shmemRssKb: m[9] === undefined ? null : Number(m[9]),
    uid: uid === undefined ? null : Number(uid),
    pgtablesKb: m[11] === undefined ? null : Number(m[11]),
    oomScoreAdj: m[12] === undefined ? null : Number(m[12]),
  };
}

function reapedFrom(m: RegExpExecArray) {
  return {
    pid: Number(m[1]),
    comm: m[2] ?? '',
    anonRssKb: Number(m[3]),
    fileRssKb: Number(m[4]),
    shmemRssKb: Number(m[5]),
  };
}

function freeze(b: Builder): OomReport {
  const problems = [...b.problems];
  if (b.report.trigger === null && !problems.some((p) => p.startsWith('the beginning'))) {
    problems.unshift('the beginning of the report is missing');
  }
  return structuredClone({
    ...b.report,
    memcg: b.memcg,
    memInfo: b.memInfo,
    tasks: b.tasks,
    killed: b.killed,
    problems,
    partial: problems.length > 0,
  });
}
