#!/usr/bin/env bash
# The archive fuzzer's watcher. Mutants of real recorded archives (bit flips, truncations,
# inserted and deleted bytes, duplicated, swapped and dropped gzip members, hostile numbers in
# WARC and HTTP heads) go through the reader, repair, the index loader and the replay loader
# (tools/fuzz/archive-fuzz), then, for a quarter of a timed run, generated search queries go through
# the query parser, both compilers and a SQLite search. A worker that dies is a crash, one that sits on a mutant longer
# than HANG_S is a hang: the mutant is saved with how it was made, and a new worker goes on
# from the next one. Exit status 1 when anything was found.
#
#   tools/fuzz/fuzz.sh [--seconds N] [--mutants N] [--seed N] [--seeds DIR] [--out DIR] [--release]
#
# Without --seeds, seeds are recorded first by `aomi-archive demo` (real traffic through the
# real recorder). CI runs it for about a minute; see tools/fuzz/README.md for a long run.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=60 mutants=0 seed=$(date +%s) seeds="" out="${TMPDIR:-/tmp}/aomi-fuzz" config=debug hang_s=${HANG_S:-20}
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --mutants) mutants=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --release) config=release; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

scratch=.build
[ "$config" = release ] && scratch=${SCRATCH:-.build-release}
swift build -c "$config" --scratch-path "$scratch" --product archive-fuzz >/dev/null
fuzz="$scratch/$config/archive-fuzz"
mkdir -p "$out/findings"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$seeds" ]; then
  swift build -c "$config" --scratch-path "$scratch" --product aomi-archive >/dev/null
  "$scratch/$config/aomi-archive" demo --dir "$work/demo" >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; exit 1; }
  seeds="$work/seeds"
  mkdir -p "$seeds"
  # Every file the demo recorded (the fuzzer cuts them into windows of 16 records).
  find "$work/demo" -name '*.warc.gz' | while read -r file; do cp "$file" "$seeds/$(basename "$(dirname "$file")")-$(basename "$file")"; done
  # The same files compacted into small bundles, so that mutants hit records inside bundles.
  for file in "$seeds"/*.warc.gz; do
    compacted="${file%.warc.gz}-compacted.warc.gz"
    cp "$file" "$compacted"
    "$scratch/$config/aomi-archive" compact --bundle-size 8KiB "$compacted" >/dev/null
  done
fi
echo "archive-fuzz: seed $seed, seeds from $seeds ($(find "$seeds" -name '*.warc*' | wc -l) files), findings in $out/findings"

# A quarter of a timed run goes to the search language (tools/fuzz/archive-fuzz/QueryMutator.swift).
query_seconds=0
[ "$mutants" -eq 0 ] && [ "$seconds" -ge 8 ] && query_seconds=$(( seconds / 4 ))
deadline=$(( $(date +%s) + seconds - query_seconds ))
next=0 crashes=0 hangs=0 invariants=0 done_mutants=0
while :; do
  now=$(date +%s)
  left=$(( deadline - now ))
  [ "$mutants" -gt 0 ] && [ "$done_mutants" -ge "$mutants" ] && break
  [ "$mutants" -eq 0 ] && [ "$left" -le 0 ] && break
  count_arg=()
  [ "$mutants" -gt 0 ] && count_arg=(--count $(( mutants - done_mutants )))
  time_arg=()
  [ "$mutants" -eq 0 ] && time_arg=(--seconds "$left")
  progress="$work/progress"
  : >"$progress"
  "$fuzz" worker --seeds "$seeds" --seed "$seed" --from "$next" "${count_arg[@]}" "${time_arg[@]}" \
    --work "$work/scratch" --progress "$progress" --findings "$out/findings" >"$work/worker.out" 2>"$work/worker.err" &
  worker=$!
  last="" still=0 status=0
  while kill -0 "$worker" 2>/dev/null; do
    sleep 1
    current=$(tr -d ' ' <"$progress")
    if [ "$current" = "$last" ]; then still=$((still + 1)); else still=0; last=$current; fi
    if [ "$still" -ge "$hang_s" ]; then
      kill -9 "$worker" 2>/dev/null || true
      break
    fi
  done
  wait "$worker" || status=$?
  current=$(tr -d ' ' <"$progress")
  if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then
    cat "$work/worker.out"
    [ "$status" -eq 3 ] && invariants=$((invariants + $(grep -c '^mutant ' "$work/worker.err" || true)))
    ran=$(sed -n 's/^mutants \([0-9]*\).*/\1/p' "$work/worker.out")
    done_mutants=$((done_mutants + ran))
    next=$((next + ran))
    [ "$mutants" -gt 0 ] || break
    continue
  fi
  # The worker died or hung on mutant $current: save it, go on after it.
  kind=crash
  [ "$still" -ge "$hang_s" ] && kind=hang && hangs=$((hangs + 1)) || crashes=$((crashes + 1))
  saved="$out/findings/$kind-$seed-$current"
  "$fuzz" mutant --seeds "$seeds" --seed "$seed" --index "$current" --out "$saved" >"$saved.txt"
  { echo "$kind (exit status $status)"; tail -40 "$work/worker.err"; } >>"$saved.txt"
  echo "archive-fuzz: $kind on mutant $current, saved as $saved.*" >&2
  done_mutants=$((done_mutants + current - next + 1))
  next=$((current + 1))
done
queries_done=0
if [ "$query_seconds" -gt 0 ]; then
  : >"$work/query-progress"
  status=0
  timeout $(( query_seconds + hang_s + 60 )) "$fuzz" queries --seeds "$seeds" --seed "$seed" --seconds "$query_seconds" --work "$work/queries" \
    --progress "$work/query-progress" --findings "$out/findings" >"$work/queries.out" 2>"$work/queries.err" || status=$?
  cat "$work/queries.out"
  queries_done=$(sed -n 's/^queries \([0-9]*\).*/\1/p' "$work/queries.out")
  if [ "$status" -eq 3 ]; then
    invariants=$((invariants + $(grep -c '^query ' "$work/queries.err" || true)))
  elif [ "$status" -ne 0 ]; then
    kind=crash
    [ "$status" -eq 124 ] && kind=hang && hangs=$((hangs + 1)) || crashes=$((crashes + 1))
    current=$(tr -d ' ' <"$work/query-progress")
    saved="$out/findings/query-$kind-$seed-$current.txt"
    { echo "$kind (exit status $status) on query $current:"; "$fuzz" queries --seeds "$seeds" --seed "$seed" --from "$current" --show \
        --work "$work/queries" --progress /dev/null --findings "$out/findings"; tail -40 "$work/queries.err"; } >"$saved"
    echo "archive-fuzz: $kind on query $current, saved as $saved" >&2
  fi
fi
echo "archive-fuzz: $done_mutants mutants, ${queries_done:-0} queries, $crashes crashes, $hangs hangs, $invariants broken invariants (seed $seed)"
[ $((crashes + hangs + invariants)) -eq 0 ]
