// FsCheckProperty: the property engine. A property is a function from an op list to an Outcome;
// this class runs it under FsCheck with the system's shrinking arbitrary, captures the failing
// case as data (recipes-verified.md A: TestResult.Failed's positional fields are the original and
// shrunk arguments and the run and step Rnds), re-evaluates the shrunk list for its outcome and
// reports everything a failure needs to be replayed: seed, gamma, size, the shrunk ops as text.
// Runs are deterministic for (seed, gamma): FsCheck's Replay starts from them.
using System.Diagnostics;
using FsCheck.Fluent;
using FsCheck;
using Harness.Artifacts;
using Harness.Core;
using Microsoft.FSharp.Core;
using Outcome = Harness.Core.Outcome;

namespace Harness.Properties;

/// <summary>How a system's ops become and come back from text (one op per line).</summary>
public interface IOpText<TOp>
{
    string Format(TOp op);

    /// <summary>Parses one op per line; MalformedInputException names the bad line.</summary>
    IReadOnlyList<TOp> ParseLines(string text);
}

public sealed class FsCheckProperty<TOp> : IPropertyRun
{
    private readonly Func<int, Arbitrary<TOp[]>> _arbitrary;
    private readonly Func<IReadOnlyList<TOp>, TextWriter?, Outcome> _evaluate;
    private readonly IOpText<TOp> _text;
    private readonly ReachHits? _reach;

    /// <param name="arbitrary">The generator and shrinker of op lists, by longest list.</param>
    /// <param name="evaluate">The property: one op list, an optional trace, an outcome.</param>
    /// <param name="reach">The hits of the runner behind <paramref name="evaluate"/>, when it reports
    /// reach goals: Check counts them per evaluated case (shrinking steps included).</param>
    public FsCheckProperty(string system, string property, bool checking, string canary,
        Func<int, Arbitrary<TOp[]>> arbitrary, Func<IReadOnlyList<TOp>, TextWriter?, Outcome> evaluate, IOpText<TOp> text, ReachHits? reach = null)
    {
        _reach = reach;
        System = system;
        Property = property;
        Checking = checking;
        Canary = canary;
        _arbitrary = arbitrary;
        _evaluate = evaluate;
        _text = text;
    }

    public string System { get; }
    public string Property { get; }
    public bool Checking { get; }
    public string Canary { get; }

    /// <summary>The system's text form of its ops (what artifacts store).</summary>
    public IOpText<TOp> Text => _text;

    /// <summary>The generator and shrinker of op lists up to <paramref name="maxOps"/> long.</summary>
    public Arbitrary<TOp[]> Arbitrary(int maxOps) => _arbitrary(maxOps);

    public Outcome Evaluate(IReadOnlyList<TOp> ops, TextWriter? trace = null) => _evaluate(ops, trace);

    /// <summary>The repro artifact of one failing op list found outside Check (an xunit [Property]
    /// run, say): engine "property", the ops as text, the seed the run started from.</summary>
    public ReproArtifact ArtifactFor(IReadOnlyList<TOp> ops, Outcome outcome, ulong seed, ulong gamma, int maxOps)
    {
        string[] lines = ops.Select(_text.Format).ToArray();
        var report = new PropertyReport(System, Property, Checking, Canary, seed, gamma, 1, 0,
            new PropertyFailure(lines, lines.Length, seed, gamma, 0, outcome, maxOps));
        return report.ToArtifact()!;
    }

    public Outcome Replay(string opLines, TextWriter trace)
    {
        IReadOnlyList<TOp> ops = _text.ParseLines(opLines);
        trace.WriteLine($"{System} property {Property}, checking {(Checking ? "on" : "off")}{(Canary == PropertySuite.NoCanary ? "" : $", canary {Canary}")}, {ops.Count} ops");
        return _evaluate(ops, trace);
    }

    public PropertyReport Check(PropertyRunSpec spec)
    {
        _reach?.Clear();
        ReachTally? tally = _reach is null ? null : new ReachTally(
            $"check:{System}/{Property}/checking-{(Checking ? "on" : "off")}{(Canary == PropertySuite.NoCanary ? "" : $"/canary-{Canary}")}", _reach.Goals);
        Property prop = Prop.ForAll(_arbitrary(spec.MaxOps), (TOp[] ops) =>
        {
            Outcome o = _evaluate(ops, null);
            tally?.Record(_reach!);
            return o.IsFailure ? false.Label($"{o.Signature} at op {o.Step}: {o.Reason}") : true.ToProperty();
        });
        var runner = new CapturingRunner();
        var replay = new Replay(new Rnd(spec.Seed, spec.Gamma), spec.ReplaySize is int z ? FSharpOption<int>.Some(z) : FSharpOption<int>.None);
        Config config = Config.Quick.WithMaxTest(spec.Cases).WithStartSize(PropertyRunSpec.StartSize).WithEndSize(spec.ConfiguredEndSize).WithRunner(runner).WithReplay(FSharpOption<Replay>.Some(replay)).WithQuietOnSuccess(true);
        var sw = WallClock.StartNew();
        prop.Check(config);
        double seconds = sw.Elapsed.TotalSeconds;
        var report = new PropertyReport(System, Property, Checking, Canary, spec.Seed, spec.Gamma, runner.Tests, seconds, null) { Reach = tally };
        if (runner.Failure is not { } f) return report;
        Outcome outcome = _evaluate(f.Shrunk, null);
        _reach?.Clear();
        string[] lines = f.Shrunk.Select(_text.Format).ToArray();
        return report with { Failure = new PropertyFailure(lines, f.Original.Length, f.Seed, f.Gamma, f.Size, outcome, spec.MaxOps) };
    }

    /// <summary>Receives FsCheck's result as data instead of an exception.</summary>
    private sealed class CapturingRunner : IRunner
    {
        public int Tests { get; private set; }
        public (TOp[] Original, TOp[] Shrunk, ulong Seed, ulong Gamma, int Size)? Failure { get; private set; }

        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<int, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string>> every) => Tests = ntest;
        public void OnShrink(Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult result)
        {
            if (result is TestResult.Passed p) Tests = p.Item1.NumberOfTests;
            if (result is not TestResult.Failed f) return;
            Tests = f.Item1.NumberOfTests;
            Failure = ((TOp[])f.Item2.Head, (TOp[])f.Item3.Head, f.Item6.Seed, f.Item6.Gamma, f.Item7);
        }
    }
}
