#!/usr/bin/env bash
# Writes the memory-context golden vectors: `harness golden mmgr streams` writes the op streams
# (fixed seeds), driver.c runs each on PostgreSQL's own C, production and checking builds, and its
# output is the vector (tests/Harness.Tests/Systems/Mmgr/Golden/{prod,chk}/<stream>.txt), which
# GoldenVectorTests and `harness gate --suite golden` replay against the port.
#   PG=path/to/postgresql/source  tools/pg-golden/mmgr/generate.sh
# HARNESS: the command that runs the harness (default: dotnet run on src/Harness);
# COUNT: number of streams (default 150).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
out=${OUT:-out/pg-golden-mmgr}; mkdir -p "$out"
harness=${HARNESS:-dotnet run --project "$root/src/Harness" -c Release --}
count=${COUNT:-150}
"$here/build.sh" "$out"
rm -rf "$out/streams"
$harness golden mmgr streams --out "$out/streams" --seed 1 --count "$count"
dest="$root/tests/Harness.Tests/Systems/Mmgr/Golden"
for build in prod chk; do
  rm -rf "${dest:?}/$build"; mkdir -p "$dest/$build"
  for f in "$out/streams"/*.ops; do
    name=$(basename "$f" .ops)
    { echo "# $name, PostgreSQL's C ($build build): tools/pg-golden/mmgr/generate.sh"; "$out/driver-$build" < "$f"; } > "$dest/$build/$name.txt"
    if grep -q '^crash ' "$dest/$build/$name.txt"; then echo "driver crashed on $name ($build)" >&2; exit 1; fi
  done
done
echo "wrote $(ls "$dest/prod" | wc -l) vectors per build to $dest ($(du -sh "$dest" | cut -f1))"
