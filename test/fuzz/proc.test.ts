// Property-based tests of the /proc and cgroup parsers (see proc-properties.ts), a few hundred cases each on a
// fixed seed. Replay or widen: OOMGUARD_FUZZ_SEED=N OOMGUARD_FUZZ_RUNS=N; bench/fuzz-long.ts runs them for minutes.
import { test } from 'node:test';
import { fuzzParams } from './arbitraries.js';
import { procProperties } from './proc-properties.js';

const params = fuzzParams(300);

for (const prop of procProperties) {
  test(prop.name, { timeout: 30_000 }, (t) => {
    t.diagnostic(`seed ${params.seed}, ${params.numRuns} runs`);
    prop.check(params);
  });
}
