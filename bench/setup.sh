#!/usr/bin/env bash
# Set-up for the benchmarks: the peers (earlyoom, nohang) and hyperfine from Debian, never left running as
# services, and the C helpers compiled.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in earlyoom nohang hyperfine; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  # Before the install: any earlyoom/nohang already running is not ours and is left alone.
  before=$(pgrep -x 'earlyoom|nohang' || true; pgrep -f '^/usr/bin/python3 /usr/sbin/nohang' || true)
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # A package may start its service where an init system allows it: stop exactly the processes the
  # install started.
  for pid in $(pgrep -x earlyoom || true) $(pgrep -f '^/usr/bin/python3 /usr/sbin/nohang' || true); do
    grep -qx "$pid" <<<"$before" || kill "$pid" 2>/dev/null || true
  done
fi
bash bench/build.sh
