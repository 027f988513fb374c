// oomguard simulate FILE: run a scenario on the simulated kernel under one or more policies.
import { writeFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { UsageError } from '../model/errors.js';
import { renderHtml, renderSvg } from '../sim/chart.js';
import { loadScenario } from '../sim/load.js';
import { renderReport, toJson } from '../sim/report.js';
import { parsePolicy, runScenario } from '../sim/runner.js';
import { writeJson } from './context.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`${file}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run a scenario on the simulated kernel under one or more policies, side by side')
    .argument('<file>', 'scenario file (YAML, see docs/simulator.md)')
    .option(
      '--policy <name>',
      'kernel, legacy, earlyoom, cgroup, kube or oomguard:FILE (repeatable; default: all built-in ones)',
      collect,
      [] as string[],
    )
    .option('--json', 'print {policies: [{policy, events, summary}]} as JSON')
    .option('--svg <file>', 'write memory over time with kill markers as SVG')
    .option('--html <file>', 'write the chart and the report as one HTML page')
    .action(async (file, opts) => {
      const scenario = loadScenario(file);
      const names =
        opts.policy.length > 0
          ? opts.policy
          : ['kernel', 'legacy', 'earlyoom', 'cgroup', ...(scenario.pods.length > 0 ? ['kube'] : [])];
      const policies = names.map(parsePolicy);
      const runs = await runScenario(scenario, policies);
      const report = renderReport(scenario, runs);
      if (opts.svg !== undefined) writeOut(opts.svg, renderSvg(scenario, runs));
      if (opts.html !== undefined) writeOut(opts.html, renderHtml(scenario, runs, report));
      if (opts.json) writeJson(toJson(scenario, runs));
      else process.stdout.write(`${report}\n`);
    });
}
