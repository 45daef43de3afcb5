#!/usr/bin/env bash
# Where the recorder's CPU goes. wrk (16 connections, GET /api/state, the simulator's
# snapshot) through `aomi-archive record` in front of nginx-light serving it, and through
# nginx's own proxy_pass for comparison, while the recorder's and nginx's CPU time are read
# from /proc: prints CPU microseconds per exchange of each proxy, and, with perf installed,
# the recorder's hottest functions (perf record -g, self time). BIN=path profiles another
# build (a "before" binary); RECORD_ARGS adds options to `record`; SECONDS_PER_RUN (8), TOP (40).
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
seconds=${SECONDS_PER_RUN:-8}
top=${TOP:-40}
source tools/bench/lib.sh
open_bench_scratch
install_bench_tools
build_aomi_archive
save_three_turn_snapshot

start_nginx_and_recorder

# utime + stime of a process and its threads, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
nginx_workers() { pgrep -f "nginx: worker process" | head -1; }
hz=$(getconf CLK_TCK)

# wrk for $seconds s on port $1, CPU of process $2 measured: prints requests and µs per request.
cpu_per_request() {
  local before after requests
  before=$(ticks "$2")
  requests=$(wrk -t2 -c16 -d"${seconds}s" -H "X-Session-Id: bench-session" "http://127.0.0.1:$1/api/state" | awk '/requests in/ { print $1 }')
  after=$(ticks "$2")
  awk -v r="$requests" -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%d requests, %.1f µs of CPU per request\n", r, t * 1e6 / hz / r }'
}
wrk -t2 -c16 -d2s "http://127.0.0.1:$recorder_port/api/state" >/dev/null
echo "nginx proxy_pass (its worker): $(cpu_per_request "$nginx_proxy_port" "$(nginx_workers)")"
echo "aomi-archive record:           $(cpu_per_request "$recorder_port" "$recorder")"
if command -v perf >/dev/null; then
  perf record -q -g -p "$recorder" -o "$work/perf.data" -- sleep "$seconds" >/dev/null 2>&1 &
  perf_pid=$!
  wrk -t2 -c16 -d"${seconds}s" -H "X-Session-Id: bench-session" "http://127.0.0.1:$recorder_port/api/state" >/dev/null
  wait "$perf_pid" || true
  echo
  echo "recorder, self time by function (top $top):"
  perf report -i "$work/perf.data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -"$top" | sed -E 's/ +\[\.\] / /; s/ +\[k\] / [kernel] /' | cut -c1-160
fi
