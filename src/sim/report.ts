// A simulation's results for people (a readable report) and for programs (JSON). Both are deterministic:
// the same scenario and policies give the same bytes.
import type { SimEvent, SimSummary } from './events.js';
import type { PolicyRun } from './runner.js';
import type { Scenario } from './scenario.js';
import { formatDuration, formatSize, formatT } from './units.js';

export interface JsonResult {
  readonly scenario: string;
  readonly policies: readonly { policy: string; events: readonly SimEvent[]; summary: SimSummary }[];
}

export function toJson(s: Scenario, runs: readonly PolicyRun[]): JsonResult {
  return {
    scenario: s.name,
    policies: runs.map((r) => ({ policy: r.policy, events: r.events, summary: r.summary })),
  };
}

function machineLine(s: Scenario): string {
  const m = s.machine;
  const k = s.kernel;
  const parts = [
    `${formatSize(m.ram)} RAM`,
    m.swap > 0 ? `${formatSize(m.swap)} swap` : 'no swap',
    `overcommit_memory ${k.overcommitMemory}`,
    `panic_on_oom ${k.panicOnOom}`,
  ];
  if (k.oomKillAllocatingTask) parts.push('oom_kill_allocating_task');
  if (k.reapDelayMs > 0) parts.push(`reap delay ${formatDuration(k.reapDelayMs)}`);
  return `${parts.join(', ')}; ${formatDuration(s.run.durationMs)} in ${s.run.stepMs} ms steps`;
}

function eventLine(e: SimEvent): string {
  const who = e.pid === null ? (e.name ?? e.cgroup ?? '') : `pid ${e.pid} (${e.name})`;
  return `  ${formatT(e.t).padEnd(12)} ${e.type.padEnd(10)} ${e.by.padEnd(8)} ${who}${who ? ': ' : ''}${e.reason}`;
}

export function summaryLine(sum: SimSummary): string {
  const victims =
    sum.victims === 0
      ? 'no victim'
      : `${sum.victims} victim${sum.victims === 1 ? '' : 's'} (${sum.victimNames.join(', ')})`;
  return (
    `${victims}; ${formatSize(sum.memoryFreedBytes)} freed; ${formatDuration(sum.shortOfMemoryMs)} short of memory; ` +
    `work lost ${formatDuration(sum.workLostMs)} of CPU` +
    (sum.allocFailures > 0
      ? `; ${sum.allocFailures} failed allocation${sum.allocFailures === 1 ? '' : 's'}`
      : '') +
    (sum.panic !== null ? `; PANIC at ${formatT(sum.endMs)}: ${sum.panic}` : '')
  );
}

export function renderReport(s: Scenario, runs: readonly PolicyRun[]): string {
  const out: string[] = [`Scenario: ${s.name}`];
  if (s.description)
    out.push(
      ...s.description
        .trim()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  out.push(`Machine: ${machineLine(s)}`, '');
  for (const r of runs) {
    out.push(`Policy ${r.policy}`);
    const shown = r.events.filter((e) => e.type !== 'exit' || e.reason !== 'exited after SIGTERM');
    if (shown.length === 0) out.push('  (nothing happened: no OOM, no kill)');
    const limit = 40;
    for (const e of shown.slice(0, limit)) out.push(eventLine(e));
    if (shown.length > limit) out.push(`  ... ${shown.length - limit} more events (see --json)`);
    out.push(`  => ${summaryLine(r.summary)}`, '');
  }
  if (runs.length > 1) {
    const rows = runs.map((r) => [
      r.policy,
      String(r.summary.victims),
      formatSize(r.summary.memoryFreedBytes),
      formatDuration(r.summary.shortOfMemoryMs),
      formatDuration(r.summary.workLostMs),
      r.summary.panic === null ? '' : 'PANIC',
    ]);
    const head = ['policy', 'victims', 'freed', 'short of memory', 'work lost', ''];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    out.push('Side by side', line(head), ...rows.map(line), '');
  }
  return out.join('\n');
}
