// oomguard simulate, run: load the scenario, run every policy on it, write the report and charts.
import { writeFileSync } from 'node:fs';
import { UsageError } from '../model/errors.js';
import { renderHtml, renderSvg } from '../sim/chart.js';
import { loadScenario } from '../sim/load.js';
import { renderReport, toJson } from '../sim/report.js';
import { parsePolicy, runScenario } from '../sim/runner.js';
import { writeJson } from './context.js';
import type { SimulateOptions } from './simulate.js';

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`${file}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function simulate(file: string, opts: SimulateOptions): Promise<void> {
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
}
