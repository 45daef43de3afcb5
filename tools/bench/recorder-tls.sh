#!/usr/bin/env bash
# The recorder in front of an HTTPS upstream. In one run, alternating, wrk (Debian)
# at 16 connections on GET /api/state (a ~1.5 KB snapshot), plain HTTP from wrk to:
#   (b) `aomi-archive record --upstream https://… --upstream-ca CERT`, recording,
#   (d) nginx as a plain reverse proxy with `proxy_pass https://…` (keep-alive upstream
#       connections, certificate verified, TLS sessions reused), recording nothing,
# both in front of (a) nginx-light serving the snapshot over TLS (a P-256 certificate made for
# this run by openssl). Prints requests/s and p50 of each (median of ROUNDS rounds) and b/d.
# Both keep their upstream connections: the recorder one per client connection, nginx a pool.
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

save_three_turn_snapshot

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

tls_port=$(free_port)
proxy_port=$(free_port)
NGINX_TLS=1 write_nginx_conf "$tls_port" "$proxy_port"
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
wait_port "$tls_port"
curl -sf --cacert "$work/cert.pem" "https://127.0.0.1:$tls_port/api/state" >/dev/null

recorder_port=$(free_port)
"$bin" record --upstream "https://127.0.0.1:$tls_port" --upstream-ca "$work/cert.pem" --listen 127.0.0.1:"$recorder_port" \
  --archives "$work/archive" --quiet >"$work/recorder.out" 2>"$work/recorder.err" &
recorder=$!; pids+=("$recorder")
wait_port "$recorder_port"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Session-Id: bench-session" "http://127.0.0.1:$recorder_port/api/state")
[ "$status" = 200 ] || { echo "the recorder answered $status over TLS"; cat "$work/recorder.err"; exit 1; }

measure() { wrk_state "$1" "$connections" | awk '{ print $1, $2, "non-2xx:" $4 }'; }

declare -A results
declare -A ports=([b]=$recorder_port [d]=$proxy_port)
for round in $(seq "$rounds"); do
  for name in b d; do
    line=$(measure "${ports[$name]}")
    echo "round $round ($name): $line"
    results[$name]+="$line"$'\n'
  done
done
declare -A rps p50
for name in b d; do
  rps[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $1}' | median)
  p50[$name]=$(printf '%s' "${results[$name]}" | awk 'NF {print $2}' | median)
done
echo
printf '(b) aomi-archive record -> https  %10.0f req/s   p50 %6.3f ms\n' "${rps[b]}" "${p50[b]}"
printf '(d) nginx proxy_pass    -> https  %10.0f req/s   p50 %6.3f ms\n' "${rps[d]}" "${p50[d]}"
awk -v b="${rps[b]}" -v d="${rps[d]}" 'BEGIN { printf "b/d = %.2f (recording TLS proxy against a TLS proxy that records nothing)\n", b / d }'

kill -INT "$recorder"; wait "$recorder" || true
cat "$work/recorder.err"
