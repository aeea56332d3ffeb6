// IGateSuite: one part of `harness gate` (a property suite, the bounded exploration of the
// concurrency scenarios, a fuzz burst per target, the replay of stored artifacts).
//
// Suites are discovered by reflection and run in name order, after the suites that run first
// (RunsFirst: the replay of saved failures). A suite must be deterministic for a
// given GateOptions (fixed seeds, count budgets; no clock decides what runs) and must turn every
// failure into a GateResult with a one-line repro command rather than throwing.
using Harness.Core;

namespace Harness.Gate;

/// <summary>What every suite is given.</summary>
/// <param name="Seed">The gate's base seed; suites derive their own seeds from it (Prng.Derive).</param>
/// <param name="Scale">Budget multiplier: 1 is the CI gate; larger runs proportionally more.</param>
/// <param name="RepoRoot">The repository root (for fuzz/corpus and stored artifacts).</param>
/// <param name="ArtifactDir">Where suites write repro artifacts of the failures they find.</param>
/// <param name="Systems">The systems to gate: every suite runs what each system registers for its engine.</param>
/// <param name="Shard">The part of the gate this run owns (null: all of it). Suites ask <see cref="Owns"/>
/// before running a case, and derive the case's seed as they would without sharding.</param>
/// <param name="Only">The systems to gate when not all of them (`harness gate --systems`); null: every
/// system of <paramref name="Systems"/>. Suites run the parts of <see cref="Gated"/>; the registry
/// stays whole so that saved artifacts and corpus folders of the other systems are still recognised.</param>
public sealed record GateOptions(ulong Seed, int Scale, string RepoRoot, string ArtifactDir, SystemRegistry Systems, GateShard? Shard = null,
    IReadOnlyCollection<ISystem>? Only = null)
{
    /// <summary>The systems whose parts the suites run: <see cref="Only"/>, or all of them.</summary>
    public SystemRegistry Gated { get; } = Only is null ? Systems : new SystemRegistry(Only);

    /// <summary>True if this run owns case <paramref name="caseName"/> of suite <paramref name="suite"/>.</summary>
    public bool Owns(string suite, string caseName) => (Shard ?? GateShard.All).Owns(suite, caseName);
}

/// <summary>One named check inside a suite.</summary>
/// <param name="Suite">The suite's name (JUnit testsuite).</param>
/// <param name="Name">The case's name (JUnit testcase).</param>
/// <param name="Passed">False if it found a failure.</param>
/// <param name="Summary">One line: counts reached ("2000 cases, 64 ops each") or the failure.</param>
/// <param name="Repro">The one command that reproduces a failure; null when passed.</param>
/// <param name="Seconds">Wall time, for the report only (never used to decide anything).</param>
/// <param name="Reach">The reach goals the case's runs declared, with their counts (null: none);
/// an unreached goal never fails a case.</param>
public sealed record GateResult(string Suite, string Name, bool Passed, string Summary, string? Repro, double Seconds, IReadOnlyList<ReachCount>? Reach = null)
{
    /// <summary>This result carrying <paramref name="tally"/>'s counts, owned by the case (so two
    /// cases running the same scenario under different strategies stay apart in the report).</summary>
    public GateResult WithReach(ReachTally? tally) =>
        tally is null ? this : this with { Reach = tally.Counts.Select(c => c with { Owner = $"gate:{Suite}/{Name}" }).ToList() };
}

public interface IGateSuite
{
    string Name { get; }

    /// <summary>Runs before the other suites, and a failure of it stops the gate unless told to
    /// continue (GateCommand's --on-regression): the replay of saved failures.</summary>
    bool RunsFirst => false;

    /// <summary>Runs the suite; progress lines may go to <paramref name="log"/>.</summary>
    IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log);
}
