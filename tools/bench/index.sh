#!/usr/bin/env bash
# Index and search: generates an archive root of 1,000,000 messages in 10,000
# threads of 1,000 wallets (tools/bench/index-bench, written straight with the WARC writer,
# shaped like the recorder's files), then prints our full index time (records/s, messages/s,
# index size), search latency p50/p95 over 200 varied queries with and without filters, and
# in the same run the time `warcio index` (PyPI) takes to list the same records; then the
# same root loaded into PostgreSQL (a throwaway cluster of Debian's postgresql) by one
# indexer and, into a fresh database, by two at once, and the same searches against it.
# WALLETS, THREADS, MESSAGES change the size; WARCIO_SAMPLE=N times warcio on every Nth file only;
# KEEP=1 WORK=DIR keeps (and reuses) the generated root; POSTGRES=0 leaves PostgreSQL out;
# LEVEL=0 generates stored gzip members (the recorder's live files) instead of level 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tools/bench/lib.sh
scratch=${SCRATCH:-.build-release}
wallets=${WALLETS:-1000}
threads=${THREADS:-10000}
messages=${MESSAGES:-100}
work=${WORK:-$(mktemp -d)}
pg_stop() { if [ -f "$work/pg/data/postmaster.pid" ]; then kill -QUIT "$(head -1 "$work/pg/data/postmaster.pid")" 2>/dev/null || true; sleep 1; fi; }
trap 'pg_stop; if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi; rm -rf "$work/pg"' EXIT
python3 -c 'import warcio' 2>/dev/null || pip install -q warcio
swift build -c release --scratch-path "$scratch" --product aomi-archive >/dev/null
swift build -c release --scratch-path "$scratch" --product index-bench >/dev/null
bin="$scratch/release"

if [ -d "$work/root" ] && [ -n "${KEEP:-}" ]; then
  echo "reusing the archive root in $work/root"
else
  "$bin/index-bench" generate "$work/root" "$wallets" "$threads" "$messages"
fi
rm -f "$work"/index.sqlite*
# Both timings below read the files from the page cache (warcio's would otherwise follow ours warm).
find "$work/root" -name '*.warc.gz' -exec cat {} + >/dev/null
echo "archive on disk: $(du -sm "$work/root" | cut -f1) MB in $(find "$work/root" -name '*.warc.gz' | wc -l) files"

start=$(date +%s.%N)
"$bin/aomi-archive" index --archives "$work/root" --db "$work/index.sqlite"
end=$(date +%s.%N)
records=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/index.sqlite').execute('select count(*) from records').fetchone()[0])")
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/index.sqlite').execute('select count(*) from messages').fetchone()[0])")
ours=$(python3 -c "print($end - $start)")
python3 -c "print(f'our index: {$records} records, {$stored} messages in {$ours:.1f} s: {$records / $ours:,.0f} records/s, {$stored / $ours:,.0f} messages/s')"
echo "index size: $(du -cm "$work"/index.sqlite* | tail -1 | cut -f1) MB"

# Two passes each: the first right after the load, the second with the caches as searching leaves them.
for pass in first second; do echo "sqlite, $pass pass:"; "$bin/index-bench" search "$work/index.sqlite" 200; done

sample=${WARCIO_SAMPLE:-1}
find "$work/root" -name '*.warc.gz' | sort | awk -v n="$sample" 'NR % n == 0' >"$work/warcio-files"
start=$(date +%s.%N)
xargs python3 -m warcio.cli index <"$work/warcio-files" | wc -l >"$work/warcio-count"
end=$(date +%s.%N)
python3 -c "
lines = int(open('$work/warcio-count').read()); seconds = $end - $start
print(f'warcio index: {lines} records in {seconds:.1f} s: {lines / seconds:,.0f} records/s (files: every {$sample})')
print(f'ours / warcio: {($records / $ours) / (lines / seconds):.1f}x')"

if [ "${POSTGRES:-1}" = 0 ]; then exit 0; fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pgbin" ]; then echo "no PostgreSQL server installed (tools/setup.sh): PostgreSQL left out"; exit 0; fi
# A cluster like a production one in what matters here: fsync and full-page writes on; no
# wait for the WAL flush at commit (as SQLite's synchronous=NORMAL), 1 GB of shared buffers.
rm -rf "$work/pg" && mkdir -p "$work/pg" && chmod 755 "$work"
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work/pg"; as_postgres=(runuser -u postgres --); fi
"${as_postgres[@]}" "$pgbin/initdb" -D "$work/pg/data" -A trust -U aomi -E UTF8 --locale=C >/dev/null
port=$(free_port)
"${as_postgres[@]}" "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w start \
  -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c shared_buffers=1GB -c max_wal_size=8GB -c maintenance_work_mem=512MB" >/dev/null
pg_rows() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U aomi -d "$1" -Atc "$2"; }
# Searches are timed once autovacuum has finished with the loaded tables (it starts after a
# large load and competes for the two cores); how long that took is printed.
wait_autovacuum() {
  local waited=0
  sleep 5
  while [ "$(pg_rows "$1" "select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'")" != 0 ]; do sleep 1; waited=$((waited + 1)); done
  echo "autovacuum after the load: $((waited + 5)) s"
}

"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U aomi one
start=$(date +%s.%N)
"$bin/aomi-archive" index --archives "$work/root" --db "postgres://aomi@127.0.0.1:$port/one"
end=$(date +%s.%N)
pg_records=$(pg_rows one "select count(*) from records")
pg_one=$(python3 -c "print($pg_records / ($end - $start))")
python3 -c "print(f'postgres, one indexer: {$pg_records} records in {$end - $start:.1f} s: {$pg_one:,.0f} records/s ({$pg_one / ($records / $ours):.2f}x SQLite)')"
echo "postgres index size: $(pg_rows one "select pg_database_size('one') / 1048576") MB"
wait_autovacuum one
for pass in first second; do echo "postgres, $pass pass:"; "$bin/index-bench" search "postgres://aomi@127.0.0.1:$port/one" 200; done

"$pgbin/createdb" -h 127.0.0.1 -p "$port" -U aomi two
start=$(date +%s.%N)
"$bin/aomi-archive" index --archives "$work/root" --db "postgres://aomi@127.0.0.1:$port/two" >"$work/pg/first.out" &
"$bin/aomi-archive" index --archives "$work/root" --db "postgres://aomi@127.0.0.1:$port/two" >"$work/pg/second.out"
wait
end=$(date +%s.%N)
cat "$work/pg/first.out" "$work/pg/second.out"
pg_records=$(pg_rows two "select count(*) from records")
python3 -c "print(f'postgres, two indexers at once: {$pg_records} records in {$end - $start:.1f} s: {$pg_records / ($end - $start):,.0f} records/s ({$pg_records / ($end - $start) / $pg_one:.2f}x one indexer)')"
counts="select (select count(*) from records) || ' records, ' || (select count(*) from messages) || ' messages, ' || (select count(*) from events) || ' events'"
echo "one indexer: $(pg_rows one "$counts"); two indexers: $(pg_rows two "$counts")"
