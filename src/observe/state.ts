// The live picture that the dashboard, its event stream and /metrics all show: memory and swap of the watched
// scope against its levels, pressure, the next victims, the recent kills, and a rolling series for the charts.
// A cheap look (no process table) is taken every tick so the charts have a past; the ranking, which reads every
// process, is computed only when someone asks and at most once per tick, however many clients ask.
import type { DaemonConfig } from '../config/types.js';
import type { Host } from '../host/host.js';
import { sampleForRanking } from '../host/ranking-sample.js';
import type { Candidate } from '../model/ranking.js';
import type { CgroupInfo, Psi, Snapshot } from '../model/snapshot.js';
import { type Explanation, explainProcess } from '../policy/explain.js';
import { rankProcesses } from '../policy/rank.js';
import {
  cgroupFigures,
  evaluateFigures,
  type Level,
  type MemoryFigures,
  systemFigures,
} from '../policy/thresholds.js';
import type { DaemonEvent, EventBus } from './events.js';
import type { HistoryEntry } from './history.js';
import { safeText } from './text/escape.js';
import { renderExplanation } from './text/explanation.js';

/** What the picture is measured against: the daemon's levels, scope and ranker. */
export type StateSettings = Pick<
  DaemonConfig,
  'memory' | 'swap' | 'memoryPercentBase' | 'scopeCgroup' | 'cgroupAvailable' | 'ranker'
>;

export const DEFAULT_SERIES_POINTS = 600;
export const DEFAULT_CANDIDATES = 25;
export const DEFAULT_KILLS = 50;
/** A daemon's trigger (a PSI rule, say) holds the level this long: the daemon says when it fires, not when it ends. */
const TRIGGER_HOLD_MS = 2000;

export interface MemoryView {
  /** '/' for the system, else the watched cgroup. */
  readonly scope: string;
  readonly availableBytes: number;
  /** What availability is a share of: MemTotal (or MemAvailable + AnonPages), or the cgroup's limit. */
  readonly sizeBytes: number;
  readonly swapFreeBytes: number;
  readonly swapSizeBytes: number;
  /** The SIGTERM and SIGKILL levels in bytes of available memory. */
  readonly termBytes: number;
  readonly killBytes: number;
  readonly source: string;
}

/** One point of the charts. */
export interface Point {
  /** Seconds since the epoch (uPlot's x unit). */
  readonly t: number;
  readonly memAvailableBytes: number;
  readonly swapFreeBytes: number;
  /** Memory PSI avg10, percent; null where the kernel has no PSI. */
  readonly psiSome: number | null;
  readonly psiFull: number | null;
}

export interface CandidateView {
  readonly position: number;
  readonly pid: number;
  /** Escaped: control characters shown as \xNN. */
  readonly comm: string;
  readonly uid: number;
  readonly user: string | null;
  readonly cgroup: string;
  readonly rssBytes: number;
  readonly swapBytes: number;
  readonly oomScoreAdj: number;
  readonly badness: number | null;
  readonly oomScore: number;
  readonly key: number;
  readonly tied: boolean;
}

/** A signal oomguard sent (or would send, in a dry run) or a victim's exit. */
export interface KillView {
  readonly timeMs: number;
  readonly event: 'signal' | 'exit';
  readonly pid: number | null;
  readonly comm: string;
  readonly signal: string | null;
  readonly unit: string | null;
  readonly reason: string | null;
  readonly rssBytes: number | null;
  readonly dryRun: boolean;
  readonly message: string;
}

/** A daemon event as the dashboard's event stream carries it. */
export interface EventView {
  readonly timeMs: number;
  readonly event: string;
  readonly level: string;
  readonly message: string;
  readonly kill: KillView | null;
}

export interface StateView {
  readonly timeMs: number;
  readonly ranker: string;
  readonly scope: string;
  readonly level: Level;
  readonly levelReason: string;
  readonly memory: MemoryView | null;
  readonly pressure: { readonly memory: Psi | null; readonly io: Psi | null; readonly cpu: Psi | null };
  /** /proc/vmstat oom_kill: the kernel's own OOM kills since boot. */
  readonly kernelOomKills: number | null;
  /** The next victims, first first (killable ones only). */
  readonly candidates: readonly CandidateView[];
  readonly killableCount: number;
  readonly kills: readonly KillView[];
  readonly point: Point | null;
  /** Why the last look or ranking failed (the watched cgroup removed, say); null when both worked. */
  readonly error: string | null;
}

export interface LiveStateOptions {
  readonly host: Host;
  readonly settings: StateSettings;
  /** The daemon's events: kills, triggers, selections. */
  readonly bus?: EventBus;
  /** Kills recorded on disk, for a server without a daemon in its process (`oomguard serve`). */
  readonly recordedKills?: () => readonly HistoryEntry[];
  readonly users?: ReadonlyMap<number, string>;
  /** Wall clock, ms since the epoch. */
  readonly now?: () => number;
  readonly intervalMs?: number;
  readonly seriesPoints?: number;
  readonly candidates?: number;
}

