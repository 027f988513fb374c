// The long fuzz run: every property of test/fuzz (the /proc and cgroup parsers, LinuxHost on garbled trees,
// the configuration file and flags, the kernel OOM report parser) for a given time, round after round, each
// round on a new seed. Prints the seeds, so a failure can be replayed with the test suite:
//   OOMGUARD_FUZZ_SEED=<seed> OOMGUARD_FUZZ_RUNS=<runs> node --import tsx --test test/fuzz/<file>.test.ts
//
// usage: node --import tsx bench/fuzz-long.ts [--minutes N] [--seed N] [--runs N]
//   --minutes  how long to run (default 5)
//   --seed     first seed (default: random); round k uses seed + k
//   --runs     cases per property per round (default 2000; LinuxHost's property runs a tenth of that)
import { parseArgs } from 'node:util';
import { configProperties } from '../test/fuzz/config-properties.js';
import { hostProperties } from '../test/fuzz/host-properties.js';
import { postmortemProperties } from '../test/fuzz/postmortem-properties.js';
import { type FuzzProperty, procProperties } from '../test/fuzz/proc-properties.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    runs: { type: 'string', default: '2000' },
  },
});
const minutes = Number(values.minutes);
const firstSeed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const runs = Number(values.runs);

const groups: [string, readonly FuzzProperty[], number][] = [
  ['proc', procProperties, runs],
  ['config', configProperties, runs],
  ['postmortem', postmortemProperties, runs],
  ['host', hostProperties, Math.max(1, Math.trunc(runs / 10))],
];

console.log(`fuzz-long: ${minutes} min, first seed ${firstSeed}, ${runs} cases per property per round`);
const deadline = Date.now() + minutes * 60_000;
const cases = new Map<string, number>();
let failures = 0;
let round = 0;
while (Date.now() < deadline) {
  const seed = firstSeed + round;
  for (const [group, properties, numRuns] of groups) {
    for (const p of properties) {
      if (Date.now() >= deadline) break;
      try {
        p.check({ seed, numRuns });
        cases.set(group, (cases.get(group) ?? 0) + numRuns);
      } catch (e) {
        failures++;
        console.log(`FAIL [${group}] ${p.name} (seed ${seed}, runs ${numRuns})\n${(e as Error).message}`);
      }
    }
  }
  console.log(
    `round ${round} (seed ${seed}) done after ${((Date.now() - (deadline - minutes * 60_000)) / 1000).toFixed(0)} s`,
  );
  round++;
}
const total = [...cases.values()].reduce((a, b) => a + b, 0);
console.log(
  `fuzz-long: ${round} rounds, seeds ${firstSeed}..${firstSeed + round - 1}, ${total} cases (${[...cases].map(([g, n]) => `${g} ${n}`).join(', ')}), ${failures} failures`,
);
process.exitCode = failures > 0 ? 1 : 0;
