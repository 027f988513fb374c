// Prometheus metrics in the text format, on a registry of oomguard's own (never prom-client's global one, so a
// library user's registry is never polluted and two instances never collide). Two feeds: the daemon's events,
// counted as they happen (kills, exits, selections), and the live picture, read at scrape time (memory,
// pressure, the next victims). Names follow Prometheus conventions: the `oomguard_` prefix, base units
// (bytes, seconds, ratios 0–1), `_total` on counters; the process's own figures use the standard `process_` names.
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DaemonEvent, EventBus } from './events.js';
import type { StateView } from './state.js';

/** The parts of the live picture /metrics shows. */
export type MetricsSample = Pick<
  StateView,
  'ranker' | 'scope' | 'level' | 'memory' | 'pressure' | 'kernelOomKills' | 'candidates'
>;

export interface MetricsOptions {
  /** The live picture at scrape time. */
  readonly sample: () => MetricsSample;
  /** The daemon's events; without it the kill counters stay at zero (`oomguard serve`). */
  readonly bus?: EventBus;
  /** How many of the next victims get a series each (pid and comm are labels: keep it small). */
  readonly candidates?: number;
}

export const DEFAULT_METRIC_CANDIDATES = 5;
/** Each victim is a new series of its own: more would swamp a Prometheus server that keeps them all. */
export const MAX_METRIC_CANDIDATES = 20;

const LEVEL_VALUE = { ok: 0, term: 1, kill: 2 } as const;
const PSI_WINDOWS = [
  ['avg10', '10s'],
  ['avg60', '60s'],
  ['avg300', '300s'],
] as const;
const PSI_RESOURCES = ['memory', 'io', 'cpu'] as const;

/**
 * A counter that mirrors a cumulative figure read elsewhere (a kernel counter since boot, the process's CPU
 * time): it moves by the growth since the last read, so it stays a true counter.
 */
class Mirror<L extends string> {
  private readonly last = new Map<string, number>();
  constructor(private readonly counter: Counter<L>) {}
  set(value: number, labels: Partial<Record<L, string>> = {}): void {
    const key = JSON.stringify(labels);
    const before = this.last.get(key) ?? 0;
    if (value > before) this.counter.inc(labels, value - before);
    else if (!this.last.has(key)) this.counter.inc(labels, 0);
    this.last.set(key, Math.max(before, value));
  }
}

export class OomguardMetrics {
  readonly registry = new Registry();
  private readonly topN: number;
  private readonly unsubscribe: (() => void) | undefined;
  private selectionStarted: number | null = null;

  private readonly info: Gauge<'ranker' | 'scope'>;
  private readonly memAvailable: Gauge;
  private readonly memSize: Gauge;
  private readonly swapFree: Gauge;
  private readonly swapSize: Gauge;
  private readonly termLevel: Gauge;
  private readonly killLevel: Gauge;
  private readonly pressure: Gauge<'resource' | 'kind' | 'window'>;
  private readonly stall: Mirror<'resource' | 'kind'>;
  private readonly triggerLevel: Gauge;
  private readonly candidateScore: Gauge<'position' | 'pid' | 'comm'>;
  private readonly candidateMemory: Gauge<'position' | 'pid' | 'comm'>;
  private readonly kills: Counter<'signal' | 'unit'>;
  private readonly dryRunKills: Counter<'signal' | 'unit'>;
  private readonly exits: Histogram;
  private readonly selection: Histogram;
  private readonly events: Counter<'event'>;
  private readonly kernelOomKills: Mirror<never>;
  private readonly rss: Gauge;
  private readonly cpu: Mirror<never>;
  private readonly cpuUser: Mirror<never>;
  private readonly cpuSystem: Mirror<never>;

