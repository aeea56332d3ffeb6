#!/usr/bin/env bash
# Builds the libFuzzer driver (driver.c) that `harness libfuzzer` runs.
#   tools/libfuzzer/build.sh OUTPUT [TARGET]
# OUTPUT   the executable to write
# TARGET   bake a fuzz target in (the ClusterFuzzLite layout: OUTPUT runs
#          <OUTPUT's folder>/harness/harness libfuzzer-worker TARGET when given no --worker= flags)
# Environment: CC (default clang-14, else clang), CFLAGS (extra flags; OSS-Fuzz/ClusterFuzzLite set
# the sanitizer ones), LIB_FUZZING_ENGINE (default -fsanitize=fuzzer: Debian's libclang-rt-14-dev).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUTPUT [TARGET]}"
target="${2:-}"
cc="${CC:-}"
if [ -z "$cc" ]; then
  if command -v clang-14 >/dev/null 2>&1; then cc=clang-14; else cc=clang; fi
fi
engine="${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}"
defines=()
if [ -n "$target" ]; then
  case "$target" in
    *[!A-Za-z0-9._-]*) echo "build.sh: target name '$target' has characters a C string define would need escaping for" >&2; exit 2 ;;
  esac
  defines+=("-DHARNESS_TARGET=\"$target\"")
fi
# Warnings are errors in our own build only: OSS-Fuzz's compiler and CFLAGS are newer than ours and
# may warn about things (an unused flag) that must not fail their build.
werror=-Werror
[ -z "${CFLAGS:-}" ] || werror=
mkdir -p "$(dirname "$out")"
# -O1 -g: the driver is tiny; symbols make a libFuzzer stack trace readable.
# shellcheck disable=SC2086  # CFLAGS and LIB_FUZZING_ENGINE are word lists by convention
"$cc" -O1 -g -Wall -Wextra $werror ${CFLAGS:-} "${defines[@]}" "$here/driver.c" $engine -o "$out.tmp"
mv "$out.tmp" "$out"
