#!/usr/bin/env bash
# compare-throughput.sh BEFORE_TREE AFTER_TREE [ROUNDS]
#
# Measures the engines' throughput of two built checkouts of this repository side by side, on the
# same machine in one run, interleaving them round by round (before, after, before, after, ...)
# so that drift of the machine hits both alike. Prints every round and the median of each figure:
#   property  cases/s     harness check allocator --property model --checking on
#   explore   it/s, decisions/s   harness explore lwlock-shared-exclusive (pct)
#   fuzz      exec/s      harness fuzz allocator --no-instrument, and instrumented (one worker)
# Both trees must be built (dotnet build -c Release); the old names (allocator, bare scenario
# names) are used because every version of the harness accepts them. Counts decide what runs;
# the figures are the harness's own counters.
# BEFORE_SLOT / AFTER_SLOT name the HARNESS_SLOT each tree was built with (default: none, the
# artifacts/ folder); RUN_PREFIX is a command every measured run goes through (as in
# tools/pg-bench/ratio.sh, e.g. one that pauses the machine's other jobs).
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd); rounds=${3:-3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
prefix=${RUN_PREFIX:-}

harness_of() {   # tree -> its harness.dll
  local slot=${BEFORE_SLOT:-}
  [ "$1" = "$after" ] && slot=${AFTER_SLOT:-}
  if [ -n "$slot" ]; then echo "$1/.slots/$slot/bin/Harness/release/harness.dll"; else echo "$1/artifacts/bin/Harness/release/harness.dll"; fi
}

run() {   # tree, then harness arguments
  local tree=$1; shift
  (cd "$tree" && $prefix dotnet "$(harness_of "$tree")" "$@")
}

measure() {   # tree label round
  local tree=$1 label=$2 r=$3 out
  out=$(run "$tree" check allocator --cases 3000 --seed 1 --property model --checking on --artifacts "$tmp/c")
  local cases=$(grep -o '[0-9]* cases/s' <<<"$out" | tail -1 | cut -d' ' -f1)
  out=$(run "$tree" explore lwlock-shared-exclusive --iterations 20000 --seed 7 --artifacts "$tmp/e")
  local its=$(grep -o 'throughput [0-9]* iterations/s' <<<"$out" | grep -o '[0-9]*')
  local dec=$(grep -o '[0-9]* decisions/s (scheduling points)' <<<"$out" | cut -d' ' -f1)
  out=$(run "$tree" fuzz allocator --seed 1 --execs 100000 --no-instrument --corpus none --out "$tmp/f-$label-$r")
  local raw=$(grep -o '([0-9]* exec/s' <<<"$out" | tail -1 | grep -o '[0-9]*')
  out=$(run "$tree" fuzz allocator --seed 1 --execs 30000 --corpus none --out "$tmp/i-$label-$r" 2>/dev/null)
  local ins=$(grep -o '([0-9]* exec/s' <<<"$out" | tail -1 | grep -o '[0-9]*')
  echo "$label $r $cases $its $dec $raw $ins"
}

# Warm-up: builds each tree's instrumented copy once, outside the measured rounds.
run "$before" fuzz allocator --seed 1 --execs 10 --corpus none --out "$tmp/w1" >/dev/null 2>&1 || true
run "$after" fuzz allocator --seed 1 --execs 10 --corpus none --out "$tmp/w2" >/dev/null 2>&1 || true

echo "tree   round property-cases/s explore-it/s explore-decisions/s fuzz-exec/s fuzz-instrumented-exec/s"
for r in $(seq 1 "$rounds"); do
  measure "$before" before "$r"
  measure "$after" after "$r"
done | tee "$tmp/rows"
echo "medians:"
for label in before after; do
  line=$label
  for col in 3 4 5 6 7; do
    line="$line $(awk -v l="$label" -v c="$col" '$1 == l { print $c }' "$tmp/rows" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  done
  echo "$line"
done
