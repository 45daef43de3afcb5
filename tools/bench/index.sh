#!/usr/bin/env bash
# Index and search: generates an archive root of 1,000,000 messages in 10,000
# threads of 1,000 wallets (tools/bench/index-bench, written straight with the WARC writer,
# shaped like the recorder's files), then prints our full index time (records/s, messages/s,
# index size), search latency p50/p95 over 200 varied queries with and without filters, and
# in the same run the time `warcio index` (PyPI) takes to list the same records.
# WALLETS, THREADS, MESSAGES change the size; WARCIO_SAMPLE=N times warcio on every Nth file only;
# KEEP=1 WORK=DIR keeps (and reuses) the generated root.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
wallets=${WALLETS:-1000}
threads=${THREADS:-10000}
messages=${MESSAGES:-100}
work=${WORK:-$(mktemp -d)}
trap 'if [ -z "${KEEP:-}" ]; then rm -rf "$work"; fi' EXIT
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

"$bin/index-bench" search "$work/index.sqlite" 200

sample=${WARCIO_SAMPLE:-1}
find "$work/root" -name '*.warc.gz' | sort | awk -v n="$sample" 'NR % n == 0' >"$work/warcio-files"
start=$(date +%s.%N)
xargs python3 -m warcio.cli index <"$work/warcio-files" | wc -l >"$work/warcio-count"
end=$(date +%s.%N)
python3 -c "
lines = int(open('$work/warcio-count').read()); seconds = $end - $start
print(f'warcio index: {lines} records in {seconds:.1f} s: {lines / seconds:,.0f} records/s (files: every {$sample})')
print(f'ours / warcio: {($records / $ours) / (lines / seconds):.1f}x')"
