#!/usr/bin/env bash
# Recorder memory under traffic: drives simulator conversations (many wallets and
# threads, polling every 50 ms) through `aomi-archive record` for MINUTES minutes (default 10)
# and prints the recorder's peak RSS (VmHWM) and current RSS every minute, with the archive size. Memory that grew with traffic would show as a growing peak.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
minutes=${MINUTES:-10}
source tools/bench/lib.sh
open_bench_scratch
build_aomi_archive

sim_port=$(free_port); recorder_port=$(free_port)
"$bin" sim --listen 127.0.0.1:"$sim_port" --think 20ms --chunk-interval 20ms --title-delay 50ms >/dev/null 2>&1 &
pids+=($!)
wait_port "$sim_port"
"$bin" record --upstream "http://127.0.0.1:$sim_port" --listen 127.0.0.1:"$recorder_port" --archives "$work/archive" --quiet --rotate 64MiB >/dev/null 2>"$work/recorder.err" &
recorder=$!; pids+=("$recorder")
wait_port "$recorder_port"

peak() { awk '/VmHWM/ {print $2 / 1024 " MB"}' /proc/"$recorder"/status; }
archive_mb() { du -sm "$work/archive" | awk '{print $1 " MB on disk"}'; }
(
  seed=1
  while true; do
    "$bin" sim drive --target "http://127.0.0.1:$recorder_port" --wallets 10 --threads 2 --messages 3 --concurrency 20 --poll 50ms --seed "$seed" >/dev/null 2>&1 || true
    seed=$((seed + 1))
  done
) &
driver=$!; pids+=("$driver")
for minute in $(seq "$minutes"); do
  sleep 60
  echo "after $minute min: peak RSS $(peak), RSS now $(awk '/VmRSS/ {print $2 / 1024 " MB"}' /proc/"$recorder"/status), $(archive_mb)"
done
kill "$driver"; pkill -P "$driver" 2>/dev/null || true
kill -INT "$recorder"; wait "$recorder" || true
cat "$work/recorder.err"
