// What one kernel OOM report means: who was killed and why, the winning badness recomputed from the task
// table with oomguard's model and checked against the kernel's choice, the runner-up and the margin, and
// what oomguard with a given configuration would have done. Pure: a decoded report in, plain data out.
import type { DaemonConfig } from '../config/types.js';
import { formatBytes } from '../config/units.js';
import { evaluateFigures, type Level, type MemoryFigures } from '../policy/thresholds.js';
import { adjPages, oomBadness } from '../score/badness.js';
import { type KubePod, kubePodFromCgroup } from './kube-pod.js';
import { availableAtOom } from './mem-available.js';
import type { KilledProcess, OomReport, TaskRow } from './report.js';

export type OomKind = 'memcg' | 'global' | 'cpuset' | 'mempolicy';

/** The parts of the daemon's configuration a post-mortem can judge. */
export type PostmortemConfig = Pick<
  DaemonConfig,
  'memory' | 'swap' | 'memoryPercentBase' | 'scopeCgroup' | 'cgroupAvailable' | 'ranker' | 'rules'
>;

export interface AnalyzeOptions {
  /** Page size in bytes; inferred from the report when not given. */
  readonly pageSize?: number;
  readonly config: PostmortemConfig;
}

export interface ScoredTask {
  readonly pid: number;
  readonly name: string;
  readonly uid: number;
  readonly oomScoreAdj: number;
  readonly rssPages: number;
  readonly swapPages: number;
  readonly pageTablePages: number;
  /** oom_badness in pages; null when the task is not eligible. */
  readonly badness: number | null;
  readonly ineligible: string | null;
  /** Position in the kernel's table (its iteration order), from 0. */
  readonly tableIndex: number;
}

export interface RecomputedChoice {
  readonly winner: ScoredTask | null;
  readonly runnerUp: ScoredTask | null;
  /** winner − runner-up badness, in pages and bytes. */
  readonly marginPages: number | null;
  readonly marginBytes: number | null;
  readonly verdict: 'agrees' | 'disagrees' | 'undecided';
  readonly why: string;
  /** Pre-5.2 kernels print the chosen task's score (badness × 1000 / T): the kernel's and the recomputed one. */
  readonly score: { readonly kernel: number; readonly recomputed: number } | null;
}

export interface OomguardVerdict {
  readonly verdict: 'would-act' | 'would-not-act' | 'not-enough-data';
  readonly level: Level | null;
  readonly why: string;
  readonly when: string | null;
  /** Whom oomguard's ranker would pick from this table; null when it cannot be told. */
  readonly pick: { readonly pid: number; readonly name: string } | null;
  readonly pickNote: string | null;
}

export interface Postmortem {
  readonly index: number;
  readonly host: string | null;
  readonly stamp: string | null;
  readonly lines: { readonly first: number; readonly last: number };
  readonly partial: boolean;
  readonly problems: readonly string[];
  readonly kernelVersion: string | null;
  readonly kind: OomKind | null;
  readonly kindSource: string;
  readonly constraint: string | null;
  /** The memcg whose limit was hit (memcg OOMs). */
  readonly memcg: string | null;
  /** The victim's own memory cgroup. */
  readonly taskMemcg: string | null;
  readonly pod: KubePod | null;
  readonly trigger: {
    readonly comm: string;
    readonly pid: number | null;
    readonly gfpMask: string;
    readonly gfpFlags: string | null;
    readonly order: number;
    readonly oomScoreAdj: number;
  } | null;
  readonly victim: KilledProcess | null;
  /** The task the kernel chose: the selected one where the kernel names it, else the killed one. */
  readonly kernelChoice: { readonly pid: number; readonly comm: string } | null;
  readonly pageSize: { readonly bytes: number; readonly source: string };
  readonly totalPages: {
    readonly pages: number;
    readonly source: string;
    readonly assumption: string | null;
  } | null;
  /** Every task of the table, highest badness first (ties: later in the table first, as the kernel picks), ineligible last. */
  readonly ranking: readonly ScoredTask[];
  readonly recomputed: RecomputedChoice;
  readonly oomguard: OomguardVerdict;
  readonly report: OomReport;
}

/** A limit this large (kB) is the page counter's maximum: no limit. */
const UNLIMITED_KB = 2 ** 50;
const PAGE_SIZES_KB = [4, 16, 64];

