// Simulator speed: N processes over a simulated duration at 100 ms steps, under the kernel alone and under
// oomguard's own daemon (default configuration), each case BENCH_RUNS times (default 3) in interleaved rounds.
// Prints a Markdown table and writes sim.json under $BENCH_OUT.
//   node --import tsx bench/sim.ts            # the full set (a few minutes)
//   node --import tsx bench/sim.ts --quick    # 10,000 processes, 10 minutes only
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';
import { parseScenario } from '../src/sim/parse.js';
import { type PolicySpec, runPolicy } from '../src/sim/runner.js';
import { OUT, resultFile } from './lib/paths.js';
import { ratio, show, summarize } from './lib/stats.js';

/**
 * n processes in 20 service cgroups: most idle (4..67 MiB, 36 MiB on average), one in a thousand growing at
 * 10 MiB/s, on 52 MiB of RAM per process (512 GiB for 10,000), so that the growers cause a few OOMs an hour.
 */
function scenarioYaml(n: number, minutes: number): string {
  const lines = [
    `machine: { ram: ${Math.ceil((n * 52) / 1024)}GiB, page_cache: 8GiB }`,
    `run: { duration: ${minutes}min, step: 100ms }`,
    'cgroups:',
  ];
  for (let c = 0; c < 20; c++) lines.push(`  - { path: /system.slice/s${c}.service }`);
  lines.push('processes:');
  for (let i = 0; i < n; i++) {
    const cg = `/system.slice/s${i % 20}.service`;
    const size = 4 + ((i * 7919) % 64);
    const grow = i % 1000 === 999 ? ', grow: 10MiB/s' : '';
    lines.push(`  - { name: p${i}, cgroup: ${cg}, age: ${1 + (i % 50)}h, cpu: 1%, anon: ${size}MiB${grow} }`);
  }
  return `${lines.join('\n')}\n`;
}

const KERNEL: PolicySpec = { name: 'kernel', kind: 'kernel' };
const OOMGUARD: PolicySpec = {
  name: 'oomguard:(defaults)',
  kind: 'oomguard',
  file: '(defaults)',
  config: { ...DEFAULT_CONFIG, reportIntervalMs: 0 },
};

interface Measured {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly ooms: number;
  readonly victims: number;
}

async function measure(n: number, minutes: number, policy: PolicySpec): Promise<Measured> {
  const s = parseScenario(`bench-${n}`, scenarioYaml(n, minutes));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = await runPolicy(s, policy);
  const c = process.cpuUsage(c0);
  // CPU time, not wall time: on a shared machine the wall clock also counts the time others ran.
  return {
    cpuMs: (c.user + c.system) / 1000,
    wallMs: performance.now() - t0,
    ooms: run.summary.ooms,
    victims: run.summary.victims,
  };
}

const quick = process.argv.includes('--quick');
const rounds = Number(process.env.BENCH_RUNS ?? 3);
const cases: [number, number, PolicySpec][] = quick
  ? [[10_000, 10, KERNEL]]
  : [
      [10_000, 60, KERNEL],
      [10_000, 60, OOMGUARD],
      [1_000, 10, KERNEL],
      [2_500, 10, KERNEL],
      [5_000, 10, KERNEL],
      [10_000, 10, KERNEL],
      [20_000, 10, KERNEL],
      [10_000, 20, KERNEL],
      [10_000, 40, KERNEL],
    ];
// Every case once per round, rounds in turn: a slow spell on a shared machine touches all cases alike.
const results: Measured[][] = cases.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [i, [n, minutes, policy]] of cases.entries()) {
    const m = await measure(n, minutes, policy);
    results[i]?.push(m);
    process.stderr.write(
      `  round ${round + 1}: ${n} processes, ${minutes} min, ${policy.name}: ${(m.cpuMs / 1000).toFixed(2)} s CPU\n`,
    );
  }
}
const rows: string[] = [
  `Simulator: CPU time per run, median (min–max) of ${rounds} rounds; 100 ms steps`,
  '',
  '| processes | simulated | policy | CPU time s | wall time s | CPU per step µs | simulated ÷ CPU time | OOMs | victims |',
  '|---|---|---|---|---|---|---|---|---|',
];
const summaries = cases.map(([n, minutes, policy], i) => {
  const ms = results[i] ?? [];
  const cpu = summarize(ms.map((m) => m.cpuMs / 1000));
  const steps = (minutes * 60_000) / 100;
  const perStep = summarize(ms.map((m) => (m.cpuMs * 1000) / steps));
  const speed = summarize(ms.map((m) => (minutes * 60_000) / m.cpuMs));
  const last = ms[ms.length - 1];
  rows.push(
    `| ${n.toLocaleString('en')} | ${minutes} min | ${policy.name} | ${show(cpu, 2)} | ${show(summarize(ms.map((m) => m.wallMs / 1000)), 2)} | ${show(perStep)} | ${show(speed, 0)}× | ${last?.ooms ?? 'n/a'} | ${last?.victims ?? 'n/a'} |`,
  );
  return { processes: n, minutes, policy: policy.name, cpuSeconds: cpu, cpuPerStepUs: perStep, runs: ms };
});
const k60 = summaries.find((x) => x.minutes === 60 && x.policy === KERNEL.name);
const o60 = summaries.find((x) => x.minutes === 60 && x.policy === OOMGUARD.name);
if (k60 && o60)
  rows.push(
    '',
    `oomguard's daemon ÷ kernel alone (10,000 processes, 60 min): ${ratio(o60.cpuSeconds, k60.cpuSeconds)}`,
  );
process.stdout.write(`${rows.join('\n')}\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(resultFile('sim'), `${JSON.stringify(summaries, null, 2)}\n`);
