#!/usr/bin/env bash
# Builds PostgreSQL's own dsa.c and freepage.c, with stubs.c, around driver.c:
#   PG=path/to/postgresql/source  tools/pg-golden/dsa/build.sh OUTPUT
# Built as the port's default options behave (DsaOptions): without assertions, with
# CLOBBER_FREED_MEMORY (dsa_free fills freed objects and pages with 0x7f; it shows in dsa_dump as a
# recycled span object's stale counts). PG: a PostgreSQL 17+ tree whose
# configure has run (tools/pg-golden/fpm/build.sh configures one; it needs bison and flex).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
output=${1:?output program}
here=$(cd "$(dirname "$0")" && pwd); obj=$(dirname "$output"); mkdir -p "$obj"
[ -f "$PG/src/include/pg_config.h" ] || { echo "configure $PG first (see tools/pg-golden/fpm/build.sh)" >&2; exit 2; }
CF="-O2 -Wall -fno-strict-aliasing -fwrapv -I$PG/src/include -D_GNU_SOURCE"
gcc $CF -DCLOBBER_FREED_MEMORY -c "$PG/src/backend/utils/mmgr/dsa.c" -o "$obj/dsa.o"
gcc $CF -c "$PG/src/backend/utils/mmgr/freepage.c" -o "$obj/dsa-freepage.o"
gcc $CF -I"$here" -c "$here/stubs.c" -o "$obj/dsa-stubs.o"
gcc $CF -I"$here" -c "$here/driver.c" -o "$obj/dsa-driver.o"
gcc -o "$output" "$obj/dsa-driver.o" "$obj/dsa-stubs.o" "$obj/dsa.o" "$obj/dsa-freepage.o"