interface Version {
  readonly major: number;
  readonly minor: number;
}

function parseVersion(v: string | null): Version | null {
  const m = v === null ? null : /^(\d+)\.(\d+)/.exec(v);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

const before = (v: Version | null, major: number, minor: number): boolean =>
  v !== null && (v.major < major || (v.major === major && v.minor < minor));

export function analyzeReport(report: OomReport, options: AnalyzeOptions): Postmortem {
  const version = parseVersion(report.kernelVersion);
  const pageSize = inferPageSize(report, options.pageSize);
  const kind = kindOf(report);
  const total = totalPages(report, kind.kind, pageSize.bytes);
  const victim = report.killed[0] ?? null;
  const kernelChoice = report.selected
    ? { pid: report.selected.pid, comm: report.selected.comm }
    : victim
      ? { pid: victim.pid, comm: victim.comm }
      : report.constraint
        ? { pid: report.constraint.pid, comm: report.constraint.task }
        : null;
  const scored = report.tasks.map((t, i) => scoreTask(t, i, version, pageSize.bytes, total?.pages ?? null));
  const recomputed = recompute(report, scored, kernelChoice, total, version, pageSize.bytes);
  const memcg =
    report.constraint?.oomMemcg ??
    report.memcg?.limitOf ??
    (kind.kind === 'memcg' ? (report.memcg?.statsFor ?? null) : null);
  const taskMemcg = report.constraint?.taskMemcg ?? report.memcg?.taskIn ?? null;
  const podPath = taskMemcg ?? memcg;
  return {
    index: report.index,
    host: report.host,
    stamp: report.stamp,
    lines: { first: report.firstLine, last: report.lastLine },
    partial: report.partial,
    problems: report.problems,
    kernelVersion: report.kernelVersion,
    kind: kind.kind,
    kindSource: kind.source,
    constraint: report.constraint?.constraint ?? null,
    memcg,
    taskMemcg,
    pod: podPath === null ? null : kubePodFromCgroup(podPath),
    trigger: report.trigger
      ? {
          comm: report.trigger.comm,
          pid: report.invokingPid,
          gfpMask: report.trigger.gfpMask,
          gfpFlags: report.trigger.gfpFlags,
          order: report.trigger.order,
          oomScoreAdj: report.trigger.oomScoreAdj,
        }
      : null,
    victim,
    kernelChoice,
    pageSize,
    totalPages: total,
    ranking: [...scored].sort(rankOrder),
    recomputed,
    oomguard: judgeOomguard(report, kind.kind, options.config, pageSize.bytes, recomputed, scored),
    report,
  };
}

/** Highest badness first; equal badness: the later table row first (the kernel keeps the last of equals). */
function rankOrder(a: ScoredTask, b: ScoredTask): number {
  if (a.badness === null || b.badness === null) {
    if (a.badness === b.badness) return a.tableIndex - b.tableIndex;
    return a.badness === null ? 1 : -1;
  }
  return b.badness - a.badness || b.tableIndex - a.tableIndex;
}

function inferPageSize(report: OomReport, given: number | undefined): { bytes: number; source: string } {
  if (given !== undefined) return { bytes: given, source: 'given' };
  const info = report.memInfo;
  if (info?.ramPages && info.zones.length > 0) {
    const presentKb = info.zones.reduce((s, z) => s + z.presentKb, 0);
    const perPage = presentKb / info.ramPages;
    if (PAGE_SIZES_KB.includes(perPage)) {
      return { bytes: perPage * 1024, source: `zones present ${presentKb} kB / ${info.ramPages} pages RAM` };
    }
  }
  const victim = report.killed[0];
  const row = victim && report.tasks.find((t) => t.pid === victim.pid);
  if (victim && row && row.rss > 0) {
    const kb = victim.anonRssKb + victim.fileRssKb + (victim.shmemRssKb ?? 0);
    const perPage = kb / row.rss;
    const near = PAGE_SIZES_KB.find((p) => Math.abs(perPage - p) / p < 0.1);
    if (near !== undefined) {
      return { bytes: near * 1024, source: `victim's resident ${kb} kB / ${row.rss} pages in the table` };
    }
  }
  return { bytes: 4096, source: 'assumed (the report does not tell)' };
}

function kindOf(report: OomReport): { kind: OomKind | null; source: string } {
  const c = report.constraint?.constraint;
  if (c === 'CONSTRAINT_MEMCG') return { kind: 'memcg', source: 'oom-kill constraint line' };
  if (c === 'CONSTRAINT_NONE') return { kind: 'global', source: 'oom-kill constraint line' };
  if (c === 'CONSTRAINT_CPUSET') return { kind: 'cpuset', source: 'oom-kill constraint line' };
  if (c === 'CONSTRAINT_MEMORY_POLICY') return { kind: 'mempolicy', source: 'oom-kill constraint line' };
  const context = report.selected?.context ?? report.killed[0]?.context ?? '';
  if (report.memcg?.memory || context.startsWith('Memory cgroup'))
    return { kind: 'memcg', source: 'memory cgroup lines (no constraint line before 4.19)' };
  if (report.memInfo) {
    return {
      kind: 'global',
      source:
        'system memory summary (no constraint line before 4.19; a cpuset or mempolicy constraint cannot be told)',
    };
  }
  return { kind: null, source: 'the report does not say' };
}

function totalPages(
  report: OomReport,
  kind: OomKind | null,
  pageSize: number,
): { pages: number; source: string; assumption: string | null } | null {
  const pages = (kb: number): number => Math.trunc((kb * 1024) / pageSize);
  const info = report.memInfo;
  const swapPages = info?.totalSwapKb != null ? pages(info.totalSwapKb) : null;
  if (kind === 'memcg') {
    const mem = report.memcg?.memory;
    if (!mem) return null;
    const limit = pages(mem.limitKb);
    const swapCounter = report.memcg?.swap ?? null;
    const memsw = report.memcg?.memsw ?? null;
    let allowance = 0;
    let source: string;
    let assumption: string | null = null;
    if (swapCounter) {
      if (swapCounter.limitKb === 0) source = 'swap limit 0';
      else if (swapCounter.limitKb >= UNLIMITED_KB) {
        source = 'swap unlimited: allowance = total swap';
        assumption = "the host's total swap is not in a memcg report: taken as 0";
      } else {
        allowance = pages(swapCounter.limitKb);
        source = `swap limit ${allowance} pages`;
        assumption = "capped by the host's total swap, which a memcg report does not give";
      }
    } else if (memsw) {
      if (memsw.limitKb >= UNLIMITED_KB) {
        source = 'memory+swap unlimited: allowance = total swap';
        assumption = "the host's total swap is not in a memcg report: taken as 0";
      } else {
        allowance = Math.max(pages(memsw.limitKb) - limit, 0);
        source = `memory+swap limit − memory limit = ${allowance} pages`;
        assumption = "capped by the host's total swap, which a memcg report does not give";
      }
    } else {
      source = 'no swap counter in the report';
      assumption = 'swap allowance taken as 0';
    }
    const t = Math.max(limit + allowance, 1);
    return {
      pages: t,
      source: `memcg limit ${limit} pages + swap allowance ${allowance} pages (${source}) = ${t}`,
      assumption,
    };
  }
  if (!info || info.ramPages === null) return null;
  const swap = swapPages ?? 0;
  const swapAssumption = swapPages === null ? 'total swap not in the report: taken as 0' : null;
  if (kind === 'cpuset' || kind === 'mempolicy') {
    const nodeList = kind === 'cpuset' ? report.constraint?.memsAllowed : report.constraint?.nodemask;
    const nodes = nodeList ? parseNodeList(nodeList) : null;
    const zones = info.zones.filter((z) => nodes?.has(z.node));
    if (!nodes || zones.length === 0) return null;
    const present = zones.reduce((s, z) => s + pages(z.presentKb), 0);
    return {
      pages: present + swap,
      source: `present pages of nodes ${nodeList} ${present} + swap ${swap} = ${present + swap}`,
      assumption:
        swapAssumption ?? 'kernels before 5.x count spanned rather than present pages: may differ slightly',
    };
  }
  // totalram_pages() is the managed pages: RAM minus what the kernel reserved at boot.
  const ram = info.ramPages - (info.reservedPages ?? 0);
  return {
    pages: ram + swap,
    source: `RAM ${info.ramPages} − reserved ${info.reservedPages ?? 0} pages + swap ${swap} pages = ${ram + swap}`,
    assumption: info.reservedPages === null ? 'reserved pages not in the report: taken as 0' : swapAssumption,
  };
}

function parseNodeList(list: string): Set<number> | null {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let n = lo; n <= hi; n++) out.add(n);
  }
  return out;
}

