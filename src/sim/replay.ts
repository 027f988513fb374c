// Replaying a recorded trace: what each policy would have done, and when, had it watched that machine.
// Triggers and selection only: nothing acts, so a shortage that persists in the trace is reported once per
// change of victim. oomguard's own daemon replays in dry-run mode against a host that serves the snapshots.
import type { DaemonConfig } from '../config/types.js';
import type { Clock } from '../daemon/clock.js';
import { Daemon } from '../daemon/daemon.js';
import type { HostActions } from '../host/actions.js';
import type { Host, SampleOptions } from '../host/host.js';
import { HostReadError, OomguardError } from '../model/errors.js';
import type { CgroupInfo, Snapshot } from '../model/snapshot.js';
import { inScope, rankProcesses, selectVictim } from '../policy/rank.js';
import type { SimEvent } from './events.js';
import { cgroupDecision } from './policies/cgroup.js';
import { earlyoomLevel, earlyoomVictim } from './policies/earlyoom.js';
import { evictionDecision, podFacts } from './policies/kubelet.js';
import type { PolicySpec } from './runner.js';
import { formatSize } from './units.js';

/** How close to exhaustion the kernel's OOM killer is taken to be (a trace cannot show a failed allocation). */
export const KERNEL_EDGE_PERCENT = 1;
const KUBE_HOUSEKEEPING_MS = 10_000;
const KUBE_EVICTION_HARD = 100 * 1024 * 1024;

export interface ReplayRun {
  readonly policy: string;
  readonly decisions: readonly SimEvent[];
}

type Decide = (snap: Snapshot, t: number) => SimEvent[];

function event(
  t: number,
  type: SimEvent['type'],
  snapP: { pid: number; comm: string; cgroup: string } | null,
  by: SimEvent['by'],
  reason: string,
  cgroup?: string,
): SimEvent {
  return {
    t,
    type,
    pid: snapP?.pid ?? null,
    name: snapP?.comm ?? null,
    cgroup: cgroup ?? snapP?.cgroup ?? null,
    by,
    reason,
  };
}

/** The OOM domain at the edge: a limited cgroup whose working set is within 1 % of its limit, else the machine. */
function kernelEdge(snap: Snapshot): { scope: string | null; why: string } | null {
  for (const cg of [...snap.cgroups.values()].sort(
    (a, b) => b.path.split('/').length - a.path.split('/').length,
  )) {
    if (cg.limit === null || cg.usage === null) continue;
    const inactive = cg.stat[cg.version === 2 ? 'inactive_file' : 'total_inactive_file'] ?? 0;
    const ws = Math.max(0, cg.usage - inactive);
    if ((cg.limit - ws) * 100 <= cg.limit * KERNEL_EDGE_PERCENT) {
      return {
        scope: cg.path,
        why: `memcg ${cg.path} at its limit (${formatSize(ws)} of ${formatSize(cg.limit)})`,
      };
    }
  }
  const mi = snap.meminfo;
  const avail = mi.memAvailable ?? mi.memFree;
  const swapGone = mi.swapTotal === 0 || mi.swapFree * 100 <= mi.swapTotal * KERNEL_EDGE_PERCENT;
  if (avail * 100 <= mi.memTotal * KERNEL_EDGE_PERCENT && swapGone) {
    return { scope: null, why: `machine at the edge: ${formatSize(avail)} available` };
  }
  return null;
}

function kernelDecider(ranker: 'kernel' | 'legacy'): Decide {
  return (snap, t) => {
    const edge = kernelEdge(snap);
    if (edge === null) return [];
    const victim = selectVictim(rankProcesses(snap, { ranker, cgroup: edge.scope }));
    const oom = event(t, 'oom', null, 'kernel', edge.why, edge.scope ?? '/');
    if (victim === null) return [oom];
    const key =
      ranker === 'legacy' ? `2.6.35 badness ${victim.key} points` : `badness ${victim.badness} pages`;
    return [oom, event(t, 'kill', victim, 'kernel', `${edge.why}: ${key}`)];
  };
}

const earlyoomDecider: Decide = (snap, t) => {
  const lvl = earlyoomLevel(snap.meminfo);
  if (lvl.level === 'ok') return [];
  const v = earlyoomVictim(snap);
  if (v === null) return [];
  const why = `earlyoom: ${lvl.why}; oom_score ${v.oomScore}, RSS ${formatSize(v.rssBytes)}`;
  return [
    event(
      t,
      lvl.level === 'kill' ? 'kill' : 'signal',
      v,
      'oomguard',
      lvl.level === 'kill' ? why : `SIGTERM: ${why}`,
    ),
  ];
};

const cgroupDecider: Decide = (snap, t) => {
  const d = cgroupDecision(snap);
  if (d === null) return [];
  return d.targets.map((p) => event(t, 'kill', p, 'oomguard', `cgroup policy: ${d.why}`));
};

