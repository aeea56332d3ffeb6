// ExploreEngines: the two exploration engines by name, so the gate, the tests and the comparison
// run a scenario the same way whichever engine a canary expectation names: "explorer" (our
// controlled scheduler, Explorer) and "coyote" (Microsoft Coyote's TestingEngine, Coyote/CoyoteEngine).
using Harness.Explore.Coyote;
using Harness.Explore.Scenarios;

namespace Harness.Explore;

public static class ExploreEngines
{
    public const string Explorer = "explorer";
    public const string Coyote = CoyoteEngine.Name;

    public static IReadOnlyList<string> Names { get; } = [Explorer, Coyote];

    /// <summary>Runs <paramref name="run"/> of <paramref name="scenario"/> on the named engine
    /// (<paramref name="explorer"/> is reused for ours, so its threads are too).</summary>
    public static ExplorationReport Run(string engine, Explorer explorer, IScenario scenario, ExploreRun run) => engine switch
    {
        Explorer => explorer.Run(scenario, run),
        Coyote => new CoyoteEngine().Run(scenario, run),
        _ => throw new ArgumentException($"unknown exploration engine '{engine}' (known: {string.Join(", ", Names)})", nameof(engine)),
    };
}
