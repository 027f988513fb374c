// Reports of other kernel versions (test/fixtures/oom-reports, written in each version's exact format):
// every expected number below is computed by hand in the comments, from the report's own lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { analyzeReport, type Postmortem } from '../../src/postmortem/analyze.js';
import { parseOomReports } from '../../src/postmortem/parse.js';
import { REPO } from '../helpers/cli.js';

const DIR = join(REPO, 'test/fixtures/oom-reports');

function analyze(file: string): Postmortem[] {
  return parseOomReports(readFileSync(join(DIR, file), 'utf8')).map((r) =>
    analyzeReport(r, { config: DEFAULT_CONFIG }),
  );
}

function only(file: string): Postmortem {
  const all = analyze(file);
  assert.equal(all.length, 1, `${file}: one report`);
  return all[0] as Postmortem;
}

/** pid → badness in the order the kernel would pick (null: ineligible). */
const order = (p: Postmortem) => p.ranking.map((t) => [t.pid, t.badness]);

test('3.10 (RHEL 7) memcg, syslog: the 3 % root bonus decides between two java processes', () => {
  const p = only('linux-3.10.0-rhel7-memcg-syslog.log');
  assert.equal(p.partial, false);
  assert.equal(p.host, 'app01');
  assert.equal(p.kernelVersion, '3.10.0-1160.el7.x86_64');
  assert.equal(p.kind, 'memcg');
  assert.equal(p.memcg, '/app');
  assert.equal(p.taskMemcg, '/app');
  assert.deepEqual(p.trigger, {
    comm: 'java',
    pid: 2235,
    gfpMask: '0xd0',
    gfpFlags: null,
    order: 0,
    oomScoreAdj: 0,
  });
  assert.deepEqual(p.report.selected, {
    context: 'Memory cgroup out of memory',
    pid: 2190,
    comm: 'java',
    score: 383,
  });
  assert.equal(p.victim?.pid, 2190);
  assert.equal(p.victim?.shmemRssKb, null, '3.10 prints no shmem-rss');
  // T = 1 GiB limit (262144 pages) + (2 GiB memsw − 1 GiB) allowance 262144 = 524288.
  assert.equal(p.totalPages?.pages, 524288);
  // The syslog line of crond between the rows is not part of the table.
  assert.deepEqual(
    p.report.tasks.map((t) => [
      t.pid,
      t.uid,
      t.tgid,
      t.totalVm,
      t.rss,
      t.nrPtes,
      t.swapents,
      t.oomScoreAdj,
      t.name,
    ]),
    [
      [2101, 0, 2101, 28281, 1050, 58, 0, 0, 'bash'],
      [2190, 1001, 2190, 1520001, 180224, 512, 20480, 0, 'java'],
      [2235, 0, 2235, 1610000, 190000, 520, 16000, 0, 'java'],
    ],
  );
  // 2190 (uid 1001): 180224 + 512 + 20480 = 201216. 2235 (root): 206520 − trunc(206520·3/100 = 6195.6) = 200325.
  // bash (root): 1108 − 33 = 1075. Without the bonus 2235 would win; the kernel named 2190.
  assert.deepEqual(order(p), [
    [2190, 201216],
    [2235, 200325],
    [2101, 1075],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
  assert.equal(p.recomputed.marginPages, 891);
  // score = trunc(201216 · 1000 / 524288) = trunc(383.79) = 383, as printed.
  assert.deepEqual(p.recomputed.score, { kernel: 383, recomputed: 383 });
  assert.equal(p.oomguard.verdict, 'not-enough-data');
});

test('4.14 global, dmesg: Mem-Info rebuilds MemAvailable; the child-sacrifice era prints the score', () => {
  const p = only('linux-4.14-global-dmesg.log');
  assert.equal(p.partial, false);
  assert.equal(p.kind, 'global');
  assert.equal(p.report.trigger?.nodemask, '(null)');
  assert.equal(p.report.cpuset, '/');
  assert.equal(p.report.taskTable?.layout, 'nr_ptes+nr_pmds');
  // Present 15992 + 2080636 kB over 524157 pages RAM = 4 kB pages.
  assert.equal(p.pageSize.bytes, 4096);
  // totalram = 524157 − 22000 reserved = 502157, no swap; trunc(T/1000) = 502.
  assert.equal(p.totalPages?.pages, 502157);
  // node: 150200 + 320 + 4 + 300·502 = 301124. stress (root): 300726 − 9021 = 291705. sshd (root): 3198 − 95 = 3103.
  assert.deepEqual(order(p), [
    [1502, 301124],
    [1630, 291705],
    [877, 3103],
    [601, 1281],
    [412, null],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
  assert.equal(p.recomputed.runnerUp?.pid, 1630);
  assert.equal(p.recomputed.marginPages, 9419);
  // trunc(301124000 / 502157) = trunc(599.66) = 599.
  assert.deepEqual(p.recomputed.score, { kernel: 599, recomputed: 599 });
  assert.deepEqual(p.report.reaped, { pid: 1502, comm: 'node', anonRssKb: 0, fileRssKb: 0, shmemRssKb: 0 });
  // si_mem_available: reserve DMA min(1946 + 134, 3977) + DMA32 min(0 + 16760, 498180) = 18840; low 112 + 13967 = 14079;
  // 13309 − 18840 + (515 − 257) + (4120 − 2060) < 0 → 0 available: at the kill level (no swap).
  assert.equal(p.oomguard.verdict, 'would-act');
  assert.equal(p.oomguard.level, 'kill');
  assert.deepEqual(p.oomguard.pick, { pid: 1502, name: 'node' });
});

test('4.19 Docker memcg, journalctl -k: the oom-kill line names the memcg; adj 500 beats the larger process', () => {
  const p = only('linux-4.19-docker-memcg-journal.log');
  const id = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
  assert.equal(p.partial, false);
  assert.equal(p.constraint, 'CONSTRAINT_MEMCG');
  assert.equal(p.memcg, `/docker/${id}`);
  assert.equal(p.report.constraint?.cpuset, id);
  assert.equal(p.pod, null);
  assert.deepEqual(p.report.memcg?.memsw, { usageKb: 649792, limitKb: 1048576, failcnt: 0 });
  // 4.x inline stats are in KB: rss:517904KB = 530333696 bytes.
  assert.equal(p.report.memcg?.stats.rss, 517904 * 1024);
  // T = 131072 + (262144 − 131072) = 262144; trunc(T/1000) = 262.
  assert.equal(p.totalPages?.pages, 262144);
  // 5012: 120100 + 15020 + trunc(1093632/4096 = 267) + 500·262 = 266387; 5013: 125000 + 16000 + 270 = 141270.
  assert.deepEqual(order(p), [
    [5012, 266387],
    [5013, 141270],
    [4850, 10182],
    [4801, 192],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
  assert.equal(p.recomputed.marginPages, 125117);
  // trunc(266387000 / 262144) = trunc(1016.19) = 1016.
  assert.deepEqual(p.recomputed.score, { kernel: 1016, recomputed: 1016 });
  assert.equal(p.report.reaped?.pid, 5012);
});

test('5.10 Kubernetes pod (systemd driver), dmesg -T: pod UID and container ID from the cgroup path', () => {
  const p = only('linux-5.10-kubepods-memcg-dmesg-T.log');
  assert.equal(p.stamp, 'Tue Mar  4 11:22:33 2025');
  assert.deepEqual(p.pod, {
    podUid: '6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b',
    qos: 'burstable',
    containerId: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    runtime: 'cri-containerd',
  });
  assert.deepEqual(p.victim, {
    context: 'Memory cgroup out of memory',
    pid: 30120,
    comm: 'java',
    totalVmKb: 4520800,
    anonRssKb: 985600,
    fileRssKb: 14800,
    shmemRssKb: 0,
    uid: 1000,
    pgtablesKb: 2364,
    oomScoreAdj: 968,
  });
  // memory+swap unlimited: the allowance is the host's total swap, which the report lacks → 0, said so.
  assert.equal(p.totalPages?.pages, 262144);
  assert.match(p.totalPages?.assumption ?? '', /total swap is not in a memcg report/);
  // Multi-line v2-style stats of 5.x.
  assert.equal(p.report.memcg?.stats.inactive_file, 7581696);
  // java: 250100 + 591 + 968·262 (253616) = 504307; sh: 900 + 14 + 253616 = 254530. Equal adj: T cannot change the order.
  assert.deepEqual(order(p), [
    [30120, 504307],
    [30188, 254530],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
});

test('6.1 global with swap, journalctl ISO: a BestEffort pod (adj 1000) dies first; exact MemAvailable', () => {
  const p = only('linux-6.1-global-swap-journal-iso.log');
  assert.equal(p.host, 'web3');
  assert.equal(p.kind, 'global');
  assert.equal(p.memcg, null);
  assert.equal(p.report.constraint?.oomMemcg, null);
  assert.deepEqual(p.pod, {
    podUid: '0b6c7d8e-1f2a-4b3c-9d4e-5f6a7b8c9d0e',
    qos: 'besteffort',
    containerId: '4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e',
    runtime: null,
  });
  // T = (4194173 − 103338) + 2097148 kB / 4 = 4090835 + 524287 = 4615122; trunc(T/1000) = 4615.
  assert.equal(p.totalPages?.pages, 4615122);
  // batch: 50000 + 8000 + 127 + 1000·4615 = 4673127. The two workers tie at 1402422: the later (9101) ranks first.
  assert.deepEqual(order(p), [
    [9305, 4673127],
    [9101, 1402422],
    [9100, 1402422],
    [388, 900 + 300 + 26 - 250 * 4615],
    [702, 12000 + 4000 + 82 - 999 * 4615],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
  assert.equal(p.recomputed.marginPages, 4673127 - 1402422);
  assert.equal(p.report.reaped?.pid, 9305, 'the reaper line two seconds later joins the report');
  // si_mem_available: reserve min(15851 + 9, 3840) + min(12941 + 2094, 762242) + 9137 = 28012; low 6 + 1349 + 5886 = 7241;
  // 40600 − 28012 + (2150 − 1075) + (18000 − 7241) = 24422 pages = 95.4 MiB of MemTotal 4090835 pages: 0.6 %.
  // Swap free 10240 kB of 2097148 kB = 0.49 %. Both at or below 5 %: kill.
  assert.equal(p.oomguard.verdict, 'would-act');
  assert.equal(p.oomguard.level, 'kill');
  assert.match(p.oomguard.why, /memory available 95\.4 MiB = 0\.6 %/);
  assert.deepEqual(p.oomguard.pick, { pid: 9305, name: 'batch' });
});

test('6.8 global without swap, dmesg: two identical renderers tie and the later one in the table dies', () => {
  const p = only('linux-6.8-global-tie-dmesg.log');
  assert.equal(p.report.taskTable?.layout, 'rss-split');
  assert.deepEqual(
    p.report.tasks.map((t) => [
      t.pid,
      t.rss,
      t.rssAnon,
      t.rssFile,
      t.rssShmem,
      t.pgtablesBytes,
      t.swapents,
      t.oomScoreAdj,
      t.name,
    ]),
    [
      [512, 700, 380, 320, 0, 61440, 0, 0, 'cron'],
      [7001, 800000, 799000, 1000, 0, 6553600, 0, 0, 'renderer'],
      [7002, 800000, 799000, 1000, 0, 6553600, 0, 0, 'renderer'],
      [7100, 200000, 199500, 500, 0, 1638400, 0, 100, 'indexer'],
    ],
  );
  // T = 4090835 (no swap), trunc(T/1000) = 4090. renderer: 800000 + 1600 = 801600 each; indexer 200000 + 400 + 409000.
  assert.equal(p.totalPages?.pages, 4090835);
  assert.deepEqual(order(p), [
    [7002, 801600],
    [7001, 801600],
    [7100, 609400],
    [512, 715],
  ]);
  assert.equal(p.recomputed.verdict, 'agrees');
  assert.equal(p.recomputed.marginPages, 0);
  assert.match(p.recomputed.why, /tied with 7001 and chosen as the later of the two/);
  // The USB line inside the Mem-Info is another driver's and changes nothing.
  assert.equal(p.partial, false);
  // 30000 − 28012 + (1440 − 720) + (9000 − 4500) = 7208 pages available: kill level.
  assert.equal(p.oomguard.level, 'kill');
  assert.match(p.oomguard.why, /memory available 28\.2 MiB/);
});

test('merged syslog of two hosts, starting mid-report and cut at the end: partial reports stay partial, nothing is misattributed', () => {
  const all = analyze('linux-5.15-two-hosts-merged-truncated.log');
  assert.deepEqual(
    all.map((p) => [p.host, p.lines.first, p.partial, p.victim?.pid ?? null]),
    [
      ['hosta', 1, true, 4410],
      ['hosta', 3, false, 2001],
      ['hostb', 5, true, 811],
      ['hosta', 27, true, null],
    ],
  );
  const [orphan, a1, b1, a2] = all as [Postmortem, Postmortem, Postmortem, Postmortem];
  assert.match(orphan.problems[0] ?? '', /beginning of the report is missing/);
  assert.equal(orphan.report.reaped?.pid, 4410);
  // hosta's table holds only hosta's rows though hostb's rows are interleaved with them.
  assert.deepEqual(
    a1.report.tasks.map((t) => t.pid),
    [2001, 2002],
  );
  // v2 memcg with swap limit 0: T = 65536 exactly, no assumption. 2001: 40000 + 93 + 200·65 = 53093.
  assert.deepEqual(a1.totalPages, { pages: 65536, source: a1.totalPages?.source, assumption: null });
  assert.deepEqual(order(a1), [
    [2001, 53093],
    [2002, 20049],
  ]);
  assert.equal(a1.recomputed.verdict, 'agrees');
  assert.equal(a1.memcg, '/system.slice/app.service');
  // hostb's garbled row makes its table unreliable: reported, and no verdict drawn from it.
  assert.deepEqual(
    b1.report.tasks.map((t) => t.pid),
    [811],
  );
  assert.match(b1.problems[0] ?? '', /task table row at line 22 could not be read/);
  assert.equal(b1.recomputed.verdict, 'undecided');
  assert.equal(b1.memcg, '/system.slice/db.service');
  assert.deepEqual(a2.problems, ['the log ends before the kernel said whom it killed']);
  assert.equal(a2.recomputed.verdict, 'undecided');
});
