#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build (runs in the Dockerfile's image as `compile`; $SRC, $OUT, $CC,
# $CFLAGS and $LIB_FUZZING_ENGINE come from the base-builder). Produces in $OUT:
#   harness/              the harness published self-contained (the runner image has no .NET), with
#                         its Allocator.dll replaced by the SharpFuzz-instrumented copy
#   NAME                  one libFuzzer driver per registered fuzz target (tools/libfuzzer/driver.c with
#                         the target baked in), which runs harness/harness libfuzzer-worker NAME
#   NAME.dict, NAME_seed_corpus.zip   the target's dictionary and committed corpus
# Locally, without Docker, `harness libfuzzer TARGET` does the same for one target.
cd "$SRC/harness"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The regular build instruments the port (Directory.Build.targets, SharpFuzzInstrumentAllocator,
# into <output>/sharpfuzz/); the self-contained publish copies the uninstrumented Allocator.dll, so
# the instrumented one replaces it, found where the build put it.
dotnet build src/Harness -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true
dotnet publish src/Harness -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true --no-build -o "$OUT/harness"
outdir="$(dotnet msbuild src/Harness -getProperty:OutDir -p:Configuration=Release -p:RuntimeIdentifier=linux-x64 -p:SelfContained=true)"
instrumented="$outdir/sharpfuzz/Allocator.dll"
[ -f "$instrumented" ] || { echo "build.sh: no instrumented $instrumented (the SharpFuzzInstrumentAllocator target did not run)" >&2; exit 1; }
cp "$instrumented" "$OUT/harness/Allocator.dll"
rm -f "$OUT/harness/Allocator.pdb"   # it describes the uninstrumented IL

# One driver per target, named after it; the harness lists the targets and writes their files.
for target in $("$OUT/harness/harness" libfuzzer-export "$OUT"); do
  bash tools/libfuzzer/build.sh "$OUT/$target" "$target"
done
