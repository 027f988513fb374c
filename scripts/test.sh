#!/usr/bin/env bash
# Runs every test file through Node's own runner. `node --test` takes no globs and silently runs
# nothing when given a folder of .ts files, so the files are listed explicitly and an empty run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under test/" >&2
  exit 1
fi
npx tsc -p tsconfig.json --noEmit
npx biome check . >/dev/null || { npx biome check . ; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
set +e
# Real-kernel tests create cgroups and fill memory: one file at a time keeps them from fighting.
node --import tsx --test --test-concurrency=1 --test-reporter=tap "${files[@]}" | tee "$out"
rc=${PIPESTATUS[0]}
set -e
if ! grep -Eq '^# tests [1-9]' "$out"; then
  echo "no test ran" >&2
  exit 1
fi
exit "$rc"
