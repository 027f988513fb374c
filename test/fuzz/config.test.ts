// Property-based tests of the configuration file and `run`'s flags (see config-properties.ts).
// Replay or widen: OOMGUARD_FUZZ_SEED=N OOMGUARD_FUZZ_RUNS=N; bench/fuzz-long.ts runs them for minutes.
import { test } from 'node:test';
import { fuzzParams } from './arbitraries.js';
import { configProperties } from './config-properties.js';

const params = fuzzParams(300);

for (const prop of configProperties) {
  test(prop.name, { timeout: 60_000 }, (t) => {
    t.diagnostic(`seed ${params.seed}, ${params.numRuns} runs`);
    prop.check(params);
  });
}
