#!/usr/bin/env bash
# Replay throughput. Records one `GET /api/state` (the simulator's snapshot after
# three turns) through `aomi-archive record`, then in one run, alternating, wrk (Debian) on it at
# CONNECTIONS_LIST (16 and 64) connections against:
#   (a) nginx-light (Debian) serving the same body as a static file: this machine's limit,
#   (b) `aomi-archive replay --clock sequence` (the last answer repeats),
#   (c) `mitmdump --server-replay` (PyPI mitmproxy, in a venv; server_replay_reuse), if it installs.
# Prints requests/s, p50 and p99 (median of ROUNDS rounds) and the ratios b/a and b/c.
# Then the replayer's start-up time and peak RSS over a generated archive root of about
# STARTUP_MB (1024) MB (tools/bench/index-bench), read directly and with --session through the index.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
seconds=${SECONDS_PER_RUN:-10}
rounds=${ROUNDS:-3}
connections_list=${CONNECTIONS_LIST:-16 64}
work=${WORK:-$(mktemp -d)}
chmod 755 "$work"  # nginx workers run as nobody and must read $work/www
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

source tools/bench/lib.sh
install_bench_tools
build_aomi_archive
[ "${STARTUP_MB:-1024}" -gt 0 ] && swift build -c release --scratch-path "$scratch" --product index-bench >/dev/null

# A snapshot after three turns (tool use, a swap), recorded through the recorder.
start_sim_after_three_turns bench-session
recorder_port=$(free_port)
"$bin" record --upstream "http://127.0.0.1:$sim_port" --listen 127.0.0.1:"$recorder_port" --archives "$work/archive" --quiet >/dev/null 2>&1 &
recorder=$!; pids+=("$recorder")
wait_port "$recorder_port"
mkdir -p "$work/www/api"
curl -s -H "X-Session-Id: bench-session" "http://127.0.0.1:$recorder_port/api/state" >"$work/www/api/state"
kill -INT "$recorder"; wait "$recorder" || true
echo "snapshot body: $(wc -c <"$work/www/api/state") bytes"

mitm_port=""
if [ -x "$mitm_venv/bin/mitmdump" ]; then
  capture_port=$(free_port)
  "$mitm_venv/bin/mitmdump" -q --mode "reverse:http://127.0.0.1:$sim_port" --listen-host 127.0.0.1 -p "$capture_port" -w "$work/mitm.flows" >/dev/null 2>&1 &
  capture=$!
  wait_port "$capture_port"
  curl -s -H "X-Session-Id: bench-session" "http://127.0.0.1:$capture_port/api/state" >/dev/null
  kill -INT "$capture"; wait "$capture" || true
  mitm_port=$(free_port)
  "$mitm_venv/bin/mitmdump" -q --mode "reverse:http://127.0.0.1:$sim_port" --listen-host 127.0.0.1 -p "$mitm_port" \
    --server-replay "$work/mitm.flows" --set server_replay_reuse=true --set server_replay_extra=kill >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$mitm_port"
fi
# mitmdump connects upstream even when it replays: the simulator stays up.

nginx_port=$(free_port)
write_nginx_conf "$nginx_port"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_port "$nginx_port"

replay_port=$(free_port)
"$bin" replay --archives "$work/archive" --listen 127.0.0.1:"$replay_port" --clock sequence --quiet >"$work/replay.out" 2>"$work/replay.err" &
pids+=($!)
wait_port "$replay_port"
curl -s -H "X-Session-Id: bench-session" "http://127.0.0.1:$replay_port/api/state" | cmp - "$work/www/api/state" && echo "replay body = nginx body"

measure() { wrk_state "$1" "$2"; }
label() { case $1 in a) echo "(a) nginx static   ";; b) echo "(b) aomi-archive   ";; c) echo "(c) mitmdump replay";; esac; }

names=(a b); [ -n "$mitm_port" ] && names+=(c)
declare -A ports=([a]=$nginx_port [b]=$replay_port [c]=$mitm_port)
for connections in $connections_list; do
  declare -A results=()
  for round in $(seq "$rounds"); do
    for name in "${names[@]}"; do
      line=$(measure "${ports[$name]}" "$connections")
      echo "c=$connections round $round ($name): $line"
      results[$name]+="$line"$'\n'
    done
  done
  declare -A rps=() p50=() p99=()
  echo
  for name in "${names[@]}"; do
    rps[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $1}' | median)
    p50[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $2}' | median)
    p99[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $3}' | median)
    printf '%d connections %s  %10.0f req/s   p50 %6.3f ms   p99 %6.3f ms\n' "$connections" "$(label "$name")" "${rps[$name]}" "${p50[$name]}" "${p99[$name]}"
  done
  awk -v b="${rps[b]}" -v a="${rps[a]}" 'BEGIN { printf "b/a = %.2f\n", b / a }'
  [ -n "$mitm_port" ] && awk -v b="${rps[b]}" -v c="${rps[c]}" 'BEGIN { printf "b/c = %.1f\n", b / c }'
  echo
done

# Start-up time and peak RSS over a generated root of about STARTUP_MB.
startup_mb=${STARTUP_MB:-1024}
if [ "$startup_mb" -gt 0 ]; then
  root="$work/startup-root"
  if [ ! -d "$root" ]; then
    # index-bench writes about 4.9 KB of .warc.gz per message with 100 messages per thread.
    messages=$((startup_mb * 1024 * 1024 / 4900))
    "$scratch/release/index-bench" generate "$root" $((messages / 1000 + 1)) $((messages / 100)) 100 >/dev/null
  fi
  echo "start-up root: $(find "$root" -name '*.warc.gz' -print0 | du -cm --files0-from=- | tail -1 | cut -f1) MB of .warc.gz in $(find "$root" -name '*.warc.gz' | wc -l) files"
  startup() {
    local port; port=$(free_port)
    local started; started=$(date +%s.%N)
    "$bin" replay --archives "$root" --listen 127.0.0.1:"$port" --quiet "$@" >"$work/startup.out" 2>&1 &
    local pid=$!
    wait_port "$port"
    local ready; ready=$(date +%s.%N)
    local rss; rss=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    kill "$pid"; wait "$pid" 2>/dev/null || true
    python3 -c "print(f'  {($ready - $started):.2f} s to listen, peak RSS {$rss / 1024:.0f} MB')"
    sed 's/^/  /' "$work/startup.out" | head -2
  }
  echo "every session, files read directly:"; startup
  "$bin" index --archives "$root" >/dev/null 2>&1 || true
  session=$(python3 -c "import sqlite3; print(sqlite3.connect('$root/index.sqlite').execute('select id from sessions order by id limit 1').fetchone()[0])")
  echo "one session (--session), files found through the index:"; startup --session "$session"
fi