/** Pods from the cgroup tree (/kubepods[/qos]/pod<id>): without the pod specs, requests and priorities are 0. */
function kubeDecider(): Decide {
  let next = Number.NEGATIVE_INFINITY;
  return (snap, t) => {
    if (t < next) return [];
    next = t + KUBE_HOUSEKEEPING_MS;
    const pods = [...snap.cgroups.keys()]
      .filter((p) => /\/pod[^/]+$/.test(p) && p.includes('kubepods'))
      .map((cgroup) => ({
        name: cgroup.slice(cgroup.lastIndexOf('/pod') + 4),
        cgroup,
        request: 0,
        priority: 0,
      }));
    const d = evictionDecision(snap, podFacts(snap, pods), KUBE_EVICTION_HARD);
    if (d === null) return [];
    const first = snap.processes.find((p) => inScope(p.cgroup, d.pod.cgroup)) ?? null;
    return [{ ...event(t, 'evict', first, 'kubelet', d.why, d.pod.cgroup), name: d.pod.name }];
  };
}

/** Serves recorded snapshots as a Host: `at` moves to the next one. */
class ReplayHost implements Host {
  current: Snapshot;
  constructor(first: Snapshot) {
    this.current = first;
  }
  get pageSize(): number {
    return this.current.pageSize;
  }
  sample(o: SampleOptions = {}): Snapshot {
    const s = this.current;
    const scope = o.processScope ?? null;
    const processes =
      o.processes === false
        ? []
        : scope === null
          ? s.processes
          : s.processes.filter((p) => inScope(p.cgroup, scope));
    const sub = o.cgroupSubtree ?? null;
    const cgroups = new Map<string, CgroupInfo>();
    if (sub !== null) for (const [k, v] of s.cgroups) if (inScope(k, sub)) cgroups.set(k, v);
    return { ...s, processes, cgroups };
  }
  /** A trace holds no command lines: the name stands in for rules on cmdline. */
  readCmdline(pid: number): string[] | null {
    const p = this.current.processes.find((x) => x.pid === pid);
    return p ? [p.comm] : null;
  }
  readExe(): string | null {
    return null;
  }
  readCgroup(path: string): CgroupInfo {
    const cg = this.current.cgroups.get(path);
    if (!cg) throw new HostReadError(`cgroup ${path} is not in the trace`, path);
    return cg;
  }
  cgroupDir(path: string): string {
    return `/sys/fs/cgroup${path}`;
  }
  close(): void {}
}

/** Replay runs the daemon in dry-run mode, which decides everything and acts on nothing: any call is a bug. */
const refuse = (): never => {
  throw new OomguardError('replay never acts on a process');
};
const NO_ACTIONS: HostActions = {
  pin: refuse,
  signal: refuse,
  release: refuse,
  alive: refuse,
  unpin: refuse,
  killCgroup: refuse,
  protectSelf: refuse,
};

async function replayOomguard(
  snaps: readonly Snapshot[],
  config: DaemonConfig,
  name: string,
): Promise<ReplayRun> {
  const first = snaps[0];
  if (first === undefined) return { policy: name, decisions: [] };
  const host = new ReplayHost(first);
  let now = 0;
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const decisions: SimEvent[] = [];
  let trigger = '';
  const daemon = new Daemon({
    host,
    actions: NO_ACTIONS,
    clock,
    emit: (e) => {
      if (e.event === 'trigger') trigger = e.message;
      if (e.event !== 'signal') return;
      const f = e.fields ?? {};
      decisions.push({
        t: now,
        type: f.signal === 'SIGKILL' ? 'kill' : 'signal',
        pid: typeof f.pid === 'number' ? f.pid : null,
        name: typeof f.comm === 'string' ? f.comm : null,
        cgroup: typeof f.cgroup === 'string' ? f.cgroup : null,
        by: 'oomguard',
        reason: `would send ${String(f.signal)}: ${trigger}`,
      });
    },
    config: { ...config, dryRun: true },
    runHook: async () => ({ code: 0, signal: null, timedOut: false, output: '' }),
    users: new Map(),
  });
  for (const s of snaps) {
    host.current = s;
    now = s.timeMs - first.timeMs;
    await daemon.tick();
  }
  return { policy: name, decisions };
}

/** Keeps a decision only when it differs from the previous one (the same shortage, unacted on, persists). */
function changes(all: { t: number; events: SimEvent[] }[]): SimEvent[] {
  const out: SimEvent[] = [];
  let last = '';
  for (const { events } of all) {
    const key = events.map((e) => `${e.type}:${e.pid}:${e.cgroup}`).join('|');
    if (key !== last && events.length > 0) out.push(...events);
    last = key;
  }
  return out;
}

export async function replayTrace(snaps: readonly Snapshot[], policy: PolicySpec): Promise<ReplayRun> {
  if (policy.kind === 'oomguard') return replayOomguard(snaps, policy.config, policy.name);
  const decide: Decide =
    policy.kind === 'kernel' || policy.kind === 'legacy'
      ? kernelDecider(policy.kind)
      : policy.kind === 'earlyoom'
        ? earlyoomDecider
        : policy.kind === 'cgroup'
          ? cgroupDecider
          : kubeDecider();
  const t0 = snaps[0]?.timeMs ?? 0;
  return {
    policy: policy.name,
    decisions: changes(snaps.map((s) => ({ t: s.timeMs - t0, events: decide(s, s.timeMs - t0) }))),
  };
}
