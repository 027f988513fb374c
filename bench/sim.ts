// Simulator speed: N processes over a simulated duration at 100 ms steps, under the kernel alone and under
// oomguard's own daemon (default configuration). Prints a Markdown table.
//   node --import tsx bench/sim.ts            # the full set (a few minutes)
//   node --import tsx bench/sim.ts --quick    # 10,000 processes, 10 minutes only
import { performance } from 'node:perf_hooks';
import { DEFAULT_CONFIG } from '../src/config/defaults.js';
import { parseScenario } from '../src/sim/parse.js';
import { type PolicySpec, runPolicy } from '../src/sim/runner.js';

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

async function measure(n: number, minutes: number, policy: PolicySpec): Promise<string> {
  const s = parseScenario(`bench-${n}`, scenarioYaml(n, minutes));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = await runPolicy(s, policy);
  const c = process.cpuUsage(c0);
  const wallMs = performance.now() - t0;
  // CPU time, not wall time: on a shared machine the wall clock also counts the time others ran.
  const cpuMs = (c.user + c.system) / 1000;
  const steps = (minutes * 60_000) / 100;
  return `| ${n.toLocaleString('en')} | ${minutes} min | ${policy.name} | ${(cpuMs / 1000).toFixed(2)} s | ${(wallMs / 1000).toFixed(2)} s | ${((cpuMs * 1000) / steps).toFixed(1)} µs | ${run.summary.ooms} | ${run.summary.victims} |`;
}

const quick = process.argv.includes('--quick');
const rows: string[] = [
  '| processes | simulated | policy | CPU time | wall time | CPU per step | OOMs | victims |',
  '|---|---|---|---|---|---|---|---|',
];
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
for (const [n, minutes, policy] of cases) {
  rows.push(await measure(n, minutes, policy));
  process.stderr.write(`${rows[rows.length - 1]}\n`);
}
process.stdout.write(`${rows.join('\n')}\n`);
