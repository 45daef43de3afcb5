#!/usr/bin/env bash
# Recorder throughput and cost. In one run, alternating, wrk (Debian) at 16
# connections on GET /api/state with a ~1.5 KB snapshot body:
#   (a) nginx-light (Debian) serving the snapshot as a static file,
#   (b) `aomi-archive record` in front of that nginx, recording,
#   (c) `mitmdump --mode reverse:… -w FILE` (PyPI mitmproxy, in a venv) in front of it, if it installs,
#   (d) nginx itself as a plain reverse proxy (keep-alive upstream, no recording) in front of it:
#       what proxying alone costs on this machine, the ceiling for (b).
# Prints requests/s, p50 and p99 of each (median of ROUNDS rounds), the ratios b/a and b/c, the
# p50 the recorder adds, and the bytes on disk per unchanged polled snapshot.
# RSS_MINUTES=10 also drives simulator traffic through a recorder for that long and prints its
# peak RSS after one minute and at the end (tools/bench/recorder-rss.sh does that part alone).
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
connections=${CONNECTIONS:-16}
seconds=${SECONDS_PER_RUN:-10}
rounds=${ROUNDS:-3}
source tools/bench/lib.sh
open_bench_scratch
install_bench_tools
build_aomi_archive

# The snapshot: a real one from the simulator after three turns (tool use, a swap).
save_three_turn_snapshot

start_nginx_and_recorder

mitm_port=""
if [ -x "$mitm_venv/bin/mitmdump" ]; then
  mitm_port=$(free_port)
  "$mitm_venv/bin/mitmdump" -q --mode "reverse:http://127.0.0.1:$nginx_port" --listen-host 127.0.0.1 -p "$mitm_port" -w "$work/mitm.flows" >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$mitm_port"
fi

# wrk's requests/s, p50 and p99 (in ms) for one port.
measure() { wrk_state "$1" "$connections" | awk '{ print $1, $2, $3 }'; }

declare -A results
names=(a b); [ -n "$mitm_port" ] && names+=(c); names+=(d)
declare -A ports=([a]=$nginx_port [b]=$recorder_port [c]=$mitm_port [d]=$nginx_proxy_port)
for round in $(seq "$rounds"); do
  for name in "${names[@]}"; do
    line=$(measure "${ports[$name]}")
    echo "round $round ($name): $line"
    results[$name]+="$line"$'\n'
  done
done
declare -A rps p50 p99
for name in "${names[@]}"; do
  rps[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $1}' | median)
  p50[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $2}' | median)
  p99[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $3}' | median)
done
label() { case $1 in a) echo "(a) nginx direct    ";; b) echo "(b) aomi-archive rec";; c) echo "(c) mitmdump -w     ";; d) echo "(d) nginx proxy_pass";; esac; }
echo
for name in "${names[@]}"; do
  printf '%s  %10.0f req/s   p50 %6.3f ms   p99 %6.3f ms\n' "$(label "$name")" "${rps[$name]}" "${p50[$name]}" "${p99[$name]}"
done
awk -v b="${rps[b]}" -v a="${rps[a]}" 'BEGIN { printf "b/a = %.2f\n", b / a }'
[ -n "$mitm_port" ] && awk -v b="${rps[b]}" -v c="${rps[c]}" 'BEGIN { printf "b/c = %.1f\n", b / c }'
awk -v b="${rps[b]}" -v d="${rps[d]}" 'BEGIN { printf "b/d = %.2f (recording proxy against a proxy that records nothing)\n", b / d }'
awk -v b="${p50[b]}" -v a="${p50[a]}" 'BEGIN { printf "p50 added by the recorder at %d connections (saturated: mostly queueing): %.3f ms\n", '"$connections"', b - a }'
# The latency the recorder adds to one request, without queueing: one connection, alternating.
single() { wrk -t1 -c1 -d"${seconds}s" --latency -H "X-Session-Id: bench-session" "http://127.0.0.1:$1/api/state" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    $1 == "50%" { print ms($2) }'; }
a1=$(single "$nginx_port"); b1=$(single "$recorder_port"); a2=$(single "$nginx_port"); b2=$(single "$recorder_port")
awk -v a1="$a1" -v a2="$a2" -v b1="$b1" -v b2="$b2" 'BEGIN { a = (a1 + a2) / 2; b = (b1 + b2) / 2; printf "one connection: p50 %.3f ms direct, %.3f ms through the recorder: %.3f ms added\n", a, b, b - a }'

kill -INT "$recorder"; wait "$recorder" || true
echo
cat "$work/recorder.err"
"$bin" inspect --json "$work"/archive/*/*.warc.gz | python3 -c '
import json, sys, collections
sizes = collections.defaultdict(list); total = 0
for line in sys.stdin:
    entry = json.loads(line)
    if entry.get("kind") != "record": continue
    sizes[entry["type"]].append(entry["length"]); total += entry["length"]
polls = len(sizes["request"])
revisit = sum(sizes["revisit"]) / max(1, len(sizes["revisit"]))
request = sum(sizes["request"]) / max(1, len(sizes["request"]))
print("recorded polls: %d, full responses: %d, revisits: %d" % (polls, len(sizes["response"]), len(sizes["revisit"])))
print("bytes on disk per unchanged polled snapshot: %.0f B (its revisit record); %.0f B with its request record; %.0f B per poll over the whole archive" % (revisit, revisit + request, total / max(1, polls)))
'

if [ -n "${RSS_MINUTES:-}" ]; then
  MINUTES=$RSS_MINUTES SCRATCH=$scratch bash tools/bench/recorder-rss.sh
fi
