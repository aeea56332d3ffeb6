#!/usr/bin/env bash
# ab.sh BASE_DLL NEW_DLL [ROUNDS] [WORKLOADS] [BUILDS]: the port against another build of the port
# on W1-W4, as alternating processes (base first in odd rounds, new first in even ones), each
# process one warm-up and one timed pass (Allocator.Bench passes). Prints per workload and build
# the median and minimum ns/op of each side and new/base ratios. RUN_PREFIX as in ratio.sh.
#   tools/pg-bench/ab.sh ../before/.slots/main/bin/Allocator.Bench/release/Allocator.Bench.dll \
#       .slots/main/bin/Allocator.Bench/release/Allocator.Bench.dll 5 "W1 W3" production
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: ab.sh BASE_DLL NEW_DLL [ROUNDS] [WORKLOADS] [BUILDS]" >&2; exit 2; }
base=$1; new=$2; rounds=${3:-5}; ws=${4:-"W1 W2 W3 W4"}; bs=${5:-"production checking"}
for d in "$base" "$new"; do [ -f "$d" ] || { echo "no such file: $d" >&2; exit 3; }; done
prefix=${RUN_PREFIX:-}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in $(seq 1 "$rounds"); do for w in $ws; do for b in $bs; do
  if [ $((r % 2)) = 1 ]; then order="base new"; else order="new base"; fi
  for side in $order; do
    dll=$base; [ "$side" = new ] && dll=$new
    $prefix dotnet "$dll" passes "$w" "$b" | awk '{print $3}' >> "$tmp/$side-$w-$b"
  done
done; done; echo "round $r of $rounds done" >&2; done
stat() { sort -n "$1" | awk '{v[NR]=$1} END{printf "%s %s\n", v[int((NR+1)/2)], v[1]}'; }
echo "| workload | build | base median | base min | new median | new min | new/base (medians) | new/base (mins) |"
echo "|---|---|---|---|---|---|---|---|"
for w in $ws; do for b in $bs; do
  read -r bm bn < <(stat "$tmp/base-$w-$b"); read -r nm nn < <(stat "$tmp/new-$w-$b")
  awk -v w="$w" -v b="$b" -v bm="$bm" -v bn="$bn" -v nm="$nm" -v nn="$nn" \
    'BEGIN{printf "| %s | %s | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f |\n", w, b, bm, bn, nm, nn, nm/bm, nn/bn}'
done; done
