# Shared by the wrk benchmarks (recorder.sh, replay.sh): tools, ports, medians.

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
