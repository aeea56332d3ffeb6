#!/usr/bin/env bash
# W1-W4, PostgreSQL's C against the port, side by side over ROUNDS rounds. Each round runs, for each
# workload and build, one C process and one port process (each: one warm-up pass, one timed pass),
# in alternating order (C first in odd rounds, port first in even ones), so slow drift of a shared
# machine lands on both sides alike. Prints per side the median and minimum over rounds, the spread
# ((median - min) / min: how far a typical round sits above the best one; a single slow outlier
# round, which a shared machine produces now and then, moves neither) and the ratios port/C of
# medians and of minimums. tools/pg-bench/agree.sh compares two such tables.
#   OUT=out/pg-bench ROUNDS=7 tools/pg-bench/ratio.sh         (after build.sh and a Release build of
#   bench/Allocator.Bench; PORT=<command> overrides how the port's runner is started)
# A figure whose spread is above 10% is marked "noisy": rerun on a quieter machine before trusting it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
out=${OUT:-out/pg-bench}; rounds=${ROUNDS:-7}
slot=${HARNESS_SLOT:-main}
port=${PORT:-dotnet $root/.slots/$slot/bin/Allocator.Bench/release/Allocator.Bench.dll passes}
# RUN_PREFIX: a command every measured process runs under (for example one that pauses the other
# jobs of a shared machine for the second the process takes); empty by default.
prefix=${RUN_PREFIX:-}
for b in prod chk; do [ -x "$out/wbench-$b" ] || { echo "no $out/wbench-$b: run tools/pg-bench/build.sh first" >&2; exit 3; }; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
name() { [ "$1" = prod ] && echo production || echo checking; }
for r in $(seq 1 "$rounds"); do
  for w in W1 W2 W3 W4; do for b in prod chk; do
    c() { $prefix "$out/wbench-$b" $w | awk '{print $2}' >> "$tmp/c-$w-$b"; }
    p() { $prefix $port $w "$(name $b)" | awk '{print $3}' >> "$tmp/p-$w-$b"; }
    if [ $((r % 2)) = 1 ]; then c; p; else p; c; fi
  done; done
  echo "round $r of $rounds done" >&2
done
stats() { sort -n "$1" | awk '{a[NR]=$1} END{m=a[int((NR+1)/2)]; printf "%s %s %s\n", m, a[1], (m-a[1])/a[1]}'; }
echo "rounds: $rounds; ns/op median (min) per side; spread = (median-min)/min over rounds"
echo "| workload | build | C median | C min | C spread | port median | port min | port spread | ratio (medians) | ratio (mins) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for w in W1 W2 W3 W4; do for b in prod chk; do
  read -r cm cn cs < <(stats "$tmp/c-$w-$b"); read -r pm pn ps < <(stats "$tmp/p-$w-$b")
  awk -v w=$w -v b="$(name $b)" -v cm=$cm -v cn=$cn -v cs=$cs -v pm=$pm -v pn=$pn -v ps=$ps 'BEGIN{
    noisy = (cs > 0.10 || ps > 0.10) ? " noisy" : "";
    printf "| %s | %s | %.2f | %.2f | %.0f%% | %.2f | %.2f | %.0f%% | %.2fx%s | %.2fx |\n", w, b, cm, cn, cs*100, pm, pn, ps*100, pm/cm, noisy, pn/cn }'
done; done