  constructor(private readonly opts: MetricsOptions) {
    const n = opts.candidates ?? DEFAULT_METRIC_CANDIDATES;
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_METRIC_CANDIDATES) {
      throw new RangeError(`metrics: candidates must be a whole number from 0 to ${MAX_METRIC_CANDIDATES}`);
    }
    this.topN = n;
    const registers = [this.registry];
    const gauge = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const counter = <L extends string = never>(name: string, help: string, labelNames: L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers });

    this.info = gauge('oomguard_info', 'Always 1; the labels say how oomguard ranks and what it watches.', [
      'ranker',
      'scope',
    ]);
    this.memAvailable = gauge(
      'oomguard_memory_available_bytes',
      'Memory available in the watched scope (MemAvailable, or a cgroup limit minus its use).',
    );
    this.memSize = gauge(
      'oomguard_memory_size_bytes',
      'What available memory is a share of: MemTotal, or the watched cgroup limit.',
    );
    this.swapFree = gauge('oomguard_swap_free_bytes', 'Free swap in the watched scope.');
    this.swapSize = gauge(
      'oomguard_swap_size_bytes',
      'Swap of the watched scope (0: judged on memory alone).',
    );
    this.termLevel = gauge(
      'oomguard_memory_term_threshold_bytes',
      'Available memory at or below which oomguard sends SIGTERM (with swap also at its level).',
    );
    this.killLevel = gauge(
      'oomguard_memory_kill_threshold_bytes',
      'Available memory at or below which oomguard sends SIGKILL (with swap also at its level).',
    );
    this.pressure = gauge(
      'oomguard_pressure_ratio',
      'Pressure stall information: share of time (0-1) some or all tasks stalled on a resource, averaged over a window.',
      ['resource', 'kind', 'window'],
    );
    this.stall = new Mirror(
      counter(
        'oomguard_pressure_stall_seconds_total',
        'Pressure stall information: total time some or all tasks stalled on a resource since boot.',
        ['resource', 'kind'],
      ),
    );
    this.triggerLevel = gauge(
      'oomguard_trigger_level',
      'How short memory is: 0 enough, 1 at the SIGTERM level, 2 at the SIGKILL level.',
    );
    this.candidateScore = gauge(
      'oomguard_candidate_oom_score',
      "The next victims' oom_score (0-2000) as oomguard computes it; position 1 goes first.",
      ['position', 'pid', 'comm'],
    );
    this.candidateMemory = gauge(
      'oomguard_candidate_memory_bytes',
      "The next victims' resident memory plus swap.",
      ['position', 'pid', 'comm'],
    );
    this.kills = counter(
      'oomguard_kills_total',
      'Signals oomguard sent to victims, by signal and kill unit (process, process-group, cgroup).',
      ['signal', 'unit'],
    );
    this.dryRunKills = counter(
      'oomguard_dry_run_kills_total',
      'Signals oomguard would have sent to victims in a dry run.',
      ['signal', 'unit'],
    );
    this.exits = new Histogram({
      name: 'oomguard_victim_exit_seconds',
      help: "Time from a victim's first signal to its exit.",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.selection = new Histogram({
      name: 'oomguard_selection_duration_seconds',
      help: 'Time from a trigger to the choice of a victim: the process table read, ranking and rules.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.events = counter('oomguard_events_total', 'Daemon events, by name.', ['event']);
    this.kernelOomKills = new Mirror(
      counter(
        'oomguard_kernel_oom_kills_total',
        "The kernel's own OOM kills since boot (/proc/vmstat oom_kill).",
      ),
    );
    this.rss = gauge('process_resident_memory_bytes', 'Resident memory of the oomguard process.');
    this.cpu = new Mirror(counter('process_cpu_seconds_total', 'CPU time of the oomguard process.'));
    this.cpuUser = new Mirror(
      counter('process_cpu_user_seconds_total', 'User CPU time of the oomguard process.'),
    );
    this.cpuSystem = new Mirror(
      counter('process_cpu_system_seconds_total', 'System CPU time of the oomguard process.'),
    );
    gauge('process_start_time_seconds', 'Start time of the oomguard process since the epoch.').set(
      Math.round(Date.now() / 1000 - process.uptime()),
    );
    this.unsubscribe = opts.bus?.subscribe((e) => this.count(e));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The text exposition, with the live figures read now. */
  async scrape(): Promise<string> {
    this.refresh(this.opts.sample());
    return this.registry.metrics();
  }

  close(): void {
    this.unsubscribe?.();
  }

  /** Counts one daemon event. */
  count(e: DaemonEvent): void {
    this.events.inc({ event: e.event });
    const f = e.fields ?? {};
    switch (e.event) {
      case 'trigger':
        this.selectionStarted = performance.now();
        break;
      case 'select':
        // The notice carries the choice; debug lines (the candidate table) come before it.
        if (e.level === 'notice') this.selectionEnded();
        break;
      case 'no-victim':
      case 'error':
        this.selectionEnded();
        break;
      case 'signal': {
        // Members of a group kill carry `victim`: one kill counts once per signal, at its victim.
        if (f.victim !== undefined) break;
        const labels = { signal: String(f.signal ?? 'unknown'), unit: String(f.unit ?? 'process') };
        (f.dryRun === true ? this.dryRunKills : this.kills).inc(labels);
        break;
      }
      case 'exit':
        if (typeof f.afterMs === 'number' && f.afterMs >= 0) this.exits.observe(f.afterMs / 1000);
        break;
    }
  }

  private selectionEnded(): void {
    if (this.selectionStarted === null) return;
    this.selection.observe((performance.now() - this.selectionStarted) / 1000);
    this.selectionStarted = null;
  }

  private refresh(s: MetricsSample): void {
    this.info.reset();
    this.info.set({ ranker: s.ranker, scope: s.scope }, 1);
    if (s.memory !== null) {
      this.memAvailable.set(s.memory.availableBytes);
      this.memSize.set(s.memory.sizeBytes);
      this.swapFree.set(s.memory.swapFreeBytes);
      this.swapSize.set(s.memory.swapSizeBytes);
      this.termLevel.set(s.memory.termBytes);
      this.killLevel.set(s.memory.killBytes);
    }
    this.triggerLevel.set(LEVEL_VALUE[s.level]);
    for (const resource of PSI_RESOURCES) {
      const psi = s.pressure[resource];
      if (psi === null) continue;
      for (const [kind, line] of [
        ['some', psi.some],
        ['full', psi.full],
      ] as const) {
        if (line === null) continue;
        for (const [field, window] of PSI_WINDOWS) {
          this.pressure.set({ resource, kind, window }, line[field] / 100);
        }
        this.stall.set(line.totalUs / 1e6, { resource, kind });
      }
    }
    if (s.kernelOomKills !== null) this.kernelOomKills.set(s.kernelOomKills);
    // Victims change: last scrape's series go, so a process that left the top does not linger.
    this.candidateScore.reset();
    this.candidateMemory.reset();
    for (const c of s.candidates.slice(0, this.topN)) {
      const labels = { position: String(c.position), pid: String(c.pid), comm: c.comm };
      this.candidateScore.set(labels, c.oomScore);
      this.candidateMemory.set(labels, c.rssBytes + c.swapBytes);
    }
    this.rss.set(process.memoryUsage.rss());
    const cpu = process.cpuUsage();
    this.cpuUser.set(cpu.user / 1e6);
    this.cpuSystem.set(cpu.system / 1e6);
    this.cpu.set((cpu.user + cpu.system) / 1e6);
  }
}
