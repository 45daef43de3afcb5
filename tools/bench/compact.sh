#!/usr/bin/env bash
# Archive size and compaction speed, in one run (release build):
#  1. `sim drive --wallets 2 --threads 2 --messages 3` through `aomi-archive record` in front of
#     `mitmdump --mode reverse:… -w` (PyPI mitmproxy, in a venv) in front of `aomi-archive sim`,
#     so both record the same traffic: bytes of our live files, of the same files compacted,
#     and of mitmproxy's flow file gzipped (-9); warcio check on the compacted files; `verify`.
#     mitmdump runs with stream_large_bodies=1 (the client's SSE stream only works streamed),
#     and so keeps no SSE body at all; we keep every event with its arrival time.
#  2. The bytes per unchanged poll: POLLS (1000) more identical GET /api/state of one session,
#     live and compacted (the difference with a run of 100 polls, divided by the extra polls).
#  3. Compaction speed: the first GENERATED_WALLETS (20) wallet folders of the 1,000,000-message
#     root that tools/bench/index.sh generates (recorder-shaped records; GENERATED_ROOT names
#     one made before, e.g. with index.sh KEEP=1), compacted: MB/s of compressed input.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
polls=${POLLS:-1000}
source tools/bench/lib.sh
open_bench_scratch
install_bench_tools
build_aomi_archive
bytes_under() { find "$1" -name '*.warc.gz' -print0 | xargs -0 cat | wc -c; }

echo "== 1. the same driven traffic: our archive and mitmproxy's flow file"
sim_port=$(free_port)
"$bin" sim --listen 127.0.0.1:"$sim_port" --quiet --think 300ms --chunk-interval 100ms --title-delay 500ms &
pids+=($!)
wait_port "$sim_port"
mitm_port=""
if [ -x "$mitm_venv/bin/mitmdump" ]; then
  mitm_port=$(free_port)
  "$mitm_venv/bin/mitmdump" -q --set stream_large_bodies=1 --mode "reverse:http://127.0.0.1:$sim_port" --listen-host 127.0.0.1 -p "$mitm_port" -w "$work/mitm.flows" >/dev/null 2>&1 &
  mitm=$!; pids+=("$mitm")
  wait_port "$mitm_port"
fi
recorder_port=$(free_port)
"$bin" record --upstream "http://127.0.0.1:${mitm_port:-$sim_port}" --listen 127.0.0.1:"$recorder_port" --archives "$work/drive" --quiet >"$work/record.out" 2>&1 &
recorder=$!
wait_port "$recorder_port"
"$bin" sim drive --target "http://127.0.0.1:$recorder_port" --wallets 2 --threads 2 --messages 3 | tail -1
kill -INT "$recorder"; wait "$recorder" || true
[ -n "$mitm_port" ] && { kill -INT "$mitm"; wait "$mitm" || true; gzip -9 -k "$work/mitm.flows"; }
live=$(bytes_under "$work/drive")
"$bin" index --archives "$work/drive" >/dev/null
"$bin" compact --archives "$work/drive" | tail -1
compacted=$(bytes_under "$work/drive")
for f in $(find "$work/drive" -name '*.warc.gz'); do python3 -m warcio.cli check "$f" >/dev/null || echo "warcio check FAILED on $f"; done
"$bin" index --archives "$work/drive" | sed 's/^/after compaction: /'
"$bin" verify --archives "$work/drive" | tail -1
echo "live .warc.gz files:   $live bytes"
echo "compacted:             $compacted bytes ($(awk -v a="$live" -v b="$compacted" 'BEGIN { printf "%.1f", a / b }')× smaller)"
if [ -n "$mitm_port" ]; then
  flows=$(wc -c <"$work/mitm.flows.gz")
  echo "mitmproxy flows, gzip -9: $flows bytes (no SSE bodies)"
  awk -v c="$compacted" -v m="$flows" -v l="$live" 'BEGIN { printf "compacted / mitmproxy = %.2f (live / mitmproxy = %.1f)\n", c / m, l / m }'
fi

echo "== 2. bytes per unchanged poll"
poll_run() {
  local n=$1 root="$work/polls-$1" port
  port=$(free_port)
  "$bin" record --upstream "http://127.0.0.1:$sim_port" --listen 127.0.0.1:"$port" --archives "$root" --quiet >/dev/null 2>&1 &
  local rec=$!
  wait_port "$port"
  python3 - "$port" "$n" <<'PY'
import http.client, sys, uuid
port, n = int(sys.argv[1]), int(sys.argv[2])
session = str(uuid.uuid4())
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("POST", "/api/sessions", body=b'{"public_key":"0x1111111111111111111111111111111111111111"}',
          headers={"X-Session-Id": session, "Content-Type": "application/json"})
c.getresponse().read()
for _ in range(n):
    c.request("GET", "/api/state?user_state=%7B%22address%22%3A%220x1111111111111111111111111111111111111111%22%7D", headers={"X-Session-Id": session})
    c.getresponse().read()
PY
  kill -INT "$rec"; wait "$rec" || true
  local before; before=$(bytes_under "$root")
  "$bin" compact --archives "$root" >/dev/null
  echo "$before $(bytes_under "$root")"
}
read -r small_live small_compacted < <(poll_run 100)
read -r large_live large_compacted < <(poll_run $((100 + polls)))
awk -v n="$polls" -v a="$small_live" -v b="$large_live" -v c="$small_compacted" -v d="$large_compacted" \
  'BEGIN { printf "per unchanged poll: %.0f bytes live, %.1f bytes compacted\n", (b - a) / n, (d - c) / n }'

echo "== 3. compaction speed"
generated=${GENERATED_ROOT:-}
if [ -z "$generated" ]; then
  swift build -c release --scratch-path "$scratch" --product index-bench >/dev/null
  generated="$work/generated"
  "$scratch/release/index-bench" generate "$generated" 1000 10000 10 >/dev/null  # 100,000 messages: 10 per thread
fi
mkdir -p "$work/speed"
for folder in $(find "$generated" -mindepth 1 -maxdepth 1 -type d | sort | head -n "${GENERATED_WALLETS:-20}"); do cp -r "$folder" "$work/speed/"; done
before=$(bytes_under "$work/speed")
find "$work/speed" -name '*.warc.gz' -exec cat {} + >/dev/null
start=$(date +%s.%N)
"$bin" compact --archives "$work/speed" | tail -1
end=$(date +%s.%N)
awk -v b="$before" -v s="$start" -v e="$end" 'BEGIN { printf "compacted %.1f MB of .warc.gz in %.2f s wall: %.1f MB/s of input\n", b / 1e6, e - s, b / 1e6 / (e - s) }'