function pageTablePages(t: TaskRow, pageSize: number): number {
  if (t.pgtablesBytes !== null) return Math.trunc(t.pgtablesBytes / pageSize);
  return (t.nrPtes ?? 0) + (t.nrPmds ?? 0);
}

/** oom_badness for one table row. `total` null: the adj term is left out (only valid when every adj is equal). */
function scoreTask(
  t: TaskRow,
  tableIndex: number,
  version: Version | null,
  pageSize: number,
  total: number | null,
): ScoredTask {
  const base = {
    pid: t.pid,
    name: t.name,
    uid: t.uid,
    oomScoreAdj: t.oomScoreAdj,
    rssPages: t.rss,
    swapPages: t.swapents ?? 0,
    pageTablePages: pageTablePages(t, pageSize),
    tableIndex,
  };
  if (t.oomScoreAdj === -1000) return { ...base, badness: null, ineligible: 'oom_score_adj -1000' };
  const totalForAdj = total ?? 0;
  let badness: number;
  if (before(version, 4, 17) && t.uid === 0) {
    // Before 4.17 CAP_SYS_ADMIN tasks got 3 % off their memory; the table has no capabilities, uid 0 stands in.
    const points = base.rssPages + base.swapPages + base.pageTablePages;
    badness = points - Math.trunc((points * 3) / 100) + adjPages(t.oomScoreAdj, totalForAdj);
  } else {
    badness = oomBadness({
      rssPages: base.rssPages,
      swapPages: base.swapPages,
      pageTablePages: base.pageTablePages,
      adj: t.oomScoreAdj,
      totalPages: totalForAdj,
    });
  }
  // Before 5.9 an eligible task scored at least 1.
  if (before(version, 5, 9)) badness = Math.max(badness, 1);
  return { ...base, badness, ineligible: null };
}

