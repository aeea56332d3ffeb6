// ScenarioSet: what a system offers the explorer: its concurrency scenarios (correct ones and the
// deliberately broken canaries, flagged IScenario.IsCanary) and, for each canary, what must catch
// it. The explorer, the gate and the replayer find scenarios here by qualified name
// ("locks/lwlock-shared-exclusive"); a bare name is accepted when exactly one system has it, so
// names from before systems were qualified keep working.
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Explore;

/// <summary>What must catch one canary: within Budget iterations of Strategy (a strategy of Engine)
/// from Seed, a failure of ExpectedKind; the correct scenario it shadows must pass the same budget
/// with no failure.</summary>
/// <param name="Name">The canary scenario's name (bare, within its system).</param>
/// <param name="Shadows">The correct scenario it breaks.</param>
/// <param name="Engine">"explorer" (ours) or "coyote" (ExploreEngines).</param>
/// <param name="InGate">False for an expectation the tests prove but the gate leaves to another
/// engine's expectation of the same canary (the gate runs the engine that wins).</param>
public sealed record CanaryExpectation(string Name, string Shadows, string Strategy, int Budget, OutcomeKind ExpectedKind, SpinMode SpinMode = SpinMode.Blocking, ulong Seed = 1,
    string Engine = ExploreEngines.Explorer, bool InGate = true);

public sealed class ScenarioSet : ISystemPart
{
    public ScenarioSet(IReadOnlyList<IScenario> scenarios, IReadOnlyList<CanaryExpectation> canaries)
    {
        Scenarios = scenarios;
        Canaries = canaries;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IScenario s in scenarios)
            if (s.Name.Contains('/', StringComparison.Ordinal) || !names.Add(s.Name)) throw new ArgumentException($"scenario name '{s.Name}' is repeated or contains '/'");
        foreach (CanaryExpectation c in canaries)
        {
            if (Find(c.Name) is not { IsCanary: true }) throw new ArgumentException($"canary expectation for '{c.Name}', which is not a canary of this set");
            if (Find(c.Shadows) is not { IsCanary: false }) throw new ArgumentException($"canary '{c.Name}' shadows '{c.Shadows}', which is not a correct scenario of this set");
        }
    }

    /// <summary>Every scenario, correct ones first in listing order, then the canaries.</summary>
    public IReadOnlyList<IScenario> Scenarios { get; }

    public IReadOnlyList<CanaryExpectation> Canaries { get; }

    public IEnumerable<IScenario> Correct => Scenarios.Where(s => !s.IsCanary);

    public string Engine => "explore";

    public string Summary => $"scenarios {string.Join(", ", Correct.Select(s => s.Name))}; {Scenarios.Count(s => s.IsCanary)} canaries";

    public IScenario? Find(string name) => Scenarios.FirstOrDefault(s => s.Name == name);

    public static string Qualified(ISystem system, IScenario scenario) => $"{system.Name}/{scenario.Name}";

    /// <summary>Every scenario of every system, in registry order, with its qualified name.</summary>
    public static IEnumerable<(ISystem System, ScenarioSet Set, IScenario Scenario)> All(SystemRegistry systems) =>
        systems.Parts<ScenarioSet>().SelectMany(p => p.Part.Scenarios.Select(s => (p.System, p.Part, s)));

    /// <summary>Resolves "system/name" (the system may be an alias) or a bare name that exactly one
    /// system has; anything else is an UnknownNameException listing the qualified names.</summary>
    public static (ISystem System, IScenario Scenario) Resolve(SystemRegistry systems, string name)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        var matches = slash >= 0
            ? All(systems).Where(x => systems.Find(name[..slash]) == x.System && x.Scenario.Name == name[(slash + 1)..]).ToList()
            : All(systems).Where(x => x.Scenario.Name == name).ToList();
        if (matches.Count == 1) return (matches[0].System, matches[0].Scenario);
        throw new UnknownNameException(matches.Count == 0 ? "scenario" : "scenario (ambiguous: qualify it with its system)", name,
            (matches.Count == 0 ? All(systems).ToList() : matches).Select(x => Qualified(x.System, x.Scenario)));
    }
}
