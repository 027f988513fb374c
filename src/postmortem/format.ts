// A post-mortem for people: who was killed, why, the recomputed choice, and what oomguard would have done.
import { formatBytes } from '../config/units.js';
import { safeText } from '../observe/text/escape.js';
import type { Postmortem, ScoredTask } from './analyze.js';

const KIND_TEXT: Record<string, string> = {
  memcg: 'memory cgroup limit (memcg OOM)',
  global: 'the whole system ran out (global OOM)',
  cpuset: 'the cpuset’s memory nodes ran out',
  mempolicy: 'the memory policy’s nodes ran out',
};

/** How many table rows the text shows; --json has them all. */
const SHOWN_ROWS = 5;

export function formatPostmortem(p: Postmortem): string {
  const out: string[] = [];
  const where = [p.host, p.stamp].filter((x) => x !== null).join(' ');
  out.push(
    `OOM report #${p.index + 1}${where ? ` at ${where}` : ''} (lines ${p.lines.first}–${p.lines.last})${p.partial ? ' — PARTIAL' : ''}`,
  );
  for (const problem of p.problems) out.push(`  ! ${problem}`);
  if (p.kernelVersion) out.push(`  kernel:     ${p.kernelVersion}`);
  if (p.trigger) {
    const flags = p.trigger.gfpFlags ? `(${p.trigger.gfpFlags})` : '';
    out.push(
      `  trigger:    ${p.trigger.comm}${p.trigger.pid === null ? '' : ` (pid ${p.trigger.pid})`} asked for order-${p.trigger.order} memory, gfp_mask=${p.trigger.gfpMask}${flags}`,
    );
  }
  if (p.victim) {
    const v = p.victim;
    const rss = v.anonRssKb + v.fileRssKb + (v.shmemRssKb ?? 0);
    out.push(
      `  killed:     ${v.pid} (${v.comm})${v.uid === null ? '' : ` uid ${v.uid}`}, resident ${formatBytes(rss * 1024)} (anon ${formatBytes(v.anonRssKb * 1024)}, file ${formatBytes(v.fileRssKb * 1024)}${v.shmemRssKb === null ? '' : `, shmem ${formatBytes(v.shmemRssKb * 1024)}`})${v.oomScoreAdj === null ? '' : `, oom_score_adj ${v.oomScoreAdj}`}`,
    );
    for (const extra of p.report.killed.slice(1))
      out.push(
        `              also ${extra.pid} (${extra.comm}) with the memory.oom.group of ${p.report.oomGroup}`,
      );
    if (p.report.selected && p.report.selected.pid !== v.pid) {
      out.push(
        `              the kernel chose ${p.report.selected.pid} (${p.report.selected.comm}) and killed its child instead`,
      );
    }
  } else if (p.report.noKill) out.push(`  killed:     nobody — ${p.report.noKill}`);
  else out.push('  killed:     not in the log');
  if (p.report.reaped) out.push(`  reaped:     ${p.report.reaped.pid}'s memory returned by the oom_reaper`);
  out.push(
    `  why:        ${p.kind ? KIND_TEXT[p.kind] : 'unknown constraint'}${p.constraint ? ` [${p.constraint}]` : ''}`,
  );
  if (p.memcg) {
    const mem = p.report.memcg?.memory;
    out.push(
      `  memcg:      ${p.memcg}${mem ? `: usage ${formatBytes(mem.usageKb * 1024)} of limit ${formatBytes(mem.limitKb * 1024)}` : ''}`,
    );
  }
  if (p.taskMemcg && p.taskMemcg !== p.memcg) out.push(`  victim's cgroup: ${p.taskMemcg}`);
  if (p.pod) {
    out.push(
      `  kubernetes: pod ${p.pod.podUid} (${p.pod.qos})${p.pod.containerId ? `, container ${p.pod.containerId}` : ', pod-level cgroup'}${p.pod.runtime ? ` [${p.pod.runtime}]` : ''}`,
    );
  }
  if (p.totalPages) {
    out.push(
      `  totalpages: ${p.totalPages.pages} (${p.totalPages.source})${p.totalPages.assumption ? `; ${p.totalPages.assumption}` : ''}`,
    );
  }
  out.push(`  page size:  ${p.pageSize.bytes} B (${p.pageSize.source})`);
  const r = p.recomputed;
  out.push(`  recomputed: ${r.verdict.toUpperCase()} — ${r.why}`);
  if (r.runnerUp && r.marginPages !== null && r.marginBytes !== null) {
    out.push(
      `  runner-up:  ${r.runnerUp.pid} (${r.runnerUp.name}) ${r.runnerUp.badness} pages; margin ${r.marginPages} pages (${formatBytes(r.marginBytes)})`,
    );
  }
  if (p.ranking.length > 0) {
    out.push(`  tasks (${p.ranking.length}, highest badness first):`);
    out.push(
      `    ${'pid'.padStart(8)} ${'badness'.padStart(10)} ${'rss'.padStart(9)} ${'swap'.padStart(8)} ${'ptes'.padStart(6)} ${'adj'.padStart(5)}  name`,
    );
    for (const t of p.ranking.slice(0, SHOWN_ROWS)) out.push(`    ${row(t)}`);
    if (p.ranking.length > SHOWN_ROWS)
      out.push(`    … ${p.ranking.length - SHOWN_ROWS} more (--json shows all)`);
  }
  const o = p.oomguard;
  const verdict =
    o.verdict === 'would-act'
      ? `WOULD ACT (${o.level})`
      : o.verdict === 'would-not-act'
        ? 'WOULD NOT ACT'
        : 'NOT ENOUGH DATA';
  out.push(`  oomguard:   ${verdict} — ${o.why}`);
  if (o.when) out.push(`              when: ${o.when}`);
  if (o.pick)
    out.push(`              victim: ${o.pick.pid} (${o.pick.name})${o.pickNote ? ` — ${o.pickNote}` : ''}`);
  else if (o.pickNote) out.push(`              victim: ${o.pickNote}`);
  // Names and paths come from the log, which any process can put words into: no control character reaches a terminal.
  return out.map(safeText).join('\n');
}

function row(t: ScoredTask): string {
  const badness = t.badness === null ? `(${t.ineligible})` : String(t.badness);
  return `${String(t.pid).padStart(8)} ${badness.padStart(10)} ${String(t.rssPages).padStart(9)} ${String(t.swapPages).padStart(8)} ${String(t.pageTablePages).padStart(6)} ${String(t.oomScoreAdj).padStart(5)}  ${t.name}`;
}
