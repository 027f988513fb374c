// oomguard explain PID: why this process is where it is in the kill order, factor by factor.
import { type Command, Option } from '@commander-js/extra-typings';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import { explainProcess, formatExplanation } from '../policy/explain.js';
import { globalOptions, openHost, writeJson } from './context.js';
import { RANKERS } from './rank.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('explain one process: its factors, badness, oom_score, place in the order and what would move it')
    .argument('<pid>', 'process id')
    .option('--json', 'print the explanation as JSON')
    .option('--cgroup <path>', 'explain it within a memcg OOM of this cgroup')
    .addOption(new Option('--policy <name>', 'ranker').choices(RANKERS).default('kernel' as const))
    .action((pidArg, opts, cmd) => {
      if (!/^\d+$/.test(pidArg) || Number(pidArg) < 1) {
        throw new UsageError(`explain: expected a process id (a positive whole number), got "${pidArg}"`);
      }
      const host = openHost(globalOptions(cmd));
      try {
        const snap = sampleForRanking(host, { cgroup: opts.cgroup ?? null, kernelOomScore: true });
        const expl = explainProcess(snap, Number(pidArg), { ranker: opts.policy, cgroup: opts.cgroup ?? null });
        if (opts.json) writeJson(expl);
        else process.stdout.write(`${formatExplanation(expl)}\n`);
      } finally {
        host.close();
      }
    });
}
