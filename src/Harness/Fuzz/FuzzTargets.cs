// FuzzTargets: the registry of fuzz targets by name. `harness fuzz/show/minimize/cmin/repro`, the
// gate and the AFL++ worker all find targets here, so a new target (buffer manager, DSA,
// schedules) is one line in Factories plus its own folder.
using Harness.Fuzz.Engine;

namespace Harness.Fuzz;

public static class FuzzTargets
{
    private static readonly (string Name, Func<FuzzTargetConfig, IFuzzTarget> Create)[] Factories =
    [
        (Systems.Mmgr.Fuzz.AllocatorFuzzTarget.TargetName, c => new Systems.Mmgr.Fuzz.AllocatorFuzzTarget(c)),
    ];

    /// <summary>Registered target names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Select(f => f.Name).ToList();

    /// <summary>The target with its default configuration (what the AFL++ worker runs).</summary>
    public static IFuzzTarget Get(string name) => Create(name, FuzzTargetConfig.Default);

    /// <summary>The target with an explicit configuration; an unknown name or bad config is an InputException.</summary>
    public static IFuzzTarget Create(string name, FuzzTargetConfig config)
    {
        foreach (var f in Factories)
            if (f.Name == name) return f.Create(config);
        throw new Cli.InputException($"unknown fuzz target '{name}' (known: {string.Join(", ", Names)})");
    }
}
