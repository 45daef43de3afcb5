# Shared by the wrk benchmarks (recorder.sh, replay.sh): tools, ports, medians.

# $work, a scratch folder (readable by nginx workers, which run as nobody), and $pids, the
# servers a bench starts in the background: the servers are stopped and the folder removed
# when the bench exits, however it exits.
open_bench_scratch() {
  work=$(mktemp -d)
  chmod 755 "$work"
  pids=()
  trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT
}

# $bin: aomi-archive, built for release in $scratch, or $BIN when given (another build to
# compare, such as the release binary of an earlier commit).
build_aomi_archive() {
  if [ -n "${BIN:-}" ]; then bin=$BIN; return; fi
  swift build -c release --scratch-path "$scratch" --product aomi-archive >/dev/null
  bin="$scratch/release/aomi-archive"
}

# wrk and nginx-light from Debian; mitmproxy from PyPI in a venv ($mitm_venv), if it installs.
install_bench_tools() {
  local need_apt=()
  command -v wrk >/dev/null || need_apt+=(wrk)
  [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
  if [ ${#need_apt[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; fi
  mitm_venv=${MITM_VENV:-$HOME/.cache/aomi-bench-mitmproxy}
  if [ ! -x "$mitm_venv/bin/mitmdump" ]; then
    (python3 -m venv "$mitm_venv" && "$mitm_venv/bin/pip" install -q mitmproxy) >/dev/null 2>&1 || echo "mitmproxy did not install: (c) skipped"
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Writes $work/nginx.conf: $work/www served on port $1 and, given $2, a keep-alive
# proxy_pass to it on port $2. With NGINX_TLS=1, port $1 serves TLS with $work/cert.pem and
# $work/key.pem, and the proxy_pass is HTTPS, verified against that certificate, sessions reused.
write_nginx_conf() {
  local proxy="" listen_tls="" tls="" scheme=http proxy_tls=""
  if [ "${NGINX_TLS:-0}" = 1 ]; then
    listen_tls=" ssl"
    tls="ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;"
    scheme=https
    proxy_tls="proxy_ssl_verify on; proxy_ssl_trusted_certificate $work/cert.pem; proxy_ssl_name 127.0.0.1; proxy_ssl_session_reuse on;"
  fi
  if [ -n "${2:-}" ]; then
    proxy="upstream origin { server 127.0.0.1:$1; keepalive 64; }
  server {
    listen 127.0.0.1:$2;
    location / { proxy_pass $scheme://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; $proxy_tls }
  }"
  fi
  cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes ${NGINX_WORKERS:-1};
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$1$listen_tls;
    $tls
    root $work/www;
    location /api/ { default_type application/json; }
  }
  $proxy
}
CONF
}

# Starts the simulator ($bin) on a free port ($sim_port, pid $sim, added to $pids) and plays
# three turns (tool use, a swap) in session $1, so that its state is a realistic snapshot.
start_sim_after_three_turns() {
  sim_port=$(free_port)
  "$bin" sim --listen 127.0.0.1:"$sim_port" --think 1ms --chunk-interval 1ms --title-delay 1ms >/dev/null 2>&1 &
  sim=$!; pids+=("$sim")
  wait_port "$sim_port"
  for message in "What%20is%20the%20price%20of%20ETH%3F" "Show%20me%20my%20portfolio" "Swap%200.5%20ETH%20to%20USDC"; do
    curl -s -X POST -H "X-Session-Id: $1" "http://127.0.0.1:$sim_port/api/chat?message=$message" >/dev/null; sleep 0.2
  done
}

# Saves the simulator's snapshot after three turns as $work/www/api/state (what nginx serves).
save_three_turn_snapshot() {
  start_sim_after_three_turns bench
  mkdir -p "$work/www/api"
  curl -s -H "X-Session-Id: bench" "http://127.0.0.1:$sim_port/api/state" >"$work/www/api/state"
  kill "$sim"
  echo "snapshot body: $(wc -c <"$work/www/api/state") bytes"
}

# wrk on GET /api/state of port $1 with $2 connections for $seconds s: prints requests/s, p50
# and p99 (ms) and the count of non-2xx answers.
wrk_state() {
  wrk -t2 -c"$2" -d"${seconds}s" --latency -H "X-Session-Id: bench-session" "http://127.0.0.1:$1/api/state" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $NF }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%s %s %s %s\n", rps, p50, p99, bad + 0 }'
}


# Starts nginx serving $work/www on $nginx_port and proxying to it on $nginx_proxy_port, then
# `aomi-archive record` in front of that nginx on $recorder_port (pid $recorder), with
# $RECORD_ARGS added: what recorder.sh and recorder-profile.sh measure.
start_nginx_and_recorder() {
  nginx_port=$(free_port)
  nginx_proxy_port=$(free_port)
  write_nginx_conf "$nginx_port" "$nginx_proxy_port"
  /usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
  pids+=($!)
  wait_port "$nginx_port"
  recorder_port=$(free_port)
  # shellcheck disable=SC2086
  "$bin" record --upstream "http://127.0.0.1:$nginx_port" --listen 127.0.0.1:"$recorder_port" --archives "$work/archive" --quiet ${RECORD_ARGS:-} \
    >"$work/recorder.out" 2>"$work/recorder.err" &
  recorder=$!
  pids+=("$recorder")
  wait_port "$recorder_port"
}
