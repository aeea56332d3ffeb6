#!/usr/bin/env bash
# Builds PostgreSQL's own freepage.c, with stubs.c, into a program around one driver:
#   PG=path/to/postgresql/source  tools/pg-golden/fpm/build.sh DRIVER.c OUTPUT
# Used by generate.sh (the golden vectors) and tools/pg-repro/fpm-root-leak/run.sh. PG: a
# PostgreSQL 17+ tree; its configure needs bison and flex (apt-get install bison flex).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
driver=${1:?driver .c file}; output=${2:?output program}
here=$(cd "$(dirname "$0")" && pwd); obj=$(dirname "$output"); mkdir -p "$obj"
[ -f "$PG/src/include/pg_config.h" ] || (cd "$PG" && ./configure --without-readline --without-zlib --without-icu \
  --without-openssl --without-lz4 --without-zstd --without-libxml --without-libxslt >/dev/null \
  && make -C src/backend generated-headers >/dev/null)
CF="-O2 -fno-strict-aliasing -fwrapv -I$PG/src/include -D_GNU_SOURCE"
gcc $CF -c "$PG/src/backend/utils/mmgr/freepage.c" -o "$obj/freepage.o"
gcc $CF -c "$here/stubs.c" -o "$obj/stubs.o"
gcc $CF -c "$driver" -o "$obj/driver.o"
gcc -o "$output" "$obj/driver.o" "$obj/stubs.o" "$obj/freepage.o"
