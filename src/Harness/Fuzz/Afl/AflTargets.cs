// AflTargets: finds a fuzz target by name for the AFL++ worker: the built-in sim-selftest target
// (AFL plumbing tests, independent of every system), else the registry's targets (an unknown name
// is an UnknownNameException naming the known targets).
using Harness.Core;

namespace Harness.Fuzz.Afl;

public static class AflTargets
{
    public static IFuzzTarget Get(SystemRegistry systems, string name) =>
        name == SimSelfTestTarget.TargetName ? new SimSelfTestTarget() : FuzzTargets.Create(systems, name);

    /// <summary>True when the name resolves to a target.</summary>
    public static bool Exists(SystemRegistry systems, string name) =>
        name == SimSelfTestTarget.TargetName || FuzzTargets.All(systems).Any(d => d.Answers(name));
}
