#!/usr/bin/env bash
# The archive browser's server time per page on the 1,000,000-message index of index.sh
# (1,000 wallets, 10,000 threads of 100 messages), plus, in the same root, a wallet with 100
# threads and a thread of about 500 exchanges. Prints p50 and p95 (ms, curl's total time on
# loopback, so an upper bound of the server's) for: the wallets page, the 100-thread wallet,
# the 500-exchange session (first read, then while its files are unchanged), an exchange of
# it, searches (inflected words, the start of a wallet address, a page past the last), the exchanges
# without a session. REQUESTS per page (50); KEEP=1 WORK=DIR keeps and reuses the root and index.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/bench/lib.sh
scratch=${SCRATCH:-.build-release}
requests=${REQUESTS:-50}
work=${WORK:-$(mktemp -d)}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi' EXIT
swift build -c release --scratch-path "$scratch" --product aomi-archive >/dev/null
swift build -c release --scratch-path "$scratch" --product index-bench >/dev/null
bin="$scratch/release"

if [ -d "$work/root" ] && [ -n "${KEEP:-}" ]; then
  echo "reusing the archive root in $work/root"
else
  "$bin/index-bench" generate "$work/root" 1000 10000 100
  "$bin/index-bench" generate "$work/root" 1 100 100 100000
  "$bin/index-bench" generate "$work/root" 1 1 334 200000
fi
[ -f "$work/index.sqlite" ] || "$bin/aomi-archive" index --archives "$work/root" --db "$work/index.sqlite" >/dev/null
sql() { python3 -c "import sqlite3,sys; print(sqlite3.connect('$work/index.sqlite').execute(sys.argv[1]).fetchone()[0])" "$1"; }
echo "index: $(sql 'select count(*) from messages') messages, $(sql 'select count(*) from sessions') threads, $(sql 'select count(distinct wallet) from sessions') wallets"
wallet=$(sql "select wallet from sessions group by wallet having count(*) = 100 limit 1")
session=$(sql "select session from records where type = 'request' group by session order by count(*) desc limit 1")
echo "wallet with $(sql "select count(*) from sessions where wallet = '$wallet'") threads: $wallet"
echo "session with $(sql "select count(*) from records where type = 'request' and session = '$session'") exchanges: $session"

port=$(free_port)
"$bin/aomi-archive" serve --archives "$work/root" --db "$work/index.sqlite" --listen 127.0.0.1:"$port" --refresh 0s --quiet &
pids+=($!)
wait_port "$port"
base="http://127.0.0.1:$port"

# Times $requests GETs of $2 (after $3 warm-up requests) and prints "$1: p50 … ms, p95 … ms".
measure() {
  local name=$1 path=$2 warm=${3:-2}
  for _ in $(seq "$warm"); do curl -s -o /dev/null "$base$path"; done
  for _ in $(seq "$requests"); do curl -s -o /dev/null -w '%{time_total}\n' "$base$path"; done | python3 -c "
import sys
times = sorted(float(line) * 1000 for line in sys.stdin)
p = lambda q: times[min(len(times) - 1, int(len(times) * q))]
print(f'$name: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms ({len(times)} requests)')"
}

first=$(curl -s -o /dev/null -w '%{time_total}' "$base/sessions/$session")
python3 -c "print(f'session page, first read of its files: {$first * 1000:.1f} ms')"
measure "wallets page" "/"
measure "wallet with 100 threads" "/wallets/$wallet"
measure "session of 500 exchanges" "/sessions/$session"
measure "an exchange of it" "/sessions/$session/exchanges/250"
measure "search: a word" "/search?q=swap"
measure "search: a phrase and a filter" "/search?q=%22please+confirm%22+from%3Auser"
measure "search: a prefix in a wallet" "/search?q=slip*&wallet=$wallet"
measure "search: an inflected word" "/search?q=swapped"
measure "search: a phrase, inflected" "/search?q=%22gas+fees%22"
# The bench's wallets all begin 0x00000000…: its first 10 characters begin every one of them
# (1,000,000 messages), where a real address's begin one; 40 characters begin this one only.
measure "search: the start of a wallet address, this wallet only" "/search?q=${wallet:0:40}"
measure "search: the start of a wallet address, all 1,002 wallets" "/search?q=${wallet:0:10}"
measure "search: a page past the last" "/search?q=slip*&wallet=$wallet&page=999"
measure "exchanges without a session" "/unbound"
