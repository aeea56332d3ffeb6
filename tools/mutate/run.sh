#!/usr/bin/env bash
# The mutation campaign: applies each mutant of tools/mutate/catalog to a scratch copy of the tree,
# builds, runs `harness gate` and writes out/mutate/report.md, report.json and results.tsv.
# Options: see `tools/mutate/run.sh --help` (e.g. --only ID..., --system S..., --resume).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
HARNESS_SLOT="${HARNESS_SLOT:-campaign}" nice dotnet build tools/mutate/Mutate/Mutate.csproj -c Release --nologo -v q -clp:ErrorsOnly >&2
slot="${HARNESS_SLOT:-campaign}"
exec nice dotnet "$root/.slots/$slot/bin/Mutate/release/mutate.dll" "$@"
