// RunResult: what one AllocatorRunner execution did: its outcome plus counts a caller (the OOM
// property, the throughput report) needs.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Oracle;

public sealed record RunResult(Outcome Outcome, int Executed, int Skipped, long HeapCalls, bool Aborted)
{
    public bool Passed => !Outcome.IsFailure;
}
