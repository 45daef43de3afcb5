#!/usr/bin/env bash
# Simulator throughput: requests per second `aomi-archive sim` serves on
# GET /api/state with a chat snapshot of about 1.5 KB, measured with wrk (Debian) on loopback,
# so later benchmarks know the upstream is not their bottleneck.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
connections=${CONNECTIONS:-16}
seconds=${SECONDS_PER_RUN:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
swift build -c release --scratch-path "$scratch" --product aomi-archive >/dev/null
log=$(mktemp)
"$scratch/release/aomi-archive" sim --listen 127.0.0.1:0 --think 1ms --chunk-interval 1ms --title-delay 1ms >"$log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q "serving" "$log" && break; sleep 0.1; done
url=$(sed -n 's/.*serving the Aomi API on \(http[^ ]*\).*/\1/p' "$log")
session=bench-session
for message in "What%20is%20the%20price%20of%20ETH%3F" "Show%20me%20my%20portfolio" "Swap%200.5%20ETH%20to%20USDC"; do
  curl -s -X POST -H "X-Session-Id: $session" "$url/api/chat?message=$message" >/dev/null
  sleep 0.2
done
size=$(curl -s -H "X-Session-Id: $session" "$url/api/state" | wc -c)
echo "snapshot body: $size bytes"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "X-Session-Id: $session" "$url/api/state" | tee /dev/stderr | awk '/Requests\/sec/ {print "sim GET /api/state requests/s: " $2}'
