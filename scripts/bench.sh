#!/usr/bin/env bash
# Gangway's benchmarks (Benchmarks/README.md). Builds gangway in release (in .build-release, as
# deploy/Dockerfile does: --static-swift-stdlib) and runs the load benchmarks against their
# baselines in the same run; writes Benchmarks/results/<date>-<machine>.md and prints the table.
#
#   scripts/bench.sh            the full run (about 25 minutes after the build)
#   scripts/bench.sh --quick    a smoke run: short loads, a small backlog, 3 kill trials
#   scripts/bench.sh --micro    also the micro-benchmarks (Benchmarks/Package.swift, its own release
#                               build in Benchmarks/.build) and the forwarding-client comparison
#   scripts/bench.sh --cold     time a cold release build (a new scratch folder) instead of an incremental one
set -euo pipefail
cd "$(dirname "$0")/.."
micro=0; cold=0; args=()
for a in "$@"; do
  case "$a" in
    --micro) micro=1 ;;
    --cold) cold=1 ;;
    *) args+=("$a") ;;
  esac
done
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
scratch=.build-release
kind=incremental
if [ "$cold" = 1 ]; then scratch=.build-release-cold; rm -rf "$scratch"; kind=cold; fi
# A fresh clone has no build folder yet: its first build is a cold one, whatever the flag.
if [ ! -d "$scratch/release" ]; then kind=cold; fi
start=$(date +%s)
swift build -c release --product gangway --static-swift-stdlib --scratch-path "$scratch"
build_s=$(( $(date +%s) - start ))
echo "release build ($kind): $build_s s"
binary="$scratch/release/gangway"
micro_out=""
if [ "$micro" = 1 ]; then
  micro_out="$(mktemp)"
  # The micro-benchmarks print a markdown table per benchmark; the results file includes them.
  # Their own release build goes to .build-bench (BENCH_MICRO_SCRATCH): about 10 minutes the first time.
  scratch_micro="${BENCH_MICRO_SCRATCH:-$PWD/.build-bench}"
  (cd Benchmarks && swift package --scratch-path "$scratch_micro" -c release --disable-sandbox benchmark --format markdown --no-progress) | tee "$micro_out"
fi
exec python3 Benchmarks/run.py --binary "$binary" --build-seconds "$build_s" --build-kind "$kind" ${micro_out:+--micro "$micro_out"} "${args[@]+"${args[@]}"}"
