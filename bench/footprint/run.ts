// Footprint: RSS and CPU of each daemon over a window, idle and under pressure, side by side. Every
// contender runs at the same time in a PID namespace of its own with 1,000 sleepers, so none can signal
// anything outside it: oomguard (run --dry-run), bare Node (setInterval), earlyoom (--dryrun), nohang
// (--monitor, idle only: it has no dry run and refuses thresholds above 50 %, so it cannot be put under
// pressure without killing). "Pressure" sets each threshold above what is available (-m 99): earlyoom
// then searches for a victim on every loop, oomguard on every look outside its cooldown.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, OUT, REPO, resultFile } from '../lib/paths.js';
import { ratio, type Summary, show, summarize } from '../lib/stats.js';

const seconds = Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 60);
/**
 * Seconds before the window opens. A daemon that looks once a second has its look functions optimised by
 * V8 after a few dozen looks (tens of ms on a worker thread, once): a window opened at 8 s caught that
 * one-off cost and tripled oomguard's idle figure. Since idle looks are 3 s apart (poll.max), those few dozen
 * looks take a few minutes: 240 s leaves start-up and JIT behind (at 60 s the window still caught compiles,
 * 0.085 % instead of 0.02 %).
 */
const warmupSeconds = Number(process.env.BENCH_FOOTPRINT_WARMUP ?? 240);
/** Which conditions to measure: "idle,pressure" (the default), or one of them. */
const conditions = (process.env.BENCH_FOOTPRINT_CONDITIONS ?? 'idle,pressure')
  .split(',')
  .map((c) => c.trim())
  .filter((c): c is Condition => c === 'idle' || c === 'pressure');
if (conditions.length === 0) throw new Error('BENCH_FOOTPRINT_CONDITIONS: expected idle, pressure or both');
const runs = Number(process.env.BENCH_RUNS ?? 3);
const SLEEPERS = 1000;

type Condition = 'idle' | 'pressure';
const OOMGUARD = [process.execPath, join(REPO, 'dist/cli/main.js'), 'run', '--dry-run', '-r', '0'];
const CONTENDERS: Record<string, Record<Condition, string[] | null>> = {
  oomguard: { idle: OOMGUARD, pressure: [...OOMGUARD, '-m', '99', '-s', '100'] },
  node: {
    idle: [process.execPath, '-e', 'setInterval(()=>{},1000)'],
    pressure: [process.execPath, '-e', 'setInterval(()=>{},1000)'],
  },
  earlyoom: {
    idle: ['earlyoom', '--dryrun', '-r', '0'],
    pressure: ['earlyoom', '--dryrun', '-r', '0', '-m', '99', '-s', '100'],
  },
  nohang: { idle: ['nohang', '--monitor', '-c', '/etc/nohang/nohang.conf'], pressure: null },
};

/** Starts `argv` as the last process of a fresh PID namespace holding the sleepers. */
function inNamespace(argv: string[]): ChildProcess {
  const script = `${join(BIN, 'sleepers')} ${SLEEPERS} >/dev/null & sleep 1; exec "$@" >/dev/null 2>&1`;
  return spawn(
    'unshare',
    ['--pid', '--fork', '--kill-child', '--mount-proc', 'bash', '-c', script, 'bash', ...argv],
    {
      stdio: 'ignore',
    },
  );
}

/** The daemon: the namespace's bash after its exec, a grandchild of unshare. */
function daemonPid(unsharePid: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== unsharePid) continue;
      return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

/** CPU time of every thread of a process, ns (schedstat: finer than the 10 ms ticks of stat). */
function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that ended
    }
  }
  return total;
}

function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(condition: Condition): Promise<Record<string, { cpuPct: number; rssMiB: number }>> {
  const started: [string, ChildProcess][] = [];
  for (const [name, argv] of Object.entries(CONTENDERS)) {
    const a = argv[condition];
    if (a) started.push([name, inNamespace(a)]);
  }
  try {
    await sleep(warmupSeconds * 1000);
    const pids = new Map<string, number>();
    for (const [name, child] of started) {
      const pid = daemonPid(child.pid as number);
      if (pid === null) throw new Error(`${name}: not running`);
      pids.set(name, pid);
    }
    const cpu0 = new Map([...pids].map(([n, p]) => [n, cpuNs(p)]));
    const rss = new Map<string, number[]>([...pids].map(([n]) => [n, []]));
    for (let s = 0; s < seconds; s++) {
      await sleep(1000);
      for (const [n, p] of pids) rss.get(n)?.push(rssKiB(p));
    }
    const out: Record<string, { cpuPct: number; rssMiB: number }> = {};
    for (const [n, p] of pids) {
      const ns = cpuNs(p) - (cpu0.get(n) as number);
      out[n] = {
        cpuPct: (ns / 1e9 / seconds) * 100,
        rssMiB: summarize(rss.get(n) ?? []).median / 1024,
      };
    }
    return out;
  } finally {
    for (const [, child] of started) child.kill('SIGKILL'); // unshare's end ends the namespace
    await sleep(500);
  }
}

async function main(): Promise<void> {
  const all: Record<string, { cpuPct: number[]; rssMiB: number[] }> = {};
  for (let run = 0; run < runs; run++) {
    for (const condition of conditions) {
      const r = await measure(condition);
      process.stderr.write(`  footprint ${condition} run ${run + 1}: ${JSON.stringify(r)}\n`);
      for (const [n, v] of Object.entries(r)) {
        const k = `${n} ${condition}`;
        const e = all[k] ?? { cpuPct: [], rssMiB: [] };
        e.cpuPct.push(v.cpuPct);
        e.rssMiB.push(v.rssMiB);
        all[k] = e;
      }
    }
  }
  const s = (k: string, f: 'cpuPct' | 'rssMiB'): Summary => summarize(all[k]?.[f] ?? []);
  const lines = [
    `Footprint: CPU % of one core over ${seconds} s and median VmRSS (MiB), median (min–max) of ${runs} runs`,
    '| daemon | idle CPU % | idle RSS MiB | pressure CPU % | pressure RSS MiB |',
    '|---|---|---|---|---|',
  ];
  for (const n of Object.keys(CONTENDERS)) {
    lines.push(
      `| ${n} | ${show(s(`${n} idle`, 'cpuPct'), 3)} | ${show(s(`${n} idle`, 'rssMiB'), 1)} | ${show(s(`${n} pressure`, 'cpuPct'), 3)} | ${show(s(`${n} pressure`, 'rssMiB'), 1)} |`,
    );
  }
  lines.push(
    '',
    `oomguard ÷ earlyoom idle CPU: ${ratio(s('oomguard idle', 'cpuPct'), s('earlyoom idle', 'cpuPct'))}; ` +
      `oomguard ÷ bare Node idle RSS: ${ratio(s('oomguard idle', 'rssMiB'), s('node idle', 'rssMiB'))}; ` +
      `under pressure: ${ratio(s('oomguard pressure', 'rssMiB'), s('node pressure', 'rssMiB'))}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(resultFile('footprint'), `${JSON.stringify(all, null, 2)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
