#!/usr/bin/env bash
# Do two runs of ratio.sh agree? For every workload and build, the relative difference of the C
# medians, the port medians, the C minimums and the port minimums between RUN1 and RUN2, and
# whether each is within LIMIT (default 10%). Exit 0 when every figure agrees, 1 otherwise.
#   tools/pg-bench/agree.sh out/pg-bench/run1.md out/pg-bench/run2.md [LIMIT_PERCENT]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: agree.sh RUN1.md RUN2.md [LIMIT_PERCENT]" >&2; exit 2; }
for f in "$1" "$2"; do grep -q '^| W[1-4] |' "$f" || { echo "agree.sh: $f has no ratio.sh table rows" >&2; exit 3; }; done
limit=${3:-10}
rows() { grep '^| W[1-4] |' "$1" | awk -F'|' '{gsub(/ /,"",$2); gsub(/ /,"",$3); print $2, $3, $4+0, $5+0, $7+0, $8+0}'; }
join -j1 <(rows "$1" | awk '{print $1"-"$2, $3, $4, $5, $6}' | sort) <(rows "$2" | awk '{print $1"-"$2, $3, $4, $5, $6}' | sort) |
awk -v lim="$limit" 'function d(a,b){ return (b-a)/a*100 }
  BEGIN { print "| workload-build | C median | C min | port median | port min |"; print "|---|---|---|---|---|"; bad=0 }
  { n++; line="| " $1; for (i=2;i<=5;i++) { x=d($i,$(i+4)); if (x<0?-x>lim:x>lim) { bad++; flag=" (over)" } else flag=""; line=line sprintf(" | %+.1f%%%s", x, flag) } print line " |" }
  END { if (n != 8) { print "agree.sh: expected 8 rows in each run, matched " n > "/dev/stderr"; exit 3 }
        printf "%d of %d figures differ by more than %s%%\n", bad, n*4, lim; exit bad>0 }'
