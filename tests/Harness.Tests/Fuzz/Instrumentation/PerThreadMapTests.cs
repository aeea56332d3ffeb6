// Per-thread IL maps: worker slices of CoverageMap and the per-thread probe flavour. A thread that
// attached a slice sees only its own edges (in C# through HitPerThread, and in instrumented code
// whose probes run on two threads at once), slice 0 stays the main map, and a slice is released by
// its own thread only. (The shared-memory guard takes a pointer; this project compiles no unsafe code.)
// The map is process-wide, hence the non-parallel collection.
using Harness.Coverage;
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

[Collection(CoverageMapCollection.Name)]
public sealed class PerThreadMapTests
{
    private static T OnThread<T>(Func<T> f)
    {
        T result = default!;
        Exception? error = null;
        var t = new Thread(() =>
        {
            try
            {
                result = f();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        t.Start();
        t.Join();
        if (error is not null) throw new InvalidOperationException("thread failed", error);
        return result;
    }

    [Fact]
    public void HitPerThread_WritesTheSameEdgeAsHit_IntoTheThreadsOwnSlice()
    {
        CoverageMap.Reset();
        try
        {
            CoverageMap.Hit(0x12345);
            CoverageMap.Hit(0x777);
            byte[] expected = CoverageMap.Current.ToArray();
            CoverageMap.Reset();

            (byte[] map, int slice, int prev) = OnThread(() =>
            {
                using CoverageMap.WorkerSlice s = CoverageMap.AttachWorkerSlice();
                CoverageMap.HitPerThread(0x12345);
                CoverageMap.HitPerThread(0x777);
                return (CoverageMap.Current.ToArray(), s.Index, CoverageMap.ProbeState & CoverageMap.MapMask);
            });
            Assert.True(slice >= 1);
            Assert.Equal(expected, map);
            Assert.Equal(0x777 >> 1, prev);
            Assert.Equal(0, CoverageMap.CountNonZero()); // the main map saw nothing
        }
        finally
        {
            CoverageMap.Reset();
        }
    }

    [Fact]
    public void Slices_AreDistinct_Cleared_AndReleasedByTheirOwnThread()
    {
        using var ready = new Barrier(2);
        int a = 0, b = 0;
        var ta = new Thread(() => { using var s = CoverageMap.AttachWorkerSlice(); a = s.Index; ready.SignalAndWait(); ready.SignalAndWait(); });
        var tb = new Thread(() => { using var s = CoverageMap.AttachWorkerSlice(); b = s.Index; ready.SignalAndWait(); ready.SignalAndWait(); });
        ta.Start();
        tb.Start();
        ta.Join();
        tb.Join();
        Assert.NotEqual(a, b);

        CoverageMap.WorkerSlice? held = null;
        using var attached = new ManualResetEventSlim();
        using var checkedOnMain = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            using CoverageMap.WorkerSlice s = CoverageMap.AttachWorkerSlice();
            held = s;
            attached.Set();
            checkedOnMain.Wait();
        });
        owner.Start();
        attached.Wait();
        try
        {
            Assert.Throws<InvalidOperationException>(held!.Dispose); // not the attaching thread
            Assert.Equal(0, CoverageMap.SliceOffset);
        }
        finally
        {
            checkedOnMain.Set();
            owner.Join();
        }
    }

    [Fact]
    public void PerThreadProbes_InInstrumentedCode_FillEachThreadsOwnMap_Concurrently()
    {
        using var copy = new InstrumentedCopy("Harness.Tests", new InstrumentOptions
        {
            IncludePrefixes = new[] { "Harness.Tests.Fuzz.Instrumentation.Samples." },
            RegisterModule = false,
            PerThreadMaps = true,
        });
        Assert.Contains(CoverageMap.PerThreadSuffix, IlInstrumenter.VersionFor(perThreadMaps: true));
        List<object?[]> calls = IlInstrumenterSampleTests.Calls().ToList();
        const string Type = "Harness.Tests.Fuzz.Instrumentation.Samples.IlSamples";

        // What one thread's map holds after running every sample once, alone.
        byte[] alone = OnThread(() =>
        {
            using var s = CoverageMap.AttachWorkerSlice();
            foreach (object?[] c in calls)
            {
                string expected = IlInstrumenterSampleTests.Describe(() => typeof(Samples.IlSamples).GetMethod((string)c[0]!)!.Invoke(null, (object?[])c[1]!));
                string actual = IlInstrumenterSampleTests.Describe(() => copy.Call(Type, (string)c[0]!, (object?[])c[1]!));
                Assert.Equal(expected, actual);
            }
            CoverageMap.Reset(); // the first round ran one-time code (type initialisers); keep the second
            foreach (object?[] c in calls) IlInstrumenterSampleTests.Describe(() => copy.Call(Type, (string)c[0]!, (object?[])c[1]!));
            return CoverageMap.Current.ToArray();
        });
        Assert.True(alone.Count(x => x != 0) > 20);

        // Two threads doing the same many times at once: each map is exactly `alone` scaled, untouched by the other.
        CoverageMap.Reset();
        const int Rounds = 50;
        using var go = new Barrier(2);
        byte[][] maps = new byte[2][];
        Thread[] threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            using var s = CoverageMap.AttachWorkerSlice();
            go.SignalAndWait();
            for (int r = 0; r < Rounds; r++)
            {
                CoverageMap.Reset();
                foreach (object?[] c in calls) IlInstrumenterSampleTests.Describe(() => copy.Call(Type, (string)c[0]!, (object?[])c[1]!));
            }
            maps[i] = CoverageMap.Current.ToArray();
        })).ToArray();
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) t.Join();
        Assert.Equal(alone, maps[0]);
        Assert.Equal(alone, maps[1]);
        Assert.Equal(0, CoverageMap.CountNonZero()); // per-thread probes never touched the main thread's map
    }
}
