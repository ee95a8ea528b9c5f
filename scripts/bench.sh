#!/usr/bin/env bash
# Builds gangway in release (in .build-release) and runs the load benchmarks against their
# baselines; writes Benchmarks/results/<date>-<machine>.md. `scripts/bench.sh --quick` is a smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
start=$(date +%s)
swift build -c release --product gangway --scratch-path .build-release
echo "release build: $(( $(date +%s) - start )) s"
exec python3 Benchmarks/run.py "$@"
