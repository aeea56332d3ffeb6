// Instrumentation of the real port (Allocator.dll): the instrumented port gives exactly the results
// of the original on deterministic workloads (the simulated heap, and the allocator fuzz target with
// its model comparison when the target is registered), while its probes fire.
using Harness.Core;
using Harness.Coverage;
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class AllocatorInstrumentationTests
{
    private const string Workload = "Harness.Tests.Fuzz.Instrumentation.AllocatorWorkload";

    private static InstrumentedCopy InstrumentAllocator() => new("Allocator", new InstrumentOptions
    {
        ProbeMethod = typeof(ProbeTrace).GetMethod(nameof(ProbeTrace.Hit)),
        RegisterModule = false,
    }, "harness", "Harness.Tests");

    [Theory]
    [InlineData(1L)]
    [InlineData(42L)]
    [InlineData(987654321L)]
    public void Instrumented_sim_heap_gives_identical_results(long seed)
    {
        using InstrumentedCopy copy = InstrumentAllocator();
        string expected = AllocatorWorkload.SimHeapDigest(seed, 3000);
        (object? actual, List<int> ids) = copy.Trace(Workload, nameof(AllocatorWorkload.SimHeapDigest), seed, 3000);
        Assert.Equal(expected, (string)actual!);
        Assert.True(ids.Count > 3000, $"only {ids.Count} probes ran");
        Assert.True(copy.Result.Probes > 100, $"only {copy.Result.Probes} probes in Allocator.dll");
        Assert.True(copy.Result.PdbPath is not null && File.Exists(copy.Result.PdbPath));
    }

    [Fact]
    public void Instrumented_allocator_target_gives_identical_outcomes()
    {
        using InstrumentedCopy copy = InstrumentAllocator();
        string expected = AllocatorWorkload.TargetDigest("mmgr", 7, 300);
        (object? actual, List<int> ids) = copy.Trace(Workload, nameof(AllocatorWorkload.TargetDigest), "mmgr", 7L, 300);
        Assert.Equal(expected, (string)actual!);
        Assert.NotEmpty(ids);
    }

    [Fact]
    public void Instrumenting_allocator_is_deterministic()
    {
        string bin = AppContext.BaseDirectory;
        string dir = Path.Combine(Path.GetTempPath(), "harness-instr-tests", Guid.NewGuid().ToString("N"));
        try
        {
            InstrumentResult a = IlInstrumenter.Instrument(Path.Combine(bin, "Allocator.dll"), Path.Combine(dir, "a", "Allocator.dll"));
            InstrumentResult b = IlInstrumenter.Instrument(Path.Combine(bin, "Allocator.dll"), Path.Combine(dir, "b", "Allocator.dll"));
            Assert.Equal(File.ReadAllBytes(a.OutputPath), File.ReadAllBytes(b.OutputPath));
            Assert.Equal(File.ReadAllBytes(a.PdbPath!), File.ReadAllBytes(b.PdbPath!));
            Assert.Equal(File.ReadAllText(a.ManifestPath), File.ReadAllText(b.ManifestPath));
            Assert.Contains(a.Sites, s => s.Source.Length > 0);   // the manifest maps probes to source lines
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
