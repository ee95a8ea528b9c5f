#!/usr/bin/env bash
# Coverage-guided fuzzing of every adapter and of the voice answers with libFuzzer (the targets
# are Fuzz/GangwayFuzz; CI runs the same targets with seeded mutations in FuzzTests).
#
#   scripts/fuzz.sh                          # every target, 30 s each
#   scripts/fuzz.sh --target provider-slack --seconds 300
#   scripts/fuzz.sh --runs 1000000           # the long run: a million inputs per target
#   scripts/fuzz.sh --list
#
# Builds in its own folder (.build-fuzz, release, -sanitize=fuzzer) so the main .build is left
# alone, and waits while another swift build runs (two cores). Each target starts from its
# samples (adapters/<provider>/samples, encoded by the target) in a temporary corpus; a crash or
# a broken invariant leaves its input in .build-fuzz/artifacts/ (replay it with
# `.build-fuzz/release/GangwayFuzzer <file>` and GANGWAY_FUZZ_TARGET set, then make it a test in
# Tests/AdaptersTests/FuzzRegressionTests.swift). Exits 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=() runs="" seconds="" list=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) targets+=("$2"); shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --list) list=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$runs" ] && [ -z "$seconds" ]; then seconds=30; fi

while pgrep -f 'swift-build' >/dev/null; do
  echo "waiting: another swift build is running (two cores)" >&2
  sleep 15
done
echo "== building the libFuzzer binary (.build-fuzz, release)" >&2
GANGWAY_LIBFUZZER=1 swift build --scratch-path .build-fuzz -c release --product GangwayFuzzer \
  -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library >&2
bin=.build-fuzz/release/GangwayFuzzer

if [ ${#targets[@]} -eq 0 ]; then mapfile -t targets < <(GANGWAY_FUZZ_LIST=1 "$bin"); fi
if [ "$list" = 1 ]; then printf '%s\n' "${targets[@]}"; exit 0; fi

artifacts=.build-fuzz/artifacts
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
limits=(-max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1)
[ -n "$runs" ] && limits+=("-runs=$runs")
[ -n "$seconds" ] && limits+=("-max_total_time=$seconds")

failed=()
printf '%-26s %12s %10s %8s %s\n' target inputs exec/s seconds result
for target in "${targets[@]}"; do
  corpus="$work/$target"
  mkdir -p "$corpus"
  GANGWAY_FUZZ_TARGET="$target" GANGWAY_FUZZ_SEEDS_TO="$corpus" "$bin" -runs=0 >/dev/null 2>&1
  log="$work/$target.log"
  started=$(date +%s)
  if GANGWAY_FUZZ_TARGET="$target" "$bin" "${limits[@]}" -artifact_prefix="$artifacts/$target-" "$corpus" >"$log" 2>&1; then
    result=ok
  else
    result="FOUND: $(grep -m1 -o "$artifacts/$target-[^ ]*" "$log" || echo "see log")"
    failed+=("$target")
    cp "$log" "$artifacts/$target.log"
  fi
  inputs=$(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  rate=$(grep -m1 -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  printf '%-26s %12s %10s %8s %s\n' "$target" "$inputs" "$rate" "$(( $(date +%s) - started ))" "$result"
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "findings in: ${failed[*]} (inputs and logs in $artifacts)" >&2
  exit 1
fi
