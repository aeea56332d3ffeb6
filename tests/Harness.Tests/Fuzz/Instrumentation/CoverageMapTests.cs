// CoverageMap: AFL edge hashing, saturation and reset. The map is process-wide, so these tests run
// in a non-parallel collection (nothing else runs while they do) and leave the map cleared.
using Harness.Coverage;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

[Collection(CoverageMapCollection.Name)]
public sealed class CoverageMapTests
{
    [Fact]
    public void Hit_records_the_afl_edge_and_shifts_prev()
    {
        Assert.True(CoverageMap.UsesPrivateBuffer);
        CoverageMap.Reset();
        try
        {
            CoverageMap.Hit(0x12345);                 // edge (0x12345 ^ 0) & 0xFFFF
            CoverageMap.Hit(0x777);                   // edge (0x777 ^ (0x12345 >> 1)) & 0xFFFF
            Assert.Equal(0x777 >> 1, CoverageMap.PreviousLocation);
            Assert.Equal(1, CoverageMap.Current[0x2345]);
            Assert.Equal(1, CoverageMap.Current[(0x777 ^ (0x12345 >> 1)) & 0xFFFF]);
            Assert.Equal(2, CoverageMap.CountNonZero());
        }
        finally
        {
            CoverageMap.Reset();
        }
    }

    [Fact]
    public void Counters_saturate_at_255_instead_of_wrapping_and_reset_clears_everything()
    {
        CoverageMap.Reset();
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                CoverageMap.PreviousLocation = 0;
                CoverageMap.Hit(42);
            }
            Assert.Equal(255, CoverageMap.Current[42]);
            CoverageMap.Reset();
            Assert.Equal(0, CoverageMap.CountNonZero());
            Assert.Equal(0, CoverageMap.PreviousLocation);
        }
        finally
        {
            CoverageMap.Reset();
        }
    }
}

[Collection(CoverageMapCollection.Name)]
public sealed class InlineProbeTests
{
    [Fact]
    public void Inline_probes_are_valid_IL_behave_like_the_original_and_write_edges()
    {
        // The default probe (Hit's body inline) writes into the process-wide map, hence this collection.
        using var copy = new InstrumentedCopy("Harness.Tests", new Harness.Fuzz.Instrumentation.InstrumentOptions
        {
            IncludePrefixes = new[] { "Harness.Tests.Fuzz.Instrumentation.Samples." },
            RegisterModule = false,
        });
        CoverageMap.Reset();
        try
        {
            foreach (object?[] call in IlInstrumenterSampleTests.Calls())
            {
                string method = (string)call[0]!;
                object?[] args = (object?[])call[1]!;
                string expected = IlInstrumenterSampleTests.Describe(() => typeof(Samples.IlSamples).GetMethod(method)!.Invoke(null, args));
                string actual = IlInstrumenterSampleTests.Describe(() => copy.Call("Harness.Tests.Fuzz.Instrumentation.Samples.IlSamples", method, args));
                Assert.Equal(expected, actual);
            }
            Assert.True(CoverageMap.CountNonZero() > 20, $"only {CoverageMap.CountNonZero()} edges");
        }
        finally
        {
            CoverageMap.Reset();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CoverageMapCollection
{
    public const string Name = "CoverageMap (process-wide state)";
}
