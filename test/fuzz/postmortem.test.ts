// Property-based tests of the kernel OOM report parser (see postmortem-properties.ts).
// Replay or widen: OOMGUARD_FUZZ_SEED=N OOMGUARD_FUZZ_RUNS=N; bench/fuzz-long.ts runs them for minutes.
import { test } from 'node:test';
import { fuzzParams } from './arbitraries.js';
import { postmortemProperties } from './postmortem-properties.js';

const params = fuzzParams(200);

for (const prop of postmortemProperties) {
  test(prop.name, { timeout: 60_000 }, (t) => {
    t.diagnostic(`seed ${params.seed}, ${params.numRuns} runs`);
    prop.check(params);
  });
}
