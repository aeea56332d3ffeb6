#!/usr/bin/env bash
# One machine, one sync directory, three fuzzing workers of two kinds: the in-process engine as w1
# (--main, so afl's secondaries import from it) and w2 (with a planted bug, so it has a finding), and
# afl-fuzz 4.04c as afl1 (-S). Shows entries imported across kinds (queue names carrying
# sync:OTHER), `harness status` while afl runs and at the end, `harness merge --corpus` of every
# worker's queue, and w2's finding replayed by `harness repro` from another folder. The same
# commands, run on several machines over a shared (NFS) or rsync'd directory, are the multi-machine
# campaign of docs/multi-machine.md.
#   tools/sync/demo.sh [DIR] [EXECS] [AFL_SECONDS]
# Needs a built harness (HARNESS_DLL, default the slot's or artifacts' release build) and afl-fuzz.
set -euo pipefail
dir=${1:-out/sync-demo}
execs=${2:-20000}
afl_secs=${3:-90}
root=$(cd "$(dirname "$0")/../.." && pwd)
dll=${HARNESS_DLL:-}
if [ -z "$dll" ]; then
  for c in "$root/.slots/${HARNESS_SLOT:-none}/bin/Harness/release/harness.dll" "$root/artifacts/bin/Harness/release/harness.dll"; do
    [ -f "$c" ] && { dll=$c; break; }
  done
fi
[ -n "$dll" ] || { echo "demo: build first (dotnet build -c Release)"; exit 2; }
command -v afl-fuzz >/dev/null || { echo "demo: afl-fuzz not found (apt-get install afl++)"; exit 2; }
harness() { dotnet "$dll" "$@"; }
rm -rf "$dir"; mkdir -p "$dir"
sync="$dir/sync"
say() { printf '\n== %s\n' "$*"; }

say "w1: in-process main worker, $execs execs"
harness fuzz mmgr --sync-dir "$sync" --name w1 --main --seed 1 --execs "$execs" --sync-every 1024 --progress plain | tail -n 3

say "afl1: afl-fuzz -S for ${afl_secs}s, importing w1's queue at start (AFL_IMPORT_FIRST) and every minute (AFL_SYNC_TIME)"
AFL_SYNC_TIME=1 harness afl mmgr --run --seconds "$afl_secs" --sync-dir "$sync" --name afl1 --secondary >"$dir/afl1.out" 2>&1 &
afl_pid=$!
for _ in $(seq 1 120); do   # until afl has its own entries (calibration of a .NET target takes a while)
  n=$( (find "$sync/afl1/queue" -maxdepth 1 -name 'id:*' 2>/dev/null || true) | wc -l)
  [ "$n" -gt 0 ] && break
  sleep 1
done

say "w2: in-process worker with a planted bug (FreelistIndexOffByOne), importing every 512 execs while afl1 runs"
harness fuzz mmgr --sync-dir "$sync" --name w2 --seed 2 --execs "$execs" --sync-every 512 --canary FreelistIndexOffByOne --progress plain \
  | grep -E '^(sync:|#[0-9]+.SYNC|fuzz:|finding|  harness repro)' | tail -n 12 || true

say "harness status while afl1 runs"
harness status "$sync" || true

wait "$afl_pid" || true
tail -n 2 "$dir/afl1.out"

say "w1 again (resumed from its corpus): imports what afl1 and w2 found since"
harness fuzz mmgr --sync-dir "$sync" --name w1 --main --seed 3 --execs 2000 --sync-every 512 --corpus "$sync/w1/corpus" --progress plain | grep -E 'SYNC|^fuzz: [0-9]' || true

say "entries imported across kinds"
echo "afl1 <- in-process: $(find "$sync/afl1/queue" -maxdepth 1 -name 'id:*sync:w*' | wc -l) entries (e.g. $(find "$sync/afl1/queue" -maxdepth 1 -name 'id:*sync:w*' -printf '%f\n' | sort | head -n 1))"
for w in w1 w2; do
  echo "$w <- afl1: $(find "$sync/$w/queue" -maxdepth 1 -name 'id:*sync:afl1*' | wc -l) entries (e.g. $(find "$sync/$w/queue" -maxdepth 1 -name 'id:*sync:afl1*' -printf '%f\n' | sort | head -n 1))"
done

say "harness status at the end"
harness status "$sync" --stale-seconds 600 || true

say "harness merge --corpus: every worker's queue, each distinct input once"
harness merge --corpus "$dir/merged" "$sync"

say "w2's finding, replayed from another folder by harness repro"
artifact=$(find "$sync/w2/findings" -name '*.json' | sort | head -n 1)
[ -n "$artifact" ] || { echo "demo: w2 found nothing"; exit 1; }
artifact=$(realpath "$artifact")
(cd /tmp && dotnet "$dll" repro "$artifact" --quiet)
