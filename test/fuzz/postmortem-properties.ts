// Properties of the kernel-log parser behind `oomguard postmortem` and the daemon's /dev/kmsg watcher: any log
// parses without throwing and in time linear enough for long lines; a report with hostile task names and
// cgroup paths decodes back to the names and numbers the kernel printed.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseOomReports } from '../../src/postmortem/parse.js';
import { commBytes, keywordText, longLine, timed } from './arbitraries.js';
import { type FuzzProperty, SLOW_MS } from './proc-properties.js';

const KEYWORDS = [
  ' invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0',
  'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)',
  ',cpuset=',
  ',mems_allowed=',
  ',oom_memcg=',
  ',global_oom',
  ',task_memcg=',
  ',task=',
  ',pid=',
  ',uid=',
  'Memory cgroup out of memory: Killed process ',
  'Out of memory: Kill process ',
  ' score ',
  ' or sacrifice child',
  ' total-vm:',
  'kB, anon-rss:',
  'kB, file-rss:',
  'kB, shmem-rss:',
  ', UID:',
  ' pgtables:',
  ' oom_score_adj:',
  'oom_reaper: reaped process ',
  'memory: usage ',
  'kB, limit ',
  ', failcnt ',
  'Memory cgroup stats for ',
  '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name',
  '[ ',
  ']',
  'Tasks state (memory values in pages):',
  'Mem-Info:',
  'Node 0 DMA free:',
  'lowmem_reserve[]:',
  'CPU: 1 PID: 42 Comm: a Not tainted 6.1.0 #1',
  'Task in ',
  ' killed as a result of limit of ',
  '[ 1281.927874] ',
  '[Mon Dec  8 17:51:31 2025] ',
  'Apr 18 02:17:55 host kernel: ',
  '2024-01-02T03:04:05+0000 host kernel: ',
  '<4>',
  'kern  :warn  : ',
];

/** Task names as the log shows them: any bytes but newlines (printk would split the line there). */
const logComm = commBytes().map((b) =>
  new TextDecoder('utf-8', { ignoreBOM: true }).decode(b).replace(/[\n\r]/g, '?'),
);
/** Cgroup paths; names may hold commas, colons and spaces but not the report's key words. */
const memcgPath = fc
  .array(
    fc
      .array(fc.constantFrom('a', 'b', '-', '_', '.', ':', ' ', ','), { minLength: 1, maxLength: 8 })
      .map((c) => c.join('')),
    { maxLength: 3 },
  )
  .map((parts) => `/${parts.join('/')}`);

export const postmortemProperties: readonly FuzzProperty[] = [
  {
    name: 'postmortem: any log parses to reports without throwing, quickly',
    check: (p) =>
      fc.assert(
        fc.property(keywordText(KEYWORDS, 40, 8), (text) => {
          let reports: unknown;
          const ms = timed(() => {
            reports = parseOomReports(text);
          });
          assert.ok(Array.isArray(reports));
          assert.ok(ms < SLOW_MS, `parseOomReports took ${ms.toFixed(0)} ms`);
        }),
        p,
      ),
  },
  {
    name: "postmortem: an 8 KB line made of the report's key words parses in bounded time (no backtracking blow-up)",
    check: (p) =>
      fc.assert(
        fc.property(
          longLine(
            KEYWORDS.filter((k) => k.length < 40),
            8192,
          ),
          fc.constantFrom('', 'x invoked oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0\n'),
          (line, before) => {
            const ms = timed(() => parseOomReports(`${before}${line}\n${line.slice(0, 4096)}`));
            assert.ok(
              ms < 2 * SLOW_MS,
              `parseOomReports took ${ms.toFixed(0)} ms on a ${line.length}-character line`,
            );
          },
        ),
        { ...p, numRuns: Math.min(p.numRuns, 100) },
      ),
  },
  {
    name: 'postmortem: hostile task names and cgroup paths decode back (trigger, constraint, victim)',
    check: (p) =>
      fc.assert(
        fc.property(
          fc.record({
            trigger: logComm,
            victim: logComm,
            pid: fc.integer({ min: 1, max: 4_194_304 }),
            uid: fc.nat({ max: 65535 }),
            oomMemcg: fc.option(memcgPath, { nil: null }),
            taskMemcg: memcgPath,
            cpuset: fc.option(memcgPath, { nil: null }),
            kb: fc.array(fc.nat({ max: 2 ** 40 }), { minLength: 5, maxLength: 5 }),
            adj: fc.integer({ min: -1000, max: 1000 }),
          }),
          (r) => {
            const [vm, anon, file, shmem, pte] = r.kb as [number, number, number, number, number];
            const scope = r.oomMemcg === null ? 'global_oom' : `oom_memcg=${r.oomMemcg}`;
            const cpuset = r.cpuset === null ? '' : `,cpuset=${r.cpuset},mems_allowed=0`;
            const lines = [
              `[  100.000001] ${r.trigger} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=${r.adj}`,
              `[  100.000002] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null)${cpuset},${scope},task_memcg=${r.taskMemcg},task=${r.victim},pid=${r.pid},uid=${r.uid}`,
              `[  100.000003] Out of memory: Killed process ${r.pid} (${r.victim}) total-vm:${vm}kB, anon-rss:${anon}kB, file-rss:${file}kB, shmem-rss:${shmem}kB, UID:${r.uid} pgtables:${pte}kB oom_score_adj:${r.adj}`,
            ];
            const reports = parseOomReports(`${lines.join('\n')}\n`);
            assert.equal(reports.length, 1);
            const rep = reports[0];
            assert.equal(rep?.trigger?.comm, r.trigger);
            assert.deepEqual(rep?.constraint, {
              constraint: 'CONSTRAINT_NONE',
              nodemask: '(null)',
              cpuset: r.cpuset,
              memsAllowed: r.cpuset === null ? null : '0',
              oomMemcg: r.oomMemcg,
              taskMemcg: r.taskMemcg,
              task: r.victim,
              pid: r.pid,
              uid: r.uid,
            });
            assert.deepEqual(rep?.killed, [
              {
                context: 'Out of memory',
                pid: r.pid,
                comm: r.victim,
                totalVmKb: vm,
                anonRssKb: anon,
                fileRssKb: file,
                shmemRssKb: shmem,
                uid: r.uid,
                pgtablesKb: pte,
                oomScoreAdj: r.adj,
              },
            ]);
          },
        ),
        p,
      ),
  },
];
