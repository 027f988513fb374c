// Selection cost: at 1,000, 5,000 and 10,000 processes (sleepers in a PID namespace of their own, so every
// contender sees only them), the CPU time of one full victim selection by oomguard (LinuxHost.sample +
// rankProcesses, in-process), the C floor, earlyoom (--dryrun below its limit: one selection per loop) and
// nohang (--tasks, its own timer). Contenders alternate within each round; figures are medians of rounds.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, REPO, resultFile } from '../lib/paths.js';
import { ratio, type Summary, show, summarize } from '../lib/stats.js';

const counts = (process.env.BENCH_PROCS ?? '1000,5000,10000').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const earlyoomSeconds = Number(process.env.BENCH_EARLYOOM_SECONDS ?? 3);
/** Process mixes: all sleepers alike (every oom_score equal), and the same with 10 hogs of 32..320 MiB. */
const shapes = (process.env.BENCH_SHAPES ?? '0,10').split(',').map(Number);

interface Inner {
  n: number;
  processes: number;
  iterations: number;
  rounds: Record<string, number>[];
}

const CONTENDERS = [
  'oomguard',
  'oomguard-full',
  'floor-exact',
  'floor-two-phase',
  'floor-stat-status',
  'floor-score',
  'earlyoom',
  'nohang-wall',
] as const;

const results: {
  n: number;
  hogs: number;
  processes: number;
  detailed: number;
  figures: Record<string, Summary>;
}[] = [];
for (const hogs of shapes) {
  for (const n of counts) {
    process.stderr.write(`selection: ${n} sleepers (${hogs} hogs), ${rounds} rounds\n`);
    const r = spawnSync(
      'unshare',
      [
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        process.execPath,
        '--import',
        'tsx',
        join(REPO, 'bench/selection/inner.ts'),
        String(n),
        String(rounds),
        String(earlyoomSeconds),
        String(hogs),
      ],
      { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 },
    );
    if (r.status !== 0) throw new Error(`selection at ${n} processes failed (${r.status ?? r.signal})`);
    const inner = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Inner;
    const figures: Record<string, Summary> = {};
    for (const key of Object.keys(inner.rounds[0] ?? {})) {
      figures[key] = summarize(inner.rounds.map((x) => x[key] as number));
    }
    if (inner.rounds.some((x) => x['oomguard-victim'] !== x['oomguard-full-victim'])) {
      process.stderr.write(`  the daemon's search and the full scan chose different victims: ${r.stdout}\n`);
    }
    const detailed = inner.rounds[inner.rounds.length - 1]?.['oomguard-detailed'] ?? Number.NaN;
    results.push({ n, hogs, processes: inner.processes, detailed, figures });
  }
}

const ms = (s: Summary | undefined): string =>
  s === undefined ? 'n/a' : show({ ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 1);
const lines = [
  'Selection cost: CPU ms per full selection, median (min–max) of rounds',
  `| hogs | processes | oomguard (daemon's search) | records read | oomguard full scan | C floor exact (stat+status+adj) | C floor two-phase | C floor stat+status | C floor oom_score | earlyoom | nohang (wall) | oomguard ÷ floor exact | oomguard ÷ floor two-phase | oomguard ÷ earlyoom |`,
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const { hogs, processes, detailed, figures: f } of results) {
  const o = f.oomguard as Summary;
  const cells = CONTENDERS.map((c) => ms(f[c]));
  cells.splice(1, 0, String(detailed));
  lines.push(
    `| ${hogs} | ${processes} | ${cells.join(' | ')} | ${ratio(o, f['floor-exact'] as Summary)} | ${ratio(o, f['floor-two-phase'] as Summary)} | ${ratio(o, f.earlyoom as Summary)} |`,
  );
}
for (const hogs of shapes) {
  const mine = results.filter((r) => r.hogs === hogs);
  const first = mine[0];
  const last = mine[mine.length - 1];
  if (!first || !last || first === last) continue;
  lines.push('', `Growth from the smallest to the largest count (${hogs} hogs):`);
  for (const k of CONTENDERS) {
    lines.push(
      `- ${k}: ${ratio(last.figures[k] as Summary, first.figures[k] as Summary)} for ${(last.processes / first.processes).toFixed(1)}× the processes`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(resultFile('selection'), `${JSON.stringify(results, null, 2)}\n`);
