#!/usr/bin/env bash
# The PR workflow's second step: a short fuzz campaign and exploration of the systems a change
# touches (tools/ci/touched-systems.sh), after the gate has passed. Counts decide what runs
# (fixed seeds derived from the PR number), SECONDS only caps each fuzz run, so a finding is
# reproduced by the command the harness prints. Exits 1 only if a finding is new against main
# (`harness findings --fail-on-new`: not a regression artifact, not in fuzz/known-findings.tsv);
# out/pr/findings.sarif lists every finding for code-scanning views.
#   tools/ci/pr-campaign.sh BASE_REF [SEED] [FUZZ_SECONDS]
set -uo pipefail
base=${1:?usage: pr-campaign.sh BASE_REF [SEED] [FUZZ_SECONDS]}
seed=${2:-1}
secs=${3:-300}
harness=(dotnet run -c Release --no-build --project src/Harness --)
out=out/pr; mkdir -p "$out"
mapfile -t systems < <(tools/ci/touched-systems.sh "$base")
echo "pr-campaign: seed $seed, ${secs}s per fuzz target, systems: ${systems[*]:-none}"
for s in "${systems[@]}"; do
  # the targets and scenarios a system registers, as `harness systems` lists them
  line=$("${harness[@]}" systems | awk -v s="$s" '$1==s || $1==s":" {on=1; next} /^[a-z]/ {on=0} on')
  for t in $(sed -n 's/^ *fuzz *fuzz target \([^ ]*\).*/\1/p' <<<"$line"); do
    "${harness[@]}" fuzz "$t" --seed "$seed" --execs 100000000 --seconds "$secs" --out "$out/fuzz/$t" || true
  done
  for sc in $(sed -n 's/^ *explore *scenarios \(.*\); [0-9]* canaries$/\1/p' <<<"$line" | tr -d ','); do
    "${harness[@]}" explore "$s/$sc" --seed "$seed" --iterations 2000 --artifacts "$out/explore/$sc" || true
  done
done
[ -n "$(find "$out" -name events.jsonl -print -quit)" ] || { echo "pr-campaign: nothing ran"; exit 0; }
"${harness[@]}" findings "$out" --fail-on-new --sarif "$out/findings.sarif"
