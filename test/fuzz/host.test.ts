// LinuxHost on fixture trees with garbled files (see host-properties.ts): only HostReadError ever escapes.
import { test } from 'node:test';
import { fuzzParams } from './arbitraries.js';
import { hostProperties } from './host-properties.js';

const params = fuzzParams(60);

for (const prop of hostProperties) {
  test(prop.name, { timeout: 60_000 }, (t) => {
    t.diagnostic(`seed ${params.seed}, ${params.numRuns} runs`);
    prop.check(params);
  });
}
