// FuzzTargets: what a system offers the fuzzer (FuzzTargetDef, a part of the system) and how the
// engines find one by name in a system registry. `harness fuzz/show/minimize/cmin/repro/afl`, the
// gate and the regression replays all find targets here; none of them names a target.
//
// A target's committed inputs live in fuzz/corpus/<CorpusFolder>/ (the system's name for a
// system with one target) and its minimized findings in fuzz/regressions/<CorpusFolder>/.
using Harness.Core;
using Harness.Fuzz.Engine;

namespace Harness.Fuzz;

/// <summary>The planted bug the gate fuzzes for: it must be found within Execs executions from Seed.</summary>
public sealed record FuzzGateCanary(string Canary, ulong Seed, long Execs);

/// <param name="Name">The target's name ("mmgr"); unique across systems.</param>
/// <param name="Aliases">Older names that still resolve (artifacts and commands written before a rename).</param>
/// <param name="CorpusFolder">Folder under fuzz/corpus and fuzz/regressions.</param>
/// <param name="Create">Builds a target; an unknown canary in the config is an UnknownNameException.</param>
/// <param name="Canaries">The planted bugs FuzzTargetConfig.Canary may name (besides "None").</param>
/// <param name="GateCanary">The planted bug the gate must find, if any.</param>
/// <param name="GateBurstExecs">Executions of the gate's burst on the correct port at scale 1.</param>
public sealed record FuzzTargetDef(string Name, IReadOnlyList<string> Aliases, string CorpusFolder,
    Func<FuzzTargetConfig, IFuzzTarget> Create, IReadOnlyList<string> Canaries, FuzzGateCanary? GateCanary, long GateBurstExecs) : ISystemPart
{
    public string Engine => "fuzz";

    public string Summary => $"fuzz target {Name} (corpus fuzz/corpus/{CorpusFolder}; {Canaries.Count} canaries{(GateCanary is null ? "" : $", gate canary {GateCanary.Canary}")}; gate burst {GateBurstExecs} execs)";

    public bool Answers(string name) => Name == name || Aliases.Contains(name);

    /// <summary>fuzz/corpus/CorpusFolder under a repository root.</summary>
    public string CorpusPath(string repoRoot) => Path.Combine(repoRoot, "fuzz", "corpus", CorpusFolder);
}

public static class FuzzTargets
{
    /// <summary>Every registered target, in registry order.</summary>
    public static IReadOnlyList<FuzzTargetDef> All(SystemRegistry systems) => systems.Parts<FuzzTargetDef>().Select(p => p.Part).ToList();

    public static FuzzTargetDef Find(SystemRegistry systems, string name) =>
        All(systems).FirstOrDefault(d => d.Answers(name)) ?? throw new UnknownNameException("fuzz target", name, All(systems).Select(d => d.Name));

    /// <summary>The target with an explicit configuration (default: FuzzTargetConfig.Default).</summary>
    public static IFuzzTarget Create(SystemRegistry systems, string name, FuzzTargetConfig? config = null) =>
        Find(systems, name).Create(config ?? FuzzTargetConfig.Default);
}
