// Instrumentation of a test-only code sample (Samples/IlSamples.cs): the rewritten IL is valid
// (it loads and runs), behaves exactly like the original, sends jumps through the probes, keeps
// line numbers in stack traces, and is written deterministically.
using System.Reflection;
using Harness.Coverage;
using Harness.Fuzz.Instrumentation;
using Harness.Tests.Fuzz.Instrumentation.Samples;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class SampleCopyFixture : IDisposable
{
    public InstrumentedCopy Copy { get; } = new("Harness.Tests", IlInstrumenterSampleTests.Options());

    public void Dispose() => Copy.Dispose();
}

public sealed class IlInstrumenterSampleTests : IClassFixture<SampleCopyFixture>
{
    private readonly InstrumentedCopy _copy;

    public IlInstrumenterSampleTests(SampleCopyFixture fixture) => _copy = fixture.Copy;

    private const string SampleType = "Harness.Tests.Fuzz.Instrumentation.Samples.IlSamples";
    private const string TestAssembly = "Harness.Tests";

    internal static InstrumentOptions Options(bool retarget = true) => new()
    {
        IncludePrefixes = new[] { "Harness.Tests.Fuzz.Instrumentation.Samples." },
        ProbeMethod = typeof(ProbeTrace).GetMethod(nameof(ProbeTrace.Hit)),
        RegisterModule = false,
        Retarget = retarget,
    };

