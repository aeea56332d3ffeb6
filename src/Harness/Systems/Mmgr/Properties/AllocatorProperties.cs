// AllocatorProperties: the allocator's FsCheck properties, runnable from xunit, `harness check
// allocator` and the gate. Each property is a function from an op list to a FuzzOutcome
// (Evaluate), wrapped in FsCheck with the shrinking arbitrary of AllocatorGen:
//   model       port == model after every op, walkers silent (checking on or off)
//   oom         for each malloc call the ops make, FailOnCall = that call: the right ERROR
//               "out of memory" (or NULL under NO_OOM), a consistent tree, and no leak at the end
//   leak        after deleting everything, the heap holds exactly what PostgreSQL keeps
//   corruption  hostile ops (checking builds): overruns reported by the walkers and pfree, double
//               frees and bogus pointers raising PostgreSQL's ERRORs, nothing else disturbed
// Runs are deterministic for (seed, gamma): FsCheck's Replay starts from them.
using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;
using Microsoft.FSharp.Core;

using Harness.Fuzz.Engine;
using Harness.Properties;
namespace Harness.Systems.Mmgr.Properties;

public static class AllocatorProperties
{
    public static readonly string[] Names = ["model", "oom", "leak", "corruption"];

    /// <summary>The fixed gamma used with a seed given on the command line.</summary>
    public const ulong DefaultGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>At most this many malloc calls are failed in turn per OOM case.</summary>
    public const int OomCallsMax = 48;

    public static bool IsKnown(string name) => Array.IndexOf(Names, name) >= 0;

    /// <summary>Whether a property's generator mixes in hostile ops.</summary>
    public static bool Hostile(string property) => property == "corruption";

    /// <summary>Evaluates one property on one op list (a fresh runner each call; use an
    /// <see cref="Evaluator"/> for speed).</summary>
    public static FuzzOutcome Evaluate(string property, bool checking, IReadOnlyList<AllocatorOp> ops, TextWriter? trace = null) =>
        new Evaluator(property, checking).Run(ops, trace);

    internal static FuzzOutcome Evaluate(string property, bool checking, IReadOnlyList<AllocatorOp> ops, Allocator.Mmgr.AllocatorCanary canary, TextWriter? trace = null) =>
        new Evaluator(property, checking, canary).Run(ops, trace);

    /// <summary>Caches the runners of one (property, checking) pair.</summary>
    public sealed class Evaluator
    {
        private readonly string _property;
        private readonly AllocatorRunner _runner;
        private readonly bool _checking;

        public Evaluator(string property, bool checking) : this(property, checking, Allocator.Mmgr.AllocatorCanary.None) { }

        /// <summary>With a planted port bug (tests prove the properties catch it).</summary>
        internal Evaluator(string property, bool checking, Allocator.Mmgr.AllocatorCanary canary)
        {
            if (!IsKnown(property)) throw new ArgumentException($"unknown property '{property}'", nameof(property));
            _property = property;
            _checking = checking || property == "corruption";
            var options = RunnerOptions.ForChecking(_checking, hostile: property == "corruption") with
            {
                VerifyEvery = property == "leak" ? 0 : 1,
            };
            if (canary != Allocator.Mmgr.AllocatorCanary.None) options = options with { Mcxt = options.Mcxt with { Canary = canary } };
            Canary = canary;
            _runner = new AllocatorRunner(options);
        }

        public FuzzOutcome Run(IReadOnlyList<AllocatorOp> ops, TextWriter? trace = null)
        {
            RunResult first = _runner.Run(ops, trace);
            if (!first.Passed || _property != "oom") return first.Outcome;
            long calls = Math.Min(first.HeapCalls, OomCallsMax);
            for (long n = 1; n <= calls; n++)
            {
                var heap = new Allocator.Sim.SimHeapOptions { FailOnCall = n };
                RunResult r = _runner.RunWithHeap(ops, heap, trace is null ? null : TextWriter.Null);
                if (!r.Passed)
                {
                    trace?.WriteLine($"with FailOnCall={n}:");
                    if (trace is not null) _runner.RunWithHeap(ops, heap, trace);
                    return r.Outcome with { Reason = $"FailOnCall={n}: {r.Outcome.Reason}" };
                }
            }
            return first.Outcome;
        }

        public bool Checking => _checking;

        internal Allocator.Mmgr.AllocatorCanary Canary { get; }
    }

    /// <summary>Runs a property with FsCheck and returns what happened (never throws for a failing property).</summary>
    public static PropertyReport Check(string property, bool checking, ulong seed, ulong gamma, int cases, int maxOps, int? replaySize = null) =>
        Check(new Evaluator(property, checking), property, seed, gamma, cases, maxOps, replaySize);

    internal static PropertyReport Check(Evaluator evaluator, string property, ulong seed, ulong gamma, int cases, int maxOps, int? replaySize = null)
    {
        Arbitrary<AllocatorOp[]> arb = AllocatorGen.Arbitrary(maxOps, Hostile(property));
        Property prop = Prop.ForAll(arb, (AllocatorOp[] ops) =>
        {
            FuzzOutcome o = evaluator.Run(ops);
            return o.IsFailure ? false.Label($"{o.Signature} at op {o.OpIndex}: {o.Reason}") : true.ToProperty();
        });
        var runner = new CapturingRunner();
        var replay = new Replay(new Rnd(seed, gamma), replaySize is int z ? FSharpOption<int>.Some(z) : FSharpOption<int>.None);
        Config config = Config.Quick.WithMaxTest(cases).WithEndSize(50).WithRunner(runner).WithReplay(FSharpOption<Replay>.Some(replay)).WithQuietOnSuccess(true);
        var sw = Stopwatch.StartNew();
        prop.Check(config);
        double seconds = sw.Elapsed.TotalSeconds;
        if (runner.Failure is not { } f)
            return new PropertyReport(property, evaluator.Checking, seed, gamma, runner.Tests, seconds, null) { Canary = evaluator.Canary };
        FuzzOutcome outcome = evaluator.Run(f.Shrunk);
        return new PropertyReport(property, evaluator.Checking, seed, gamma, runner.Tests, seconds,
            new PropertyFailure(f.Shrunk, f.Original.Length, f.Seed, f.Gamma, f.Size, outcome, maxOps)) { Canary = evaluator.Canary };
    }

    /// <summary>Receives FsCheck's result as data (recipes-verified.md A: TestResult.Failed's
    /// positional fields are the original and shrunk arguments and the run and step Rnds).</summary>
    private sealed class CapturingRunner : IRunner
    {
        public int Tests { get; private set; }
        public (AllocatorOp[] Original, AllocatorOp[] Shrunk, ulong Seed, ulong Gamma, int Size)? Failure { get; private set; }

        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<int, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string>> every) => Tests = ntest;
        public void OnShrink(Microsoft.FSharp.Collections.FSharpList<object> args, FSharpFunc<Microsoft.FSharp.Collections.FSharpList<object>, string> everyShrink) { }

        public void OnFinished(string name, TestResult result)
        {
            if (result is TestResult.Passed p) Tests = p.Item1.NumberOfTests;
            if (result is not TestResult.Failed f) return;
            Tests = f.Item1.NumberOfTests;
            var original = (AllocatorOp[])f.Item2.Head;
            var shrunk = (AllocatorOp[])f.Item3.Head;
            Failure = (original, shrunk, f.Item6.Seed, f.Item6.Gamma, f.Item7);
        }
    }
}
