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

interface Inner {
  n: number;
  processes: number;
  iterations: number;
  rounds: Record<string, number>[];
}

const CONTENDERS = [
  'oomguard',
  'oomguard-sample',
  'floor-stat-status',
  'floor-oomguard',
  'floor-score',
  'earlyoom',
  'nohang-wall',
] as const;

const results: { n: number; processes: number; figures: Record<string, Summary> }[] = [];
for (const n of counts) {
  process.stderr.write(`selection: ${n} sleepers, ${rounds} rounds\n`);
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
    ],
    { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 },
  );
  if (r.status !== 0) throw new Error(`selection at ${n} processes failed (${r.status ?? r.signal})`);
  const inner = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Inner;
  const figures: Record<string, Summary> = {};
  for (const key of Object.keys(inner.rounds[0] ?? {})) {
    figures[key] = summarize(inner.rounds.map((x) => x[key] as number));
  }
  results.push({ n, processes: inner.processes, figures });
}

const ms = (s: Summary | undefined): string =>
  s === undefined ? 'n/a' : show({ ...s, median: s.median / 1000, min: s.min / 1000, max: s.max / 1000 }, 1);
const lines = [
  'Selection cost: CPU ms per full selection, median (min–max) of rounds',
  '| processes | oomguard | oomguard: sample only | C floor stat+status | C floor 4 files | C floor oom_score | earlyoom | nohang (wall) | oomguard ÷ floor stat+status | oomguard ÷ floor 4 files | oomguard ÷ earlyoom |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
];
for (const { processes, figures: f } of results) {
  const o = f.oomguard as Summary;
  lines.push(
    `| ${processes} | ${CONTENDERS.map((c) => ms(f[c])).join(' | ')} | ${ratio(o, f['floor-stat-status'] as Summary)} | ${ratio(o, f['floor-oomguard'] as Summary)} | ${ratio(o, f.earlyoom as Summary)} |`,
  );
}
const first = results[0];
const last = results[results.length - 1];
if (first && last && first !== last) {
  const growth = (k: string) =>
    ratio(last.figures[k] as Summary, first.figures[k] as Summary) +
    ` for ${(last.processes / first.processes).toFixed(1)}× the processes`;
  lines.push('', 'Growth from the smallest to the largest count:');
  for (const k of CONTENDERS) lines.push(`- ${k}: ${growth(k)}`);
}
process.stdout.write(`${lines.join('\n')}\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(resultFile('selection'), `${JSON.stringify(results, null, 2)}\n`);