/** The kernel's pick among scored rows: the highest badness, the last of equals (it replaces on ≥). */
function pick(rows: readonly ScoredTask[]): ScoredTask | null {
  let best: ScoredTask | null = null;
  for (const r of rows) {
    if (r.badness === null) continue;
    if (best === null || r.badness >= (best.badness as number)) best = r;
  }
  return best;
}

function recompute(
  report: OomReport,
  scored: readonly ScoredTask[],
  kernelChoice: { pid: number; comm: string } | null,
  total: { pages: number; assumption: string | null } | null,
  version: Version | null,
  pageSize: number,
): RecomputedChoice {
  const winner = pick(scored);
  const runnerUp = winner ? pick(scored.filter((r) => r !== winner)) : null;
  const marginPages = winner && runnerUp ? (winner.badness as number) - (runnerUp.badness as number) : null;
  const base = {
    winner,
    runnerUp,
    marginPages,
    marginBytes: marginPages === null ? null : marginPages * pageSize,
    score: null,
  };
  const undecided = (why: string): RecomputedChoice => ({ ...base, verdict: 'undecided', why });
  if (report.tasks.length === 0)
    return undecided('the report has no task table (vm.oom_dump_tasks = 0, or the table is missing)');
  if (report.taskTable?.layout === 'other') {
    return undecided(
      `this task table (${report.taskTable.columns.join(' ')}) predates the badness model of 3.10+`,
    );
  }
  if (report.partial && report.problems.some((p) => p.startsWith('task table row'))) {
    return undecided('part of the task table could not be read, so the winner may be among the lost rows');
  }
  if (!winner) return undecided('no task in the table is eligible');
  if (!kernelChoice)
    return undecided(
      `the report does not say whom the kernel chose; the highest badness in the table${report.partial ? ' as far as it goes' : ''} is ${winner.pid} (${winner.name})`,
    );
  const adjs = new Set(scored.filter((r) => r.badness !== null).map((r) => r.oomScoreAdj));
  if (total === null && adjs.size > 1) {
    return undecided(
      'totalpages cannot be told from this report and the tasks differ in oom_score_adj, so their order depends on it',
    );
  }
  const notes: string[] = [];
  if (total === null)
    notes.push(
      'totalpages unknown, but every task has the same oom_score_adj, so it cannot change the order',
    );
  if (total?.assumption && adjs.size > 1) {
    // T may be larger than assumed (unknown swap): the choice holds for every larger T when the same task
    // also wins as T grows without bound (highest adj, then most memory), since each badness is linear in trunc(T/1000).
    const limitWinner = [...scored]
      .filter((r) => r.badness !== null)
      .sort(
        (a, b) =>
          b.oomScoreAdj - a.oomScoreAdj ||
          (b.badness as number) - (a.badness as number) ||
          b.tableIndex - a.tableIndex,
      )[0];
    notes.push(
      limitWinner === winner
        ? 'the winner stays the same for any larger totalpages'
        : `a larger totalpages (${total.assumption}) could change the winner`,
    );
  }
  if (before(version, 4, 17) && scored.some((r) => r.uid === 0 && r.badness !== null)) {
    notes.push('kernel before 4.17: uid-0 tasks taken to hold CAP_SYS_ADMIN (3 % bonus)');
  }
  let score: { kernel: number; recomputed: number } | null = null;
  const chosenRow = scored.find((r) => r.pid === kernelChoice.pid);
  if (report.selected && total && chosenRow?.badness != null) {
    score = {
      kernel: report.selected.score,
      recomputed: Math.trunc((chosenRow.badness * 1000) / total.pages),
    };
    notes.push(`score ${score.kernel} printed, ${score.recomputed} recomputed`);
  }
  const tail = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  if (winner.pid === kernelChoice.pid) {
    const tied = runnerUp !== null && runnerUp.badness === winner.badness;
    return {
      ...base,
      score,
      verdict: 'agrees',
      why: `${winner.pid} (${winner.name}) has the highest badness, ${winner.badness} pages${tied ? `, tied with ${runnerUp.pid} and chosen as the later of the two in the table` : ''}${tail}`,
    };
  }
  if (!chosenRow) {
    return {
      ...base,
      score,
      verdict: 'disagrees',
      why: `the kernel chose ${kernelChoice.pid} (${kernelChoice.comm}), which is not in the task table; the table's winner is ${winner.pid} (${winner.name})${tail}`,
    };
  }
  const reason =
    chosenRow.badness === winner.badness
      ? 'they tie; the kernel iterated in another order than the table shows'
      : 'the table was printed before the kernel scored the tasks, or a task was skipped as already dying (MMF_OOM_SKIP), which the table does not show';
  return {
    ...base,
    score,
    verdict: 'disagrees',
    why: `the kernel chose ${chosenRow.pid} (${chosenRow.name}, ${chosenRow.badness} pages) but ${winner.pid} (${winner.name}) scores ${winner.badness}: ${reason}${tail}`,
  };
}

