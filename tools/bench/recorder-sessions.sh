#!/usr/bin/env bash
# Recorder memory against many distinct session ids: BATCHES batches (5) of
# 6,000 requests, each request with a new 256-byte X-Session-Id, through a release `record` in
# front of `sim`, once with --session-memory 1000000 (nothing forgotten in this run) and once
# with the default (100000) and once with 5000. Prints the recorder's RSS after each batch:
# with a bound, it stops growing once the bound is reached.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
batches=${BATCHES:-5}
source tools/bench/lib.sh
open_bench_scratch
build_aomi_archive

sim_port=$(free_port)
"$bin" sim --listen 127.0.0.1:"$sim_port" >/dev/null 2>&1 &
pids+=($!)
wait_port "$sim_port"

send_batch() {
  python3 - "$1" "$2" <<'PY'
import http.client, sys
port, batch = int(sys.argv[1]), int(sys.argv[2])
connection = http.client.HTTPConnection("127.0.0.1", port)
for number in range(6000):
    session = f"{batch:04d}-{number:06d}-" + "s" * 244
    connection.request("GET", "/api/control/models", headers={"X-Session-Id": session})
    connection.getresponse().read()
PY
}

for memory in 1000000 100000 5000; do
  port=$(free_port)
  "$bin" record --upstream "http://127.0.0.1:$sim_port" --listen 127.0.0.1:"$port" --archives "$work/archive-$memory" --quiet --session-memory "$memory" >/dev/null 2>&1 &
  recorder=$!; pids+=("$recorder")
  wait_port "$port"
  line="--session-memory $memory: RSS after each batch of 6,000 new sessions:"
  for batch in $(seq "$batches"); do
    send_batch "$port" "$batch"
    line="$line $(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/"$recorder"/status) MB"
  done
  echo "$line"
  kill -INT "$recorder"; wait "$recorder" 2>/dev/null || true
done
