#!/usr/bin/env bash
# Builds PostgreSQL's own memory contexts (mcxt.c, aset.c, generation.c, slab.c, bump.c,
# alignedalloc.c) with driver.c and stubs.c, with the flags PostgreSQL's configure picks for gcc:
# production (prod), checking (chk: MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY, no assertions;
# the golden vectors' two builds), and checking with assertions (cas: + USE_ASSERT_CHECKING, as
# --enable-cassert; the port's default options also assert, so `harness diff` compares with this).
#   PG=path/to/postgresql/source  tools/pg-golden/mmgr/build.sh [OUT]
# writes OUT/driver-prod, OUT/driver-chk and OUT/driver-cas (OUT: out/pg-golden-mmgr). The memory-context files'
# malloc/free/realloc are linked to the driver's copy of the port's SimHeap (--wrap), so offsets
# agree with the port's. PG: a PostgreSQL 17+ tree; its configure needs bison and flex.
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-out/pg-golden-mmgr}; mkdir -p "$out"
[ -f "$PG/src/include/pg_config.h" ] || (cd "$PG" && ./configure --without-readline --without-zlib --without-icu \
  --without-openssl --without-lz4 --without-zstd --without-libxml --without-libxslt >/dev/null \
  && make -C src/backend generated-headers >/dev/null)
CF="-O2 -Wall -fno-strict-aliasing -fwrapv -fexcess-precision=standard -I$PG/src/include -D_GNU_SOURCE"
for build in prod chk cas; do
  # (pg_config_manual.h itself defines the two checking options under USE_ASSERT_CHECKING)
  defs=""; [ $build = chk ] && defs="-DMEMORY_CONTEXT_CHECKING -DCLOBBER_FREED_MEMORY"
  [ $build = cas ] && defs="-DUSE_ASSERT_CHECKING"
  objs=()
  for f in aset mcxt generation slab bump alignedalloc; do
    gcc $CF $defs -c "$PG/src/backend/utils/mmgr/$f.c" -o "$out/$f.$build.o"; objs+=("$out/$f.$build.o")
  done
  gcc $CF $defs -I"$here" -c "$here/driver.c" -o "$out/driver.$build.o"
  gcc $CF $defs -I"$here" -c "$here/stubs.c" -o "$out/stubs.$build.o"
  gcc -o "$out/driver-$build" -Wl,--wrap=malloc,--wrap=free,--wrap=realloc \
    "$out/driver.$build.o" "$out/stubs.$build.o" "${objs[@]}"
done
echo "built $out/driver-prod $out/driver-chk $out/driver-cas"