function judgeOomguard(
  report: OomReport,
  kind: OomKind | null,
  config: PostmortemConfig,
  pageSize: number,
  recomputed: RecomputedChoice,
  scored: readonly ScoredTask[],
): OomguardVerdict {
  const noData = (why: string): OomguardVerdict => ({
    verdict: 'not-enough-data',
    level: null,
    why,
    when: null,
    pick: null,
    pickNote: null,
  });
  const figures =
    config.scopeCgroup === null
      ? systemFigures(report, kind, config, pageSize)
      : cgroupFigures(report, kind, config);
  if (typeof figures === 'string') return noData(figures);
  const v = evaluateFigures(figures.figures, config.memory, config.swap);
  if (v.level === 'ok' && !figures.exact) {
    return noData(
      `only an upper bound of available memory can be rebuilt, and it is above the thresholds: ${v.why}`,
    );
  }
  if (v.level === 'ok') {
    return { verdict: 'would-not-act', level: 'ok', why: v.why, when: null, pick: null, pickNote: null };
  }
  const when = report.stamp
    ? `at ${report.stamp} at the latest: the report holds one moment, so how much earlier the thresholds were crossed the log cannot tell`
    : 'at the moment of this report at the latest';
  const choice = oomguardPick(config, recomputed, scored);
  return { verdict: 'would-act', level: v.level, why: v.why, when, pick: choice.pick, pickNote: choice.note };
}

