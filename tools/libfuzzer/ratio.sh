#!/usr/bin/env bash
# exec/s of libFuzzer mode against the in-process engine on one target, interleaved in one run so
# both see the same machine load; prints each round and the ratio of the medians.
#   tools/libfuzzer/ratio.sh [TARGET] [ROUNDS] [EXECS] [HARNESS_DLL]
# Both engines get EXECS executions from seed = round number, the target's committed corpus, one
# worker, inputs up to 4096 bytes. libFuzzer runs twice per round: with its default -len_control
# (it grows inputs slowly, so early inputs are short and cheap) and with -len_control=0 (input sizes
# like the in-process engine's, the like-for-like figure).
set -euo pipefail
target="${1:-mmgr}"; rounds="${2:-3}"; execs="${3:-20000}"
cd "$(dirname "$0")/../.."
dll="${4:-$(ls -d .slots/*/bin/Harness/release/harness.dll artifacts/bin/Harness/release/harness.dll 2>/dev/null | head -1)}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
engine=(); lf=(); lf0=()
for r in $(seq 1 "$rounds"); do
  rm -rf "$tmp"/*
  e=$(dotnet "$dll" fuzz "$target" --execs "$execs" --seed "$r" --out "$tmp/fuzz" | sed -n 's/.*execs in \([0-9.]*\)s.*/\1/p')
  l=$(dotnet "$dll" libfuzzer "$target" --out "$tmp/lf" -- -runs="$execs" -seed="$r" -print_final_stats=1 2>&1 | sed -n 's/^stat::average_exec_per_sec: *//p')
  l0=$(dotnet "$dll" libfuzzer "$target" --out "$tmp/lf0" -- -runs="$execs" -seed="$r" -len_control=0 -print_final_stats=1 2>&1 | sed -n 's/^stat::average_exec_per_sec: *//p')
  es=$(awk -v n="$execs" -v s="$e" 'BEGIN { printf "%.0f", n / s }')
  echo "round $r: in-process $es exec/s, libfuzzer $l exec/s, libfuzzer -len_control=0 $l0 exec/s"
  engine+=("$es"); lf+=("$l"); lf0+=("$l0")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
me=$(median "${engine[@]}"); ml=$(median "${lf[@]}"); ml0=$(median "${lf0[@]}")
echo "median: in-process $me, libfuzzer $ml ($(awk -v a="$ml" -v b="$me" 'BEGIN { printf "%.2f", a / b }')x), libfuzzer -len_control=0 $ml0 ($(awk -v a="$ml0" -v b="$me" 'BEGIN { printf "%.2f", a / b }')x)"
