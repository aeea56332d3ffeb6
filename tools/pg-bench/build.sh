#!/usr/bin/env bash
# Builds PostgreSQL's own memory contexts with wbench.c twice: production, and checking
# (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY, without USE_ASSERT_CHECKING, as the port's
# checking figures are taken), with PostgreSQL's own optimisation flags.
#   PG=path/to/postgresql/source [OUT=out/pg-bench] tools/pg-bench/build.sh
# PG: a PostgreSQL 17+ tree; its configure needs bison and flex (apt-get install bison flex).
# STUBS: the backend stand-ins to link (default: the golden-vector driver's, which also lets an
# ERROR unwind instead of aborting; nothing on the W1-W4 paths reaches them).
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
out=${OUT:-out/pg-bench}; mkdir -p "$out"
stubs=${STUBS:-$root/tools/pg-golden/mmgr/stubs.c}
[ -f "$stubs" ] || { echo "no stubs file at $stubs (set STUBS)" >&2; exit 3; }
[ -f "$PG/src/include/pg_config.h" ] || (cd "$PG" && ./configure --without-readline --without-zlib --without-icu \
  --without-openssl --without-lz4 --without-zstd --without-libxml --without-libxslt >/dev/null \
  && make -C src/backend generated-headers >/dev/null)
# CFLAGS as PostgreSQL's configure picks them for gcc
CF="-O2 -Wall -fno-strict-aliasing -fwrapv -fexcess-precision=standard -I$PG/src/include -D_GNU_SOURCE"
for build in prod chk; do
  defs=""; [ $build = chk ] && defs="-DMEMORY_CONTEXT_CHECKING -DCLOBBER_FREED_MEMORY"
  objs=()
  for f in aset mcxt generation slab bump alignedalloc; do
    gcc $CF $defs -c "$PG/src/backend/utils/mmgr/$f.c" -o "$out/$f.$build.o"; objs+=("$out/$f.$build.o")
  done
  gcc $CF $defs -c "$here/wbench.c" -o "$out/wbench.$build.o"
  gcc $CF $defs -c "$stubs" -o "$out/stubs.$build.o"
  gcc -o "$out/wbench-$build" "$out/wbench.$build.o" "$out/stubs.$build.o" "${objs[@]}"
done
echo "built $out/wbench-prod $out/wbench-chk"
