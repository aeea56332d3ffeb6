#!/usr/bin/env bash
# Which systems a change touches: prints one system name per line (mmgr, buffers, dsa, locks), for
# the PR workflow's fuzz and exploration step. A change to shared code (the simulated memory, the
# sync seam, the engines, the build) touches every system; documentation alone touches none.
#   tools/ci/touched-systems.sh BASE_REF [HEAD_REF]
set -euo pipefail
base=${1:?usage: touched-systems.sh BASE_REF [HEAD_REF]}
head=${2:-HEAD}
all="mmgr buffers dsa locks"
declare -A hit=()
while IFS= read -r path; do
  case "$path" in
    src/Allocator/Mmgr/*|src/Models/Mmgr/*|src/Harness/Systems/Mmgr/*|fuzz/*/mmgr/*) hit[mmgr]=1 ;;
    src/Allocator/Buffers/*|src/Allocator/Storage/*|src/Models/Buffers/*|src/Harness/Systems/Buffers/*|fuzz/*/buffers/*) hit[buffers]=1 ;;
    src/Allocator/Dsa/*|src/Allocator/Shmem/*|src/Models/Dsa/*|src/Harness/Systems/Dsa/*|fuzz/*/dsa*) hit[dsa]=1 ;;
    src/Harness/Systems/Locks/*) hit[locks]=1 ;;
    *.md|docs/*|bench/*|tools/mutate/*|tools/pg-*/*) ;;
    # shared code: the sync seam and simulated memory are under every system; so are the engines
    src/*|tests/*|Directory.*|Harness.sln|BannedSymbols.txt|.ci/*|.github/*|tools/ci/*)
      for s in $all; do hit[$s]=1; done ;;
  esac
done < <(git diff --name-only "$base"..."$head")
for s in $all; do [ -n "${hit[$s]:-}" ] && echo "$s"; done
exit 0
