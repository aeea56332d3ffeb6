// AflTargets: finds a fuzz target by name for the AFL++ worker: the built-in sim-selftest target
// (AFL plumbing tests, independent of every system), else the registry's targets (an unknown name
// is an UnknownNameException naming the known targets).
using Harness.Core;

namespace Harness.Fuzz.Afl;

public static class AflTargets
{
    /// <param name="config">The registered target's config (ops-max, canary); sim-selftest has none.</param>
    public static IFuzzTarget Get(SystemRegistry systems, string name, Engine.FuzzTargetConfig? config = null) =>
        name == SimSelfTestTarget.TargetName ? new SimSelfTestTarget() : FuzzTargets.Create(systems, name, config);

    /// <summary>True when the name resolves to a target.</summary>
    public static bool Exists(SystemRegistry systems, string name) =>
        name == SimSelfTestTarget.TargetName || FuzzTargets.All(systems).Any(d => d.Answers(name));
}
