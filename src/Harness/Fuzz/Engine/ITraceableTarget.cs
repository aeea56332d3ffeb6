// ITraceableTarget: a target that can run an input while writing a readable per-operation trace
// (used by `harness repro` and `harness show --run`; the engine's hot loop never asks for it).
using Harness.Core;

namespace Harness.Fuzz.Engine;

public interface ITraceableTarget
{
    /// <summary>Same outcome as Execute, plus one trace line per operation.</summary>
    Outcome ExecuteTraced(ReadOnlySpan<byte> input, TextWriter trace);
}