interface Look {
  readonly snap: Snapshot;
  readonly memory: MemoryView;
  readonly level: Level;
  readonly reason: string;
}

export class LiveState {
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly seriesPoints: number;
  private readonly candidateLimit: number;
  private readonly series: Point[] = [];
  private readonly busKills: KillView[] = [];
  private readonly updateListeners = new Set<(v: StateView) => void>();
  private readonly eventListeners = new Set<(e: EventView) => void>();
  private lastLook: Look | null = null;
  private lookError: string | null = null;
  private ranked: {
    atMs: number;
    candidates: CandidateView[];
    killable: number;
    error: string | null;
  } | null = null;
  private trigger: { level: Level; reason: string; atMs: number } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: LiveStateOptions) {
    this.now = opts.now ?? Date.now;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.seriesPoints = opts.seriesPoints ?? DEFAULT_SERIES_POINTS;
    this.candidateLimit = opts.candidates ?? DEFAULT_CANDIDATES;
    this.unsubscribe = opts.bus?.subscribe((e) => this.receive(e));
  }

  get settings(): StateSettings {
    return this.opts.settings;
  }

  /** Looks now and then every interval until stop(); the timer never keeps the process alive by itself. */
  start(): void {
    if (this.timer !== undefined) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.updateListeners.clear();
    this.eventListeners.clear();
  }

  /** One look; listeners (the event stream) get the whole view. Never throws: a failed read is shown. */
  tick(): void {
    this.look();
    if (this.updateListeners.size === 0) return;
    const v = this.view();
    for (const l of this.updateListeners) l(v);
  }

  /** Called with the whole view after every tick. */
  onUpdate(listener: (v: StateView) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Called with each daemon event as it happens. */
  onEvent(listener: (e: EventView) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** The chart series, oldest first. */
  points(): readonly Point[] {
    return this.series;
  }

  /** The current picture; the ranking is at most one interval old. */
  view(): StateView {
    const look = this.lastLook ?? this.look();
    const ranked = this.ranking();
    const now = this.now();
    const held = this.trigger !== null && now - this.trigger.atMs <= TRIGGER_HOLD_MS ? this.trigger : null;
    const useTrigger = held !== null && RANK[held.level] > RANK[look?.level ?? 'ok'];
    return {
      timeMs: now,
      ranker: this.opts.settings.ranker,
      scope: safeText(this.opts.settings.scopeCgroup ?? '/'),
      level: useTrigger && held ? held.level : (look?.level ?? 'ok'),
      levelReason: safeText(useTrigger && held ? held.reason : (look?.reason ?? '')),
      memory: look?.memory ?? null,
      pressure: look?.snap.psi ?? { memory: null, io: null, cpu: null },
      kernelOomKills: look?.snap.vmstat?.oomKill ?? null,
      candidates: ranked.candidates,
      killableCount: ranked.killable,
      kills: this.kills(),
      point: this.series[this.series.length - 1] ?? null,
      error: this.lookError ?? ranked.error,
    };
  }

  /** Why `pid` is where it is, on a fresh sample: the structured explanation (names escaped) and its text. */
  explain(pid: number): { explanation: Explanation; text: string } {
    const { settings } = this.opts;
    const snap = sampleForRanking(this.opts.host, { cgroup: settings.scopeCgroup });
    const e = explainProcess(snap, pid, { ranker: settings.ranker, cgroup: settings.scopeCgroup });
    const safe = (c: Candidate): Candidate => ({ ...c, comm: safeText(c.comm), cgroup: safeText(c.cgroup) });
    return {
      explanation: {
        ...e,
        scope: safeText(e.scope),
        totalPagesSource: safeText(e.totalPagesSource),
        candidate: safe(e.candidate),
        ahead: e.ahead === null ? null : safe(e.ahead),
        behind: e.behind === null ? null : safe(e.behind),
      },
      text: renderExplanation(e),
    };
  }

  private look(): Look | null {
    const { host, settings } = this.opts;
    try {
      const base = host.sample({ processes: false });
      const cgroups = new Map<string, CgroupInfo>();
      if (settings.scopeCgroup !== null)
        cgroups.set(settings.scopeCgroup, host.readCgroup(settings.scopeCgroup));
      const snap: Snapshot = { ...base, cgroups };
      const fig = figures(snap, settings);
      const verdict = evaluateFigures(fig, settings.memory, settings.swap);
      const memory: MemoryView = {
        scope: safeText(fig.scope),
        availableBytes: fig.memAvailBytes,
        sizeBytes: fig.memBaseBytes,
        swapFreeBytes: fig.swapFreeBytes,
        swapSizeBytes: fig.swapTotalBytes,
        termBytes: verdict.memTermBytes,
        killBytes: verdict.memKillBytes,
        source: safeText(fig.source),
      };
      this.lastLook = { snap, memory, level: verdict.level, reason: verdict.why };
      this.lookError = null;
      const psi = snap.psi.memory;
      this.series.push({
        t: this.now() / 1000,
        memAvailableBytes: fig.memAvailBytes,
        swapFreeBytes: fig.swapFreeBytes,
        psiSome: psi?.some.avg10 ?? null,
        psiFull: psi?.full?.avg10 ?? null,
      });
      if (this.series.length > this.seriesPoints)
        this.series.splice(0, this.series.length - this.seriesPoints);
      return this.lastLook;
    } catch (e) {
      this.lookError = `cannot read memory: ${safeText((e as Error).message)}`;
      return this.lastLook;
    }
  }

  private ranking(): NonNullable<LiveState['ranked']> {
    const now = this.now();
    if (this.ranked !== null && now - this.ranked.atMs < this.intervalMs) return this.ranked;
    const { host, settings, users } = this.opts;
    try {
      const snap = sampleForRanking(host, { cgroup: settings.scopeCgroup });
      const r = rankProcesses(snap, { ranker: settings.ranker, cgroup: settings.scopeCgroup });
      const killable = r.candidates.filter((c) => c.killable);
      this.ranked = {
        atMs: now,
        candidates: killable.slice(0, this.candidateLimit).map((c) => candidateView(c, users)),
        killable: killable.length,
        error: null,
      };
    } catch (e) {
      this.ranked = {
        atMs: now,
        candidates: [],
        killable: 0,
        error: `cannot rank: ${safeText((e as Error).message)}`,
      };
    }
    return this.ranked;
  }

  private kills(): KillView[] {
    const recorded = this.opts.recordedKills?.() ?? [];
    const fromDisk = recorded.flatMap((h) => {
      if (h.event !== 'signal' && h.event !== 'exit') return [];
      const t = Date.parse(h.time);
      return Number.isNaN(t) ? [] : [killView(h.event, h.message, h.fields, t)];
    });
    const all = [...fromDisk, ...this.busKills].sort((a, b) => a.timeMs - b.timeMs);
    return all.slice(-DEFAULT_KILLS);
  }

  private receive(e: DaemonEvent): void {
    const now = this.now();
    const f = e.fields ?? {};
    if (e.event === 'trigger' && (f.memoryLevel === 'term' || f.memoryLevel === 'kill')) {
      this.trigger = { level: f.memoryLevel, reason: e.message, atMs: now };
    }
    let kill: KillView | null = null;
    if (e.event === 'signal' || e.event === 'exit') {
      kill = killView(e.event, e.message, f, now);
      this.busKills.push(kill);
      if (this.busKills.length > DEFAULT_KILLS) this.busKills.shift();
    }
    const view: EventView = {
      timeMs: now,
      event: e.event,
      level: e.level,
      message: safeText(e.message),
      kill,
    };
    for (const l of this.eventListeners) l(view);
  }
}

const RANK: Record<Level, number> = { ok: 0, term: 1, kill: 2 };

/** The watched scope's figures, as the daemon's thresholds see them (a cgroup without a limit: the system). */
function figures(snap: Snapshot, s: StateSettings): MemoryFigures {
  const system = systemFigures(snap.meminfo, s.memoryPercentBase);
  if (s.scopeCgroup === null) return system;
  const cg = snap.cgroups.get(s.scopeCgroup);
  return (cg && cgroupFigures(cg, s.cgroupAvailable, snap.meminfo.swapTotal)) ?? system;
}

function candidateView(c: Candidate, users: ReadonlyMap<number, string> | undefined): CandidateView {
  return {
    position: c.position,
    pid: c.pid,
    comm: safeText(c.comm),
    uid: c.uid,
    user: users?.get(c.uid) ?? null,
    cgroup: safeText(c.cgroup),
    rssBytes: c.rssBytes,
    swapBytes: c.swapBytes,
    oomScoreAdj: c.oomScoreAdj,
    badness: c.badness,
    oomScore: c.oomScore,
    key: c.key,
    tied: c.tied,
  };
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? safeText(v) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function killView(
  event: 'signal' | 'exit',
  message: string,
  f: Readonly<Record<string, unknown>>,
  timeMs: number,
): KillView {
  return {
    timeMs,
    event,
    pid: num(f.pid),
    comm: str(f.comm) ?? '',
    signal: str(f.signal),
    unit: str(f.unit),
    reason: str(f.reason),
    rssBytes: num(f.rssBytes),
    dryRun: f.dryRun === true,
    message: safeText(message),
  };
}