function oomguardPick(
  config: PostmortemConfig,
  recomputed: RecomputedChoice,
  scored: readonly ScoredTask[],
): { pick: { pid: number; name: string } | null; note: string | null } {
  const rules =
    config.rules.length > 0
      ? ' (the configured rules are not applied: the report has no command lines or executables)'
      : '';
  if (config.ranker === 'legacy')
    return { pick: null, note: 'the legacy ranker needs CPU time and age, which the report does not have' };
  if (config.ranker === 'rss') {
    const best = pick(
      scored.map((r) => ({ ...r, badness: r.badness === null ? null : r.rssPages + r.swapPages })),
    );
    return {
      pick: best && { pid: best.pid, name: best.name },
      note: `rss ranker: the most resident + swapped memory${rules}`,
    };
  }
  const w = recomputed.winner;
  return {
    pick: w && { pid: w.pid, name: w.name },
    note: `kernel ranker: the same badness as above${rules}`,
  };
}

function systemFigures(
  report: OomReport,
  kind: OomKind | null,
  config: PostmortemConfig,
  pageSize: number,
): { figures: MemoryFigures; exact: boolean } | string {
  if (kind === 'memcg') {
    return 'a memcg OOM report carries no system memory summary, and oomguard watching the whole system judges system memory';
  }
  const info = report.memInfo;
  if (!info) return 'the report has no memory summary (Mem-Info)';
  const avail = availableAtOom(info, pageSize);
  if (!avail || info.ramPages === null) return 'the memory summary lacks the free page count or the RAM size';
  if (info.totalSwapKb === null || info.freeSwapKb === null)
    return 'the memory summary lacks the swap totals';
  const memTotal = (info.ramPages - (info.reservedPages ?? 0)) * pageSize;
  const availBytes = avail.pages * pageSize;
  // AnonPages ≈ anon LRU pages minus shmem (which the anon LRU also holds).
  const anon =
    Math.max(
      (info.counters.active_anon ?? 0) + (info.counters.inactive_anon ?? 0) - (info.counters.shmem ?? 0),
      0,
    ) * pageSize;
  const swapTotal = info.totalSwapKb * 1024;
  return {
    exact: avail.exact,
    figures: {
      scope: '/',
      memAvailBytes: availBytes,
      memBaseBytes: config.memoryPercentBase === 'total' ? memTotal : availBytes + anon,
      swapTotalBytes: swapTotal,
      swapFreeBytes: swapTotal === 0 ? 0 : info.freeSwapKb * 1024,
      source: `${avail.source} of ${config.memoryPercentBase === 'total' ? `MemTotal ${formatBytes(memTotal)}` : 'available + anon'}`,
    },
  };
}

function cgroupFigures(
  report: OomReport,
  kind: OomKind | null,
  config: PostmortemConfig,
): { figures: MemoryFigures; exact: boolean } | string {
  const scope = config.scopeCgroup as string;
  const memcg = report.memcg;
  const oomMemcg = report.constraint?.oomMemcg ?? memcg?.limitOf ?? memcg?.statsFor ?? null;
  if (kind !== 'memcg' || !memcg?.memory || oomMemcg !== scope) {
    return `oomguard watches ${scope}, and this report is not a memcg OOM of that cgroup, so its figures are not in it`;
  }
  const limit = memcg.memory.limitKb * 1024;
  const usage = memcg.memory.usageKb * 1024;
  const inactiveKey = memcg.stats.total_inactive_file !== undefined ? 'total_inactive_file' : 'inactive_file';
  const inactive = memcg.stats[inactiveKey] ?? 0;
  const used = config.cgroupAvailable === 'usage' ? usage : Math.max(0, usage - inactive);
  let swapTotal = 0;
  let swapUsed = 0;
  if (memcg.swap && memcg.swap.limitKb < UNLIMITED_KB) {
    swapTotal = memcg.swap.limitKb * 1024;
    swapUsed = memcg.swap.usageKb * 1024;
  } else if (memcg.memsw && memcg.memsw.limitKb < UNLIMITED_KB) {
    swapTotal = Math.max(memcg.memsw.limitKb - memcg.memory.limitKb, 0) * 1024;
    swapUsed = Math.max(memcg.memsw.usageKb - memcg.memory.usageKb, 0) * 1024;
  }
  return {
    exact: true,
    figures: {
      scope,
      memAvailBytes: Math.max(0, limit - used),
      memBaseBytes: limit,
      swapTotalBytes: swapTotal,
      swapFreeBytes: Math.max(0, swapTotal - swapUsed),
      source: `cgroup ${scope}: limit ${formatBytes(limit)} − ${config.cgroupAvailable === 'usage' ? 'usage' : `working set (${inactiveKey} ${formatBytes(inactive)} off usage)`} ${formatBytes(used)}`,
    },
  };
}
