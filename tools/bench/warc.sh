#!/usr/bin/env bash
# WARC write/read benchmark: 200 MB and 1 GB of realistic records, release build.
# Each read runs in its own process so that its peak RSS is the reader's alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
scratch=${SCRATCH:-.build-release}
out=${OUT:-/tmp/aomi-warc-bench}
swift build -c release --scratch-path "$scratch" --product warc-bench >/dev/null
bench="$scratch/release/warc-bench"
for size in ${SIZES:-200 1024}; do
  echo "== $size MB"
  "$bench" write --megabytes "$size" --out "$out/$size" --level "${LEVEL:-6}" | tee "$out.$size.write"
  file=$(sed -n 's/^file: //p' "$out.$size.write")
  "$bench" read "$file"
  rm -rf "$out/$size" "$out.$size.write"
done
