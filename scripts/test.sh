#!/usr/bin/env bash
# Runs every test: the Swift suites (unit, store contract, dispatcher, server on loopback) and the
# end-to-end suites that drive the built `gangway` binary (provider SDK signatures, kill -9,
# SIGTERM drain, the command line). Installs what they need (a Python venv with the providers'
# SDKs) itself. Everything listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "house style: swift format lint (.swift-format)"
swift format lint --strict --recursive --parallel Sources adapters Fuzz Tests Package.swift

step "a throwaway PostgreSQL for the store contract suite and the multi-replica test"
eval "$(scripts/postgres.sh)"
trap 'scripts/postgres.sh stop "$GANGWAY_TEST_POSTGRES_DIR"' EXIT

step "swift build (debug, with tests)"
swift build --build-tests

step "swift test"
swift_log=$(mktemp)
# The CPU-bound suites (seeded fuzzing, the forgery matrix) run on their own afterwards: beside
# the timing-sensitive ones (deadlines, lanes, sockets) they would share two cores.
heavy='FuzzTests|FuzzRegressionTests|ForgeryMatrixTests'
swift test --skip-build --skip "$heavy" 2>&1 | tee "$swift_log"

step "swift test: fuzzing (seeded, GANGWAY_FUZZ_ITERATIONS per target) and the forgery matrix"
swift test --skip-build --filter "$heavy" 2>&1 | tee -a "$swift_log"

step "system tools the end-to-end tests use (nginx; promtool from Debian's prometheus; chromium and chromedriver for the console)"
# Each tool the tests run, and the Debian package that has it: the one list of what is installed when missing.
system_tools=(nginx=nginx promtool=prometheus chromium=chromium chromedriver=chromium-driver)
missing=()
for tool in "${system_tools[@]}"; do
  binary=${tool%%=*}
  if ! command -v "$binary" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$binary" ]; then missing+=("${tool#*=}"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "${missing[*]} not installed and cannot be installed here: their tests will be skipped"
  fi
fi

step "python venv for provider SDKs"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install --quiet --disable-pip-version-check $(printf -- '-r %s ' Tests/e2e/requirements*.txt)

step "end-to-end tests against the built binary (provider SDKs, crashes, signals, floods, faults)"
e2e_logs=$(mktemp -d)
export GANGWAY_SECRETS_LEDGER="$e2e_logs/secrets.ledger"   # outside the scanned paths: it holds every secret
export GANGWAY_E2E_LOG_DIR="$e2e_logs/gateways"            # every gateway and stand-in log of the run
: > "$GANGWAY_SECRETS_LEDGER"
GANGWAY_BIN="$PWD/.build/debug/gangway" .venv/bin/python -m unittest discover -s Tests/e2e -p 'test_*.py' -v 2>&1 | tee "$e2e_logs/e2e.log"

step "no configured secret in any test output or log"
.venv/bin/python scripts/check_secrets.py "$e2e_logs/e2e.log" "$swift_log" "$GANGWAY_E2E_LOG_DIR"
rm -rf "$e2e_logs" "$swift_log"

step "the worked example of ARCHITECTURE.md: a provider added in a temporary copy, built and exercised"
scripts/worked-example.sh

step "coverage-guided fuzzing: every target under libFuzzer, ${GANGWAY_FUZZ_SECONDS:-4} s each (the long run: scripts/fuzz.sh --runs 1000000)"
scripts/fuzz.sh --seconds "${GANGWAY_FUZZ_SECONDS:-4}"

step "all tests passed"
