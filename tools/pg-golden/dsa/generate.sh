#!/usr/bin/env bash
# Builds PostgreSQL's own dsa.c + freepage.c with driver.c and writes the dsa_area golden vectors
# the port replays (tests/Harness.Tests/Systems/Dsa/Golden/dsa/*.txt: `harness golden dsa replay`,
# the gate's golden suite, DsaGoldenVectorTests), so neither needs a PostgreSQL tree.
#   PG=path/to/postgresql/source  tools/pg-golden/dsa/generate.sh
# The streams are the port's own op text from fixed seeds (`harness golden dsa streams`,
# DsaGoldenStreams); COUNT streams from seed 1 (default 42: 6 of each of the 7 themes).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
out=${OUT:-$root/out/pg-golden}; mkdir -p "$out"
dest="$root/tests/Harness.Tests/Systems/Dsa/Golden/dsa"; mkdir -p "$dest"
"$here/build.sh" "$out/dsa-driver"
harness=${HARNESS:-$root/.slots/${HARNESS_SLOT:-default}/bin/Harness/release/harness}
[ -x "$harness" ] || harness="dotnet run -c Release --project $root/src/Harness --"
rm -rf "$out/dsa-streams"
$harness golden dsa streams --out "$out/dsa-streams" --seed 1 --count "${COUNT:-42}"
rm -f "$dest"/*.txt
n=0
for f in "$out/dsa-streams"/*.ops; do
  "$out/dsa-driver" < "$f" > "$dest/$(basename "$f" .ops).txt"
  n=$((n + 1))
done
echo "wrote $n vectors to $dest"