    public static IEnumerable<object?[]> Calls()
    {
        foreach (int n in new[] { 0, 1, 5, 17 }) yield return new object?[] { "CountDown", new object?[] { n } };
        foreach (int k in new[] { -3, 0, 1, 2, 3, 4, 5, 9 }) yield return new object?[] { "Switch", new object?[] { k } };
        foreach ((int a, int b) in new[] { (1, 2), (4, 0), (9, 3), (-6, 5) }) yield return new object?[] { "Ternaries", new object?[] { a, b } };
        foreach (string s in new[] { "5", "0", "-1", "13", "x", "20" }) yield return new object?[] { "Handlers", new object?[] { s } };
        foreach (int x in new[] { 0, 3, 39, 100 }) yield return new object?[] { "LongMethod", new object?[] { x } };
        foreach (int n in new[] { 0, 7, 80 }) yield return new object?[] { "Iterate", new object?[] { n } };
        yield return new object?[] { "Throws", new object?[] { 2 } };
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void Instrumented_sample_behaves_exactly_like_the_original(string method, object?[] args)
    {
        InstrumentedCopy copy = _copy;
        string expected = Describe(() => typeof(IlSamples).GetMethod(method)!.Invoke(null, args));
        (string actual, List<int> ids) = CaptureDescribe(copy, method, args);
        Assert.Equal(expected, actual);
        Assert.NotEmpty(ids);   // the copy really is instrumented
    }

    [Fact]
    public void Loop_body_probe_runs_once_per_iteration_and_condition_probe_once_more()
    {
        InstrumentedCopy copy = _copy;
        Assert.True(LoopCountsAreExact(copy), "a block's probe was skipped by a jump");
    }

    [Fact]
    public void Without_retargeting_the_loop_check_detects_skipped_probes()
    {
        // Proves the check above can fail: with branches left on the original instructions the
        // program still runs correctly, but jumps bypass the probes.
        using var copy = new InstrumentedCopy(TestAssembly, Options(retarget: false));
        Assert.Equal(IlSamples.CountDown(5), (int)copy.Call(SampleType, "CountDown", 5)!);
        Assert.False(LoopCountsAreExact(copy));
    }

    [Fact]
    public void Each_switch_case_reaches_its_own_switch_target_probe()
    {
        InstrumentedCopy copy = _copy;
        var switchTargets = copy.Result.Sites.Where(s => s.Method.Contains("::Switch(", StringComparison.Ordinal) && s.Kind == "switch-target")
            .Select(s => s.Id).ToHashSet();
        var seen = new HashSet<int>();
        foreach (int k in new[] { 0, 1, 2, 3, 5 })
        {
            (_, List<int> ids) = copy.Trace(SampleType, "Switch", k);
            int[] hit = ids.Where(switchTargets.Contains).ToArray();
            Assert.Single(hit);
            Assert.True(seen.Add(hit[0]), $"case {k} shares its switch-target probe with another case");
        }
    }

    [Fact]
    public void Catch_filter_and_finally_handlers_have_probes_that_run()
    {
        InstrumentedCopy copy = _copy;
        var kinds = copy.Result.Sites.Where(s => s.Method.Contains("::Handlers(", StringComparison.Ordinal))
            .ToDictionary(s => s.Id, s => s.Kind);
        (_, List<int> div0) = copy.Trace(SampleType, "Handlers", "0");
        (_, List<int> neg) = copy.Trace(SampleType, "Handlers", "-1");
        Assert.Contains(div0, id => kinds.TryGetValue(id, out string? k) && k == "catch");
        Assert.Contains(div0, id => kinds.TryGetValue(id, out string? k) && k == "finally");
        Assert.Contains(neg, id => kinds.TryGetValue(id, out string? k) && k == "filter");
        Assert.Contains(neg, id => kinds.TryGetValue(id, out string? k) && k == "filter-handler");
    }

    [Fact]
    public void Stack_traces_of_instrumented_code_keep_file_and_line()
    {
        InstrumentedCopy copy = _copy;
        string original = Assert.Throws<InvalidOperationException>(() => IlSamples.Throws(1)).StackTrace!;
        var wrapped = Assert.Throws<TargetInvocationException>(() => copy.Call(SampleType, "Throws", 1));
        string instrumented = wrapped.InnerException!.StackTrace!;
        string FirstLine(string trace) => trace.Split('\n').First(l => l.Contains("IlSamples.Throws", StringComparison.Ordinal)).Trim();
        Assert.Contains("IlSamples.cs:line", FirstLine(original));
        Assert.Equal(FirstLine(original), FirstLine(instrumented));
    }

    [Fact]
    public void Output_is_deterministic_and_reinstrumentation_is_refused()
    {
        using var a = new InstrumentedCopy(TestAssembly, Options());
        using var b = new InstrumentedCopy(TestAssembly, Options());
        Assert.Equal(File.ReadAllBytes(a.Result.OutputPath), File.ReadAllBytes(b.Result.OutputPath));
        Assert.Equal(File.ReadAllBytes(a.Result.PdbPath!), File.ReadAllBytes(b.Result.PdbPath!));
        Assert.Equal(File.ReadAllText(a.Result.ManifestPath), File.ReadAllText(b.Result.ManifestPath));
        Assert.True(IlInstrumenter.IsInstrumented(a.Result.OutputPath));
        Assert.Throws<InvalidOperationException>(() => IlInstrumenter.Instrument(a.Result.OutputPath, a.Result.OutputPath + ".again.dll"));
    }

    [Fact]
    public void Probe_ids_are_unique_and_avoid_reserved_ids()
    {
        InstrumentedCopy a = _copy;
        int[] ids = a.Result.Sites.Select(s => s.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.Equal(ids.Length, ids.Select(i => i & 0xFFFF).Distinct().Count());
        Assert.Equal(ids, CoverageManifest.ReadIds(a.Result.ManifestPath));

        var reserved = new InstrumentOptions
        {
            IncludePrefixes = Options().IncludePrefixes,
            ProbeMethod = Options().ProbeMethod,
            RegisterModule = false,
            ReservedIds = ids,
        };
        using var b = new InstrumentedCopy(TestAssembly, reserved);
        Assert.Empty(b.Result.Sites.Select(s => s.Id & 0xFFFF).Intersect(ids.Select(i => i & 0xFFFF)));
    }

    private static bool LoopCountsAreExact(InstrumentedCopy copy)
    {
        // For n iterations some probe must run exactly n times (the body) and one n + 1 times (the condition).
        foreach (int n in new[] { 1, 2, 5, 9 })
        {
            (object? r, List<int> ids) = copy.Trace(SampleType, "CountDown", n);
            Assert.Equal(IlSamples.CountDown(n), (int)r!);
            int[] counts = ids.GroupBy(i => i).Select(g => g.Count()).ToArray();
            if (!counts.Contains(n) || !counts.Contains(n + 1)) return false;
        }
        return true;
    }

    [Fact]
    public void ExcludeFromCodeCoverage_leaves_marked_methods_types_lambdas_and_local_functions_without_probes()
    {
        const string type = "Harness.Tests.Fuzz.Instrumentation.Samples.ExcludedSamples";
        string[] excludedSites = _copy.Result.Sites.Select(s => s.Method).Where(m => m.Contains("MarkedMethod") || m.Contains("MarkedType")).ToArray();
        Assert.Empty(excludedSites);
        Assert.Contains(_copy.Result.Sites, s => s.Method.Contains("ExcludedSamples::Unmarked"));

        using (ProbeTrace.Capture c = ProbeTrace.Start())
        {
            Assert.Equal(ExcludedSamples.MarkedMethod(9), (int)_copy.Call(type, "MarkedMethod", 9)!);
            Assert.Empty(c.Ids);   // neither the method, nor its lambda, nor its local function
        }
        using (ProbeTrace.Capture c = ProbeTrace.Start())
        {
            Assert.Equal(ExcludedSamples.MarkedType.Inner(5), (int)_copy.Call(type + "+MarkedType", "Inner", 5)!);
            Assert.Empty(c.Ids);
        }
        using (ProbeTrace.Capture c = ProbeTrace.Start())
        {
            Assert.Equal(ExcludedSamples.Unmarked(2), (int)_copy.Call(type, "Unmarked", 2)!);
            Assert.NotEmpty(c.Ids);   // the unmarked neighbour is still instrumented
        }
    }

    private static (string, List<int>) CaptureDescribe(InstrumentedCopy copy, string method, object?[] args)
    {
        using ProbeTrace.Capture c = ProbeTrace.Start();
        string d = Describe(() => copy.Call(SampleType, method, args));
        return (d, c.Ids);
    }

    internal static string Describe(Func<object?> call)
    {
        try
        {
            return "value:" + call();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            return "throws:" + e.InnerException.GetType().FullName + ":" + e.InnerException.Message;
        }
    }
}
