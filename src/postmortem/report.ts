// A kernel OOM report as decoded from the log: plain data, every number as the kernel printed it
// (pages where the kernel prints pages, kB where it prints kB). Kernels 3.10 to 6.x.

/** "X invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0". */
export interface OomTrigger {
  readonly comm: string;
  readonly gfpMask: string;
  /** The decoded flags in parentheses (4.6+); null on older kernels. */
  readonly gfpFlags: string | null;
  /** 4.x before 4.19 print the allocation's nodemask here. */
  readonly nodemask: string | null;
  readonly order: number;
  readonly oomScoreAdj: number;
}

/** "oom-kill:constraint=…,nodemask=…,cpuset=…,mems_allowed=…,oom_memcg=…|global_oom,task_memcg=…,task=…,pid=…,uid=…" (4.19+). */
export interface OomConstraintLine {
  readonly constraint: string;
  readonly nodemask: string;
  readonly cpuset: string | null;
  readonly memsAllowed: string | null;
  /** The memcg whose limit was hit; null for a global OOM ("global_oom"). */
  readonly oomMemcg: string | null;
  readonly taskMemcg: string;
  readonly task: string;
  readonly pid: number;
  readonly uid: number;
}

/** "memory: usage 65536kB, limit 65536kB, failcnt 12" and its memory+swap / swap / kmem siblings. */
export interface PageCounterLine {
  readonly usageKb: number;
  readonly limitKb: number;
  readonly failcnt: number;
}

export interface MemcgSummary {
  readonly memory: PageCounterLine | null;
  /** cgroup v1: memory plus swap. */
  readonly memsw: PageCounterLine | null;
  /** cgroup v2: swap alone. */
  readonly swap: PageCounterLine | null;
  readonly kmem: PageCounterLine | null;
  /** "Memory cgroup stats for PATH:". */
  readonly statsFor: string | null;
  /** The stats as printed; values given in KB (4.x "cache:5664KB") are converted to bytes. */
  readonly stats: Readonly<Record<string, number>>;
  /** Before 4.19: "Task in A killed as a result of limit of B". */
  readonly taskIn: string | null;
  readonly limitOf: string | null;
}

/** One zone line of Mem-Info ("Node 0 DMA32 free:…kB min:…kB low:…kB high:…kB … present:…kB managed:…kB"). */
export interface ZoneSummary {
  readonly node: number;
  readonly zone: string;
  readonly freeKb: number;
  readonly minKb: number;
  readonly lowKb: number;
  readonly highKb: number;
  readonly presentKb: number;
  readonly managedKb: number;
  /** "lowmem_reserve[]: 0 2955 15938 …", in pages; empty when the line was not seen. */
  readonly lowmemReserve: readonly number[];
}

/** The global memory summary (show_mem) printed for non-memcg OOMs. */
export interface MemInfoSummary {
  /** The "active_anon:… free:…" counters, in pages. */
  readonly counters: Readonly<Record<string, number>>;
  readonly zones: readonly ZoneSummary[];
  readonly ramPages: number | null;
  readonly highmemPages: number | null;
  readonly reservedPages: number | null;
  readonly cmaReservedPages: number | null;
  readonly pagecachePages: number | null;
  readonly freeSwapKb: number | null;
  readonly totalSwapKb: number | null;
}

/** Which per-task page-table column the task table has (it changed with the kernel version). */
export type TaskTableLayout = 'rss-split' | 'pgtables_bytes' | 'nr_ptes+nr_pmds' | 'nr_ptes' | 'other';

/** One row of the task table ("memory values in pages"). */
export interface TaskRow {
  readonly pid: number;
  readonly uid: number;
  readonly tgid: number;
  readonly totalVm: number;
  readonly rss: number;
  /** 6.8+ split of rss; null before. */
  readonly rssAnon: number | null;
  readonly rssFile: number | null;
  readonly rssShmem: number | null;
  /** 4.15+: page-table bytes; null before. */
  readonly pgtablesBytes: number | null;
  /** Before 4.15: page-table pages (nr_ptes, plus nr_pmds on 4.x). */
  readonly nrPtes: number | null;
  readonly nrPmds: number | null;
  /** null on 2.6.32-era tables without the column. */
  readonly swapents: number | null;
  readonly oomScoreAdj: number;
  readonly name: string;
}

/** "Killed process PID (comm) total-vm:…kB, anon-rss:…kB, file-rss:…kB, shmem-rss:…kB, UID:… pgtables:…kB oom_score_adj:…". */
export interface KilledProcess {
  readonly pid: number;
  readonly comm: string;
  readonly totalVmKb: number;
  readonly anonRssKb: number;
  readonly fileRssKb: number;
  /** null before 4.5. */
  readonly shmemRssKb: number | null;
  /** null when the kernel did not print it (before about 5.3, except the "UID N," variants). */
  readonly uid: number | null;
  readonly pgtablesKb: number | null;
  readonly oomScoreAdj: number | null;
  /** What precedes "Killed process": "Out of memory", "Memory cgroup out of memory", or "" on 4.x/3.x. */
  readonly context: string;
}

/** Before about 5.2: "Out of memory: Kill process PID (comm) score N or sacrifice child". */
export interface SelectedProcess {
  readonly pid: number;
  readonly comm: string;
  /** badness × 1000 / totalpages of the chosen task. */
  readonly score: number;
  readonly context: string;
}

/** "oom_reaper: reaped process PID (comm), now anon-rss:…kB, file-rss:…kB, shmem-rss:…kB". */
export interface ReapedProcess {
  readonly pid: number;
  readonly comm: string;
  readonly anonRssKb: number;
  readonly fileRssKb: number;
  readonly shmemRssKb: number;
}

export interface OomReport {
  /** Position among the reports of the input, from 0. */
  readonly index: number;
  readonly host: string | null;
  /** Line numbers (1-based) of the first and last line that belongs to the report. */
  readonly firstLine: number;
  readonly lastLine: number;
  readonly stamp: string | null;
  readonly seconds: number | null;
  /** True when the beginning or the end of the report is missing, or part of it could not be read. */
  readonly partial: boolean;
  /** Why the report is partial, and anything else that could not be read, in words. */
  readonly problems: readonly string[];
  readonly trigger: OomTrigger | null;
  /** From the "CPU: N PID: P Comm: …" line of the stack dump. */
  readonly invokingPid: number | null;
  readonly kernelVersion: string | null;
  /** Before 4.19: "comm cpuset=X mems_allowed=Y". */
  readonly cpuset: string | null;
  readonly memsAllowed: string | null;
  readonly constraint: OomConstraintLine | null;
  readonly memcg: MemcgSummary | null;
  readonly memInfo: MemInfoSummary | null;
  readonly taskTable: { readonly layout: TaskTableLayout; readonly columns: readonly string[] } | null;
  readonly tasks: readonly TaskRow[];
  readonly selected: SelectedProcess | null;
  /** The victim, then further victims of a memory.oom.group kill. */
  readonly killed: readonly KilledProcess[];
  /** "Tasks in PATH are going to be killed due to memory.oom.group set". */
  readonly oomGroup: string | null;
  readonly reaped: ReapedProcess | null;
  /** Why the kernel killed nothing ("Out of memory and no killable processes...", a panic, an exiting victim). */
  readonly noKill: string | null;
}
