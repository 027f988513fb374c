#!/usr/bin/env bash
# Start-up: wall time of `oomguard rank` (the built CLI: start Node, read every process, rank, print)
# against bare Node, the C floor's one selection, earlyoom's start (-v) and nohang's --tasks, by hyperfine.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${BENCH_OUT:-/tmp/oomguard-bench}"
runs="${BENCH_STARTUP_RUNS:-20}"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/startup.json" --style none \
  -n 'oomguard rank' "node dist/cli/main.js rank" \
  -n 'node -e 0' "node -e 0" \
  -n 'C floor (stat+status, 2 selections)' "$out/bin/floor stat-status 1" \
  -n 'earlyoom -v' "earlyoom -v" \
  -n 'nohang --tasks' "nohang --tasks -c /etc/nohang/nohang.conf" >/dev/null
node -e '
const r = require(process.argv[1]).results;
const f = (s) => (s * 1000).toFixed(1);
const base = r.find((x) => x.command === "node -e 0");
console.log("Start-up: wall ms, median (min–max) of " + r[0].times.length + " runs (hyperfine)");
console.log("| command | wall ms | user ms | system ms | ÷ node -e 0 |");
console.log("|---|---|---|---|---|");
for (const x of r) console.log(`| ${x.command} | ${f(x.median)} (${f(x.min)}–${f(x.max)}) | ${f(x.user)} | ${f(x.system)} | ${(x.median / base.median).toFixed(2)}× |`);
' "$(realpath "$out/startup.json")"
