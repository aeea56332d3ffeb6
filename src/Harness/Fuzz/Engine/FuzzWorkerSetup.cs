// FuzzWorkerSetup: what one engine worker executes with: its own target instance and its own
// coverage sources. The parallel engine asks a factory for one per worker (index 0 is the main
// thread's, whose target also mutates, disassembles and names the findings), because a target
// carries state between executions (reused runners and buffers) and must never be shared by two
// threads.
namespace Harness.Fuzz.Engine;

public sealed record FuzzWorkerSetup(IFuzzTarget Target, IReadOnlyList<ICoverageSource> Sources)
{
    /// <summary>A factory building each worker's target with <paramref name="create"/> and its
    /// sources with <see cref="FuzzEngine.SourcesFor"/>.</summary>
    public static Func<int, FuzzWorkerSetup> Factory(Func<IFuzzTarget> create, bool includeIlMap) => _ =>
    {
        IFuzzTarget t = create();
        return new FuzzWorkerSetup(t, FuzzEngine.SourcesFor(t, includeIlMap));
    };
}
