#!/usr/bin/env bash
# Builds PostgreSQL's own freepage.c with repro.c and runs it: the FreePageManager root-page leak
# the port's dsa properties found (FpmOptions.FixRootPageLeak), confirmed on the C code.
#   PG=path/to/postgresql/source  tools/pg-repro/fpm-root-leak/run.sh
# PG: any PostgreSQL 17+ tree (e.g. `git archive` of the hackorum-dev/postgres mirror); configure
# needs bison and flex (apt-get install bison flex). Expected output ends with
# "get 1 again: FAILED (no free page left: the other page is lost)".
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); out=${OUT:-out/pg-repro}; mkdir -p "$out"
[ -f "$PG/src/include/pg_config.h" ] || (cd "$PG" && ./configure --without-readline --without-zlib --without-icu \
  --without-openssl --without-lz4 --without-zstd --without-libxml --without-libxslt >/dev/null \
  && make -C src/backend generated-headers >/dev/null)
CF="-O2 -fno-strict-aliasing -fwrapv -I$PG/src/include -D_GNU_SOURCE"
gcc $CF -c "$PG/src/backend/utils/mmgr/freepage.c" -o "$out/freepage.o"
gcc $CF -c "$here/repro.c" -o "$out/repro.o"
gcc $CF -c "$here/stubs.c" -o "$out/stubs.o"
gcc -o "$out/fpm-root-leak" "$out/repro.o" "$out/stubs.o" "$out/freepage.o"
"$out/fpm-root-leak"
