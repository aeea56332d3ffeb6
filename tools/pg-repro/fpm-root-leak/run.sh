#!/usr/bin/env bash
# Builds PostgreSQL's own freepage.c with repro.c and runs it: the FreePageManager root-page leak
# the port's dsa properties found (FpmOptions.FixRootPageLeak), confirmed on the C code.
#   PG=path/to/postgresql/source  tools/pg-repro/fpm-root-leak/run.sh
# PG: any PostgreSQL 17+ tree (see tools/pg-golden/fpm/build.sh). Expected output ends with
# "get 1 again: FAILED (no free page left: the other page is lost)".
set -euo pipefail
: "${PG:?set PG to a PostgreSQL source tree}"
here=$(cd "$(dirname "$0")" && pwd); out=${OUT:-out/pg-repro}
"$here/../../pg-golden/fpm/build.sh" "$here/repro.c" "$out/fpm-root-leak"
"$out/fpm-root-leak"
