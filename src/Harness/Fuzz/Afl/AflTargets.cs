// AflTargets: finds a fuzz target by name for the AFL++ worker: the built-in sim-selftest target
// (AFL plumbing tests, independent of the allocator target), else the engine's registry
// (FuzzTargets.Get, which raises an InputException naming the known targets).
namespace Harness.Fuzz.Afl;

public static class AflTargets
{
    public static IFuzzTarget Get(string name) =>
        name == SimSelfTestTarget.TargetName ? new SimSelfTestTarget() : FuzzTargets.Get(name);

    /// <summary>True when the name resolves to a target (the smoke test prefers "allocator" when it exists).</summary>
    public static bool Exists(string name)
    {
        if (name == SimSelfTestTarget.TargetName) return true;
        try
        {
            FuzzTargets.Get(name);
            return true;
        }
        catch (Cli.InputException)
        {
            return false;
        }
    }
}
