#!/usr/bin/env bash
# Builds PostgreSQL's own freepage.c with golden.c and writes the FreePageManager golden vectors
# the port replays (tests/Harness.Tests/Systems/Dsa/Golden/fpm/fpm-*.txt: `harness golden dsa replay`,
# the gate's golden suite, DsaGoldenVectorTests), so neither needs a PostgreSQL tree.
#   PG=path/to/postgresql/source  tools/pg-golden/fpm/generate.sh
# PG: a PostgreSQL 17+ tree (see build.sh).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../../.." && pwd)
out=${OUT:-out/pg-golden}; mkdir -p "$out"
dest="$root/tests/Harness.Tests/Systems/Dsa/Golden/fpm"; mkdir -p "$dest"
"$here/build.sh" "$here/golden.c" "$out/golden"
# seed, pages, ops, start: small regions (singleton <-> btree), mid-size ones, and fragmented
# regions of 1,100-2,000 pages whose btrees reach depth 2
n=0
while read -r seed pages ops start; do
  "$out/golden" "$seed" "$pages" "$ops" "$start" > "$dest/fpm-$start-$pages-$seed.txt"
  n=$((n + 1))
done <<'LIST'
1 16 200 EMPTY
2 16 200 FULL
3 16 200 FRAGMENTED
4 64 300 EMPTY
5 64 300 FULL
6 64 300 FRAGMENTED
7 300 400 FULL
8 300 400 FRAGMENTED
9 300 400 EMPTY
10 1100 600 FRAGMENTED
11 1100 600 FULL
12 2000 800 FRAGMENTED
13 2000 800 EMPTY
14 40 400 FRAGMENTED
15 40 400 FULL
16 500 600 FRAGMENTED
LIST
echo "wrote $n vectors to $dest"
