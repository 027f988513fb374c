// Where the benchmarks find the repository and their compiled helpers (bench/build.sh), and write results.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Outside the tree: biome checks every JSON file under bench/, and results are not sources.
export const OUT = process.env.BENCH_OUT ?? '/tmp/oomguard-bench';
export const BIN = join(OUT, 'bin');

/** Figures of one benchmark, as JSON, for BENCHMARKS.md and later comparison. */
export const resultFile = (name: string): string => join(OUT, `${name}.json`);
