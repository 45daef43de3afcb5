#!/usr/bin/env bash
# Runs the whole test suite several times in a row while the machine is kept busy, and counts
# the green runs: a test whose outcome depends on the machine's speed shows up here.
#
#   tools/test-under-load.sh [--runs N] [--load cpu|swift-test|none]
#
#   --runs N            suite runs (default 10)
#   --load cpu          one busy loop per core beside the tests (default)
#   --load swift-test   a second `swift test` loop beside them, in its own build folder (.build-load)
#   --load none         no extra load
#
# Logs go to a temporary folder whose path is printed; the last line is "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."

runs=10
load=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--load cpu|swift-test|none]" >&2; exit 2 ;;
  esac
done

logs=$(mktemp -d /tmp/aomi-under-load-XXXXXX)
echo "logs: $logs"
echo "== building the tests once (not part of the runs)"
swift build --build-tests >"$logs/build.log" 2>&1 || { echo "build failed, see $logs/build.log"; exit 1; }

load_pids=()
stop_load() {
  for pid in "${load_pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
}
trap stop_load EXIT

case "$load" in
  cpu)
    for _ in $(seq "$(nproc)"); do
      setsid bash -c 'while :; do :; done' &
      load_pids+=($!)
    done ;;
  swift-test)
    setsid bash -c "while :; do swift test --scratch-path .build-load >>'$logs/load.log' 2>&1; done" &
    load_pids+=($!) ;;
  none) ;;
  *) echo "unknown load: $load" >&2; exit 2 ;;
esac
echo "== $runs runs of swift test, load: $load"

passed=0
failed=0
for run in $(seq "$runs"); do
  started=$(date +%s)
  if swift test >"$logs/run-$run.log" 2>&1; then
    passed=$((passed + 1)); verdict=green
  else
    failed=$((failed + 1)); verdict=RED
  fi
  summary=$(grep -E "Test run with [0-9]+ tests? .*(passed|failed)" "$logs/run-$run.log" | tail -n 1)
  echo "run $run: $verdict in $(( $(date +%s) - started )) s; ${summary:-no summary line}"
  grep -E "✘ Test .*(failed|recorded an issue)" "$logs/run-$run.log" | sed 's/^/    /' | head -n 10
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
