#!/usr/bin/env bash
# Compiles the benchmarks' C helpers into /tmp/oomguard-bench/bin (or $BENCH_OUT/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${BENCH_OUT:-/tmp/oomguard-bench}/bin"
mkdir -p "$bin"
for src in bench/floor/floor.c bench/floor/sleepers.c bench/reaction/grower.c; do
  [ -f "$src" ] || continue
  gcc -O2 -Wall -o "$bin/$(basename "$src" .c)" "$src"
done
