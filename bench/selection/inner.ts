// Runs as PID 1 of a fresh PID namespace (bench/selection/run.ts starts it with unshare): starts N sleepers
// (HOGS of them holding 32, 64, ... MiB), then in each round times, one after another, the C floor in its
// modes, oomguard's in-process selection as the daemon makes it (VictimSearcher: two phases where they
// apply and pay) and forced full scans, earlyoom's dry-run victim search and nohang's. Prints one JSON object.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { VictimSearcher } from '../../src/daemon/victim-search.js';
import { LinuxHost } from '../../src/host/linux/linux-host.js';
import { sampleForRanking } from '../../src/host/ranking-sample.js';
import { selectVictim } from '../../src/policy/select.js';
import { BIN } from '../lib/paths.js';
import { runThenExit, startSleepers } from '../lib/sleepers.js';

const n = Number(process.argv[2]);
const rounds = Number(process.argv[3] ?? 5);
const earlyoomSeconds = Number(process.argv[4] ?? 3);
const hogs = Number(process.argv[5] ?? 0);
const FLOOR_MODES = ['score', 'stat-status', 'exact', 'two-phase'] as const;
const noFacts = () => () => null;

/** Per round: CPU µs per selection for each contender. */
type Round = Record<string, number>;

/** CPU time a process has run, ns (first field of /proc/PID/schedstat). */
function runNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

function floor(mode: string, iterations: number): { cpuUs: number; wallUs: number; seen: number } {
  const r = spawnSync(join(BIN, 'floor'), [mode, String(iterations)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`floor ${mode}: ${r.stderr}`);
  const [cpu, wall, seen] = r.stdout.trim().split(' ').map(Number);
  return { cpuUs: (cpu as number) / 1000, wallUs: (wall as number) / 1000, seen: seen as number };
}

/** CPU µs per selection, as the daemon selects (`daemon`) or always reading every process (`full`). */
function oomguard(
  host: LinuxHost,
  iterations: number,
  how: 'daemon' | 'full',
): { cpuUs: number; wallUs: number; victim: number; detailed: number } {
  // One searcher for all iterations, as in the daemon: it learns whether two phases pay on this mix.
  const searcher = new VictimSearcher(host, []);
  let victim = 0;
  let detailed = 0;
  const once = () => {
    if (how === 'full') {
      const snap = sampleForRanking(host, {});
      victim = selectVictim(snap, DEFAULT_CONFIG, [], () => null).victim?.candidate.pid ?? 0;
      detailed = snap.processes.length;
    } else {
      const s = searcher.search(DEFAULT_CONFIG, noFacts);
      victim = s.selection.victim?.candidate.pid ?? 0;
      detailed = s.detailed;
    }
  };
  once();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < iterations; i++) once();
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuUs: (cpu.user + cpu.system) / iterations,
    wallUs: ((performance.now() - wall0) * 1000) / iterations,
    victim,
    detailed,
  };
}

/** earlyoom --dryrun below its limit selects a victim on every loop: CPU time per loop over a few seconds. */
async function earlyoom(seconds: number): Promise<{ cpuUs: number; selections: number }> {
  // Line-buffered: earlyoom's stdout is a pipe here, and a full buffer would hide whole selections.
  const child = spawn('stdbuf', ['-oL', '-eL', 'earlyoom', '--dryrun', '-m', '99', '-s', '100', '-r', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = 0;
  let text = '';
  const count = (d: Buffer) => {
    seen += d.toString().split('dryrun, not actually').length - 1;
    if (text.length < 4000) text += d.toString();
  };
  child.stdout?.on('data', count);
  child.stderr?.on('data', count);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const pid = child.pid as number;
    const ns0 = runNs(pid);
    const sel0 = seen;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ns1 = runNs(pid);
    const sel1 = seen;
    const selections = sel1 - sel0;
    if (selections === 0)
      process.stderr.write(`  earlyoom made no selection in ${seconds} s; it said:\n${text}\n`);
    return { cpuUs: selections > 0 ? (ns1 - ns0) / 1000 / selections : Number.NaN, selections };
  } finally {
    child.kill('SIGKILL');
  }
}

/** nohang --tasks reports how long its victim search took (wall ms, with its process table). */
function nohang(): number {
  const r = spawnSync('nohang', ['--tasks', '-c', '/etc/nohang/nohang.conf'], { encoding: 'utf8' });
  const m = /found in (\d+)ms/.exec(`${r.stdout}${r.stderr}`);
  return m ? Number(m[1]) * 1000 : Number.NaN;
}

async function main(): Promise<void> {
  // oom_score_adj 1 for the sleepers and their hogs (choom execs sleepers; children inherit it): all alike still
  // tie among themselves, and now score above earlyoom, whose own RSS made it the largest of a mix of tiny
  // sleepers: it "selected myself", refused, slept a second, and no selection of its was ever counted.
  const sleepers = await startSleepers(n, hogs, 1);
  // The hogs touch their memory after the sleepers said ready: give them time to finish (1.7 GiB for 10).
  if (hogs > 0) await new Promise((r) => setTimeout(r, 3000));
  const iterations = Math.max(5, Math.ceil(50_000 / n));
  const host = new LinuxHost();
  oomguard(host, iterations, 'full'); // warm-up: JIT and buffers
  oomguard(host, iterations, 'daemon');
  const results: Round[] = [];
  let processes = 0;
  for (let r = 0; r < rounds; r++) {
    const round: Round = {};
    for (const mode of FLOOR_MODES) {
      const f = floor(mode, iterations);
      round[`floor-${mode}`] = f.cpuUs;
      if (mode === 'exact') processes = f.seen;
    }
    const o = oomguard(host, iterations, 'daemon');
    round.oomguard = o.cpuUs;
    round['oomguard-wall'] = o.wallUs;
    round['oomguard-detailed'] = o.detailed;
    round['oomguard-victim'] = o.victim;
    const f = oomguard(host, iterations, 'full');
    round['oomguard-full'] = f.cpuUs;
    round['oomguard-full-victim'] = f.victim;
    const e = await earlyoom(earlyoomSeconds);
    round.earlyoom = e.cpuUs;
    round['earlyoom-selections'] = e.selections;
    round['nohang-wall'] = nohang();
    results.push(round);
    process.stderr.write(`  n=${n} round ${r + 1}/${rounds}: ${JSON.stringify(round)}\n`);
  }
  host.close();
  process.stdout.write(`${JSON.stringify({ n, processes, iterations, rounds: results })}\n`);
  sleepers.kill('SIGKILL');
}

runThenExit(main);
