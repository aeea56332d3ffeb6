// SharpFuzz instrumentation of the real port (Allocator.dll): the instrumented port gives exactly
// the results of the original on deterministic workloads (the simulated heap, and the mmgr fuzz
// target with its model comparison), while its probes fill the map. The map is process-wide, so
// these tests run in a collection of their own with parallelization off.
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TraceMapCollection
{
    public const string Name = "SharpFuzz trace map";
}

[Collection(TraceMapCollection.Name)]
public sealed class AllocatorInstrumentationTests
{
    private const string Workload = "Harness.Tests.Fuzz.Instrumentation.AllocatorWorkload";

    private static InstrumentedCopy InstrumentAllocator() => new("harness", "Harness.Tests");

    [Theory]
    [InlineData(1L)]
    [InlineData(42L)]
    [InlineData(987654321L)]
    public void Instrumented_sim_heap_gives_identical_results(long seed)
    {
        using InstrumentedCopy copy = InstrumentAllocator();
        string expected = AllocatorWorkload.SimHeapDigest(seed, 3000);
        SharpFuzzTrace.Reset();
        Assert.Equal(0, SharpFuzzTrace.CountNonZero());   // the uninstrumented original wrote nothing
        object? actual = copy.Call(Workload, nameof(AllocatorWorkload.SimHeapDigest), seed, 3000);
        Assert.Equal(expected, (string)actual!);
        Assert.True(SharpFuzzTrace.CountNonZero() > 20, $"only {SharpFuzzTrace.CountNonZero()} map bytes set");
        SharpFuzzTrace.Reset();
    }

    [Fact]
    public void Instrumented_allocator_target_gives_identical_outcomes()
    {
        using InstrumentedCopy copy = InstrumentAllocator();
        string expected = AllocatorWorkload.TargetDigest("mmgr", 7, 300);
        SharpFuzzTrace.Reset();
        object? actual = copy.Call(Workload, nameof(AllocatorWorkload.TargetDigest), "mmgr", 7L, 300);
        Assert.Equal(expected, (string)actual!);
        Assert.True(SharpFuzzTrace.CountNonZero() > 100, $"only {SharpFuzzTrace.CountNonZero()} map bytes set");
        SharpFuzzTrace.Reset();
    }
}

[Collection(TraceMapCollection.Name)]
public sealed unsafe class SharpFuzzTraceTests
{
    [Fact]
    public void Map_follows_shared_memory_and_back_and_reset_clears_map_and_previous_location()
    {
        Assert.True(SharpFuzzTrace.UsesPrivateBuffer);
        byte[] shm = GC.AllocateArray<byte>(SharpFuzzTrace.MapSize + 8, pinned: true);
        fixed (byte* p = shm)
        {
            SharpFuzzTrace.UseSharedMemory(p);
            try
            {
                Assert.False(SharpFuzzTrace.UsesPrivateBuffer);
                SharpFuzz.Common.Trace.SharedMem[0x1234] = 3;   // what a probe does
                SharpFuzz.Common.Trace.PrevLocation = 0x1234 >> 1;
                Assert.Equal(3, shm[0x1234]);
                Assert.Equal(1, SharpFuzzTrace.CountNonZero());
                SharpFuzzTrace.Reset();
                Assert.Equal(0, shm[0x1234]);
                Assert.Equal(0, SharpFuzz.Common.Trace.PrevLocation);
            }
            finally
            {
                SharpFuzzTrace.UsePrivateBuffer();
            }
        }
        Assert.True(SharpFuzzTrace.UsesPrivateBuffer);
        Assert.Throws<ArgumentNullException>(() => SharpFuzzTrace.UseSharedMemory(null));
    }
}
