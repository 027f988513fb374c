#!/usr/bin/env bash
# npm run bench: every benchmark of BENCHMARKS.md in turn (about 50 minutes with the defaults; see the
# BENCH_* variables in each script to shorten). Needs root, the v1 memory controller, gcc and apt-get.
# Results: printed, and as JSON under /tmp/oomguard-bench (or $BENCH_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/setup.sh
npm run build --silent
echo "## Selection cost"
node --import tsx bench/selection/run.ts
echo "## Reaction"
node --import tsx bench/reaction/run.ts
echo "## Footprint"
node --import tsx bench/footprint/run.ts
echo "## Start-up"
bash bench/startup/run.sh
echo "## Simulator"
node --import tsx bench/sim.ts
