#!/usr/bin/env bash
# compare-instrumentation.sh speed|campaign [ARGS]
#
# Puts the two IL instrumentations of the port side by side on the same target (mmgr), the same
# seeds (fuzz/corpus/mmgr) and the same mutation seed, interleaving the configurations run by run
# (none, cecil, sharpfuzz, none, cecil, ...) so that drift of a shared machine hits all alike.
#
#   speed [ROUNDS] [EXECS]      exec/s of harness fuzz mmgr --execs EXECS (default 3 rounds, 30000),
#                               uninstrumented, cecil and sharpfuzz, with 1 and 2 workers. With 2
#                               workers harness fuzz --instrumentation sharpfuzz runs uninstrumented
#                               (SharpFuzz has no per-thread maps), so "sharpfuzz-probes 2" runs the
#                               SharpFuzz copy's harness.dll directly: its probes run, their map unread
#   campaign SECONDS [CONFIGS]  one --seconds SECONDS campaign per configuration (default
#                               "cecil:1 sharpfuzz:1 cecil:2 sharpfuzz:2"), then replays each
#                               campaign's final corpus (seeds + what it added) under common
#                               measures: cecil IL edges, sharpfuzz IL edges and the target's own
#                               features (one worker, no mutation: --execs 0)
#
# Edges counted in each instrumentation's own map are not comparable (different block ids, and
# SharpFuzz also probes the invariant walkers and straight-line methods), hence the replay.
# HARNESS (default artifacts/bin/Harness/release/harness.dll) is the built harness to run; OUT
# (default a temp folder) keeps the campaigns' corpora. Run from the repository root.
set -euo pipefail
harness=${HARNESS:-artifacts/bin/Harness/release/harness.dll}
out=${OUT:-$(mktemp -d)}
seeds=fuzz/corpus/mmgr
mkdir -p "$out"

fuzz() { dotnet "$harness" fuzz mmgr --seed 1 "$@" 2>/dev/null; }

rate() { grep -o '([0-9]* exec/s' | tail -1 | grep -o '[0-9]*'; }

speed() {
  local rounds=${1:-3} execs=${2:-30000}
  local copy; copy=$(dotnet "$harness" fuzz mmgr --execs 0 --corpus none --instrumentation sharpfuzz --out "$out/w" 2>&1 >/dev/null \
    | grep -o '[^ ]*/harness.dll' | tail -1)
  echo "config workers round exec/s"
  for r in $(seq 1 "$rounds"); do
    for w in 1 2; do
      echo "none $w $r $(fuzz --execs "$execs" --workers "$w" --no-instrument --out "$out/s-none-$w-$r" | rate)"
      for k in cecil sharpfuzz; do
        echo "$k $w $r $(fuzz --execs "$execs" --workers "$w" --instrumentation "$k" --out "$out/s-$k-$w-$r" | rate)"
      done
      if [ "$w" -gt 1 ]; then
        echo "sharpfuzz-probes $w $r $(dotnet "$copy" fuzz mmgr --seed 1 --execs "$execs" --workers "$w" --out "$out/s-sfp-$w-$r" 2>/dev/null | rate)"
      fi
    done
  done
}

replay() {   # folder, instrumentation -> "il=N features=M"
  dotnet "$harness" fuzz mmgr --execs 0 --corpus "$1" --instrumentation "$2" --out "$out/replay-tmp" 2>/dev/null \
    | grep -o 'DONE .*' | grep -o '(il=[0-9]* features=[0-9]*)' | tr -d '()'
}

campaign() {
  local seconds=$1 configs=${2:-"cecil:1 sharpfuzz:1 cecil:2 sharpfuzz:2"}
  echo "config workers seconds execs exec/s corpus | replay: cecil-il sharpfuzz-il features"
  for c in $configs; do
    local k=${c%%:*} w=${c##*:} dir="$out/c-${c/:/-w}-$seconds"
    local line; line=$(fuzz --seconds "$seconds" --workers "$w" --instrumentation "$k" --out "$dir" | grep '^fuzz: [0-9]* execs')
    mkdir -p "$dir/final"; cp "$seeds"/* "$dir/corpus"/* "$dir/final/" 2>/dev/null || true
    local execs; execs=$(grep -o '^fuzz: [0-9]*' <<<"$line" | grep -o '[0-9]*')
    local corpus; corpus=$(ls "$dir/final" | wc -l)
    local ce sf; ce=$(replay "$dir/final" cecil); sf=$(replay "$dir/final" sharpfuzz)
    echo "$k $w $seconds $execs $(rate <<<"$line") $corpus | cecil ${ce%% *} sharpfuzz ${sf%% *} ${ce##* }"
  done
}

case "${1:-}" in
  speed) shift; speed "$@" ;;
  campaign) shift; campaign "$@" ;;
  *) echo "usage: $0 speed [ROUNDS] [EXECS] | campaign SECONDS [CONFIGS]" >&2; exit 2 ;;
esac
