// oomguard explain PID: why this process is where it is in the kill order, factor by factor.
import { type Command, Option } from '@commander-js/extra-typings';
import { sampleForRanking } from '../host/ranking-sample.js';
import { UsageError } from '../model/errors.js';
import { isCgroupPolicy, POLICY_NAMES } from '../model/ranking.js';
import { safeText } from '../observe/text/escape.js';
import { renderExplanation } from '../observe/text/explanation.js';
import { explainCgroupChoice } from '../policy/cgroup-explain.js';
import { explainProcess } from '../policy/explain.js';
import { globalOptions, openHost, parseCgroupPath, writeJson } from './context.js';
import { selectWithCgroupPolicy } from './rank.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'explain one process: its factors, badness, oom_score, place in the order and what would move it',
    )
    .argument('<pid>', 'process id')
    .option('--json', 'print the explanation as JSON')
    .option('--cgroup <path>', 'explain it within a memcg OOM of this cgroup')
    .addOption(
      new Option('--policy <name>', 'ranker or cgroup policy')
        .choices(POLICY_NAMES)
        .default('kernel' as const),
    )
    .option(
      '--cgroup-depth <n>',
      'cgroup policies: candidates N levels below the scope, or "leaves" (default 1)',
    )
    .addOption(
      new Option('--measure <what>', 'cgroup policy: what a cgroup uses').choices([
        'usage',
        'working-set',
      ] as const),
    )
    .addOption(
      new Option('--unit <unit>', 'cgroup policies: what a kill takes').choices([
        'process',
        'process-group',
        'cgroup',
      ] as const),
    )
    .option('--kube-pods <file>', 'kube policy: pod metadata (names, priorities, requests) as JSON')
    .action(async (pidArg, opts, cmd) => {
      const pid = Number(pidArg);
      if (!/^\d+$/.test(pidArg) || pid < 1 || !Number.isSafeInteger(pid)) {
        throw new UsageError(`explain: expected a process id (a positive whole number), got "${pidArg}"`);
      }
      const cgroup = opts.cgroup === undefined ? null : parseCgroupPath(opts.cgroup);
      const host = openHost(globalOptions(cmd));
      try {
        const policy = opts.policy;
        if (isCgroupPolicy(policy)) {
          // Why its cgroup was (or was not) chosen, then the process itself among the scope's processes.
          const { snap, selection } = await selectWithCgroupPolicy(host, policy, cgroup, {
            ...opts,
            kernelOomScore: true,
          });
          const why = explainCgroupChoice(snap, pid, selection);
          const expl = explainProcess(snap, pid, { ranker: 'kernel', cgroup });
          if (opts.json) writeJson({ cgroup: why, process: expl });
          else process.stdout.write(`${why.lines.map(safeText).join('\n')}\n\n${renderExplanation(expl)}\n`);
          return;
        }
        let snap = sampleForRanking(host, { cgroup, kernelOomScore: true });
        if (cgroup !== null && !snap.processes.some((p) => p.pid === pid)) {
          // The scoped sample holds only the subtree: the whole table tells "outside the cgroup" from "no such process".
          snap = { ...snap, processes: host.sample({ processes: true, kernelOomScore: true }).processes };
        }
        const expl = explainProcess(snap, pid, { ranker: policy, cgroup });
        if (opts.json) writeJson(expl);
        else process.stdout.write(`${renderExplanation(expl)}\n`);
      } finally {
        host.close();
      }
    });
}
