#!/usr/bin/env bash
# The rerun's overhead over the conversation's own time. A clock-paced `sim` (the real
# backend's timing: 1.2 s of thinking, a reply in 4 pieces 400 ms apart, tool progress), WALLETS ×
# THREADS sessions of MESSAGES messages driven through `record` at 500 ms polls and CONCURRENCY
# threads at once (the originals), then `aomi-archive rerun` of all of them against the same sim at
# the same polling and concurrency. Prints, from the rerun's JSON report (both sides' turn times as
# their recorders saw them): the summed turn time of originals and reruns and the overhead, the
# median and p95 per-turn ratio, both runs' wall time, and the rerun's CPU time per session.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
wallets=${WALLETS:-10}
threads=${THREADS:-5}
messages=${MESSAGES:-3}
concurrency=${CONCURRENCY:-8}
source tools/bench/lib.sh
open_bench_scratch
build_aomi_archive

sim_port=$(free_port)
"$bin" sim --listen 127.0.0.1:"$sim_port" --quiet >/dev/null 2>&1 &
pids+=($!)
wait_port "$sim_port"
recorder_port=$(free_port)
"$bin" record --upstream "http://127.0.0.1:$sim_port" --listen 127.0.0.1:"$recorder_port" --archives "$work/archive" --quiet >/dev/null 2>&1 &
recorder=$!; pids+=("$recorder")
wait_port "$recorder_port"

sessions=$((wallets * threads))
echo "originals: $sessions sessions × $messages messages through record, 500ms polls, concurrency $concurrency"
drive_start=$(date +%s.%N)
# The rerun answers each wallet request after as many polls as the driver waited (2).
"$bin" sim drive --target "http://127.0.0.1:$recorder_port" --wallets "$wallets" --threads "$threads" --messages "$messages" \
  --concurrency "$concurrency" --poll 500ms --json >"$work/drive.json"
drive_end=$(date +%s.%N)
kill -INT "$recorder"; wait "$recorder" || true
ids=$(python3 -c 'import json,sys; print(" ".join(t["session_id"] for t in json.load(open(sys.argv[1]))["threads"]))' "$work/drive.json")

echo "rerun: the same $sessions sessions, 500ms polls, concurrency $concurrency"
rerun_start=$(date +%s.%N)
# shellcheck disable=SC2086
/usr/bin/time -f "%U %S %M" -o "$work/rerun.time" "$bin" rerun $ids --archives "$work/archive" --upstream "http://127.0.0.1:$sim_port" \
  --concurrency "$concurrency" --poll-interval 500ms --json --quiet >"$work/rerun.json" || true
rerun_end=$(date +%s.%N)

python3 - "$work/rerun.json" "$work/rerun.time" "$drive_start" "$drive_end" "$rerun_start" "$rerun_end" "$sessions" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
user, system, rss_kb = open(sys.argv[2]).read().split()[-3:]
drive = float(sys.argv[4]) - float(sys.argv[3])
rerun = float(sys.argv[6]) - float(sys.argv[5])
sessions = int(sys.argv[7])
pairs = []
for session in report["sessions"]:
    for run in session["reruns"]:
        for turn in run["turns"]:
            before, after = turn.get("original_timing") or {}, turn.get("rerun_timing") or {}
            if before.get("duration_seconds") and after.get("duration_seconds"):
                pairs.append((before["duration_seconds"], after["duration_seconds"]))
ratios = sorted(a / b for b, a in pairs)
total_before = sum(b for b, _ in pairs)
total_after = sum(a for _, a in pairs)
summary = report["summary"]
print(f"verdicts: {summary['same']} same, {summary['changed']} changed, {summary['failed']} failed")
print(f"turns compared: {len(pairs)}")
print(f"summed turn time: originals {total_before:.1f} s, reruns {total_after:.1f} s: overhead {100 * (total_after / total_before - 1):+.2f}%")
print(f"per-turn ratio rerun/original: median {ratios[len(ratios) // 2]:.3f}, p95 {ratios[int(len(ratios) * 0.95)]:.3f}")
print(f"wall time: drive {drive:.1f} s, rerun {rerun:.1f} s (includes reading the originals, the preflight and reading the rerun back): {100 * (rerun / drive - 1):+.2f}%")
print(f"rerun CPU: {float(user) + float(system):.2f} s ({1000 * (float(user) + float(system)) / sessions:.1f} ms per session), peak RSS {int(rss_kb) // 1024} MB")
PY
