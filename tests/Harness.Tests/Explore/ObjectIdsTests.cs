// ObjectIds: one shared word is one object however each backend maps it. A backing mapped at the
// same base everywhere keeps its addresses as ids (the Locks/Buffers traces and DFS counts depend
// on that); a backing mapped at a different base per backend (a DSM segment) gets the base it was
// first seen at; different backings never share an id; private memory is its own id. Through the
// engine: two backends writing the same shared word at different addresses record the same object
// in the trace, and a deadlock over a lock word mapped at two bases is reported as a cycle on one
// object with its holder.
using Allocator.Sim;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Strategies;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class ObjectIdsTests
{
    private const ulong BaseA = 0x7100_0000_0000, BaseB = 0x7110_0000_0000;

    /// <summary>Two backends' memories mapping one 4 KiB segment, at BaseA and at BaseB.</summary>
    private static (SimMemory M0, SimMemory M1) TwoMappings()
    {
        var m0 = new SimMemory();
        var m1 = new SimMemory();
        byte[] seg = new byte[4096];
        m0.MapRegion("seg", seg, BaseA);
        m1.MapRegion("seg", seg, BaseB);
        return (m0, m1);
    }

    [Fact]
    public void Same_backing_at_different_bases_is_one_object()
    {
        var ids = new ObjectIds();
        (SimMemory m0, SimMemory m1) = TwoMappings();
        Assert.Equal(BaseA + 0x40, ids.Of(m0, BaseA + 0x40));
        Assert.Equal(BaseA + 0x40, ids.Of(m1, BaseB + 0x40));
        Assert.Equal(BaseA + 0xff8, ids.Of(m1, BaseB + 0xff8));
    }

    [Fact]
    public void The_first_backend_to_touch_a_backing_gives_its_base()
    {
        var ids = new ObjectIds();
        (SimMemory m0, SimMemory m1) = TwoMappings();
        Assert.Equal(BaseB + 8, ids.Of(m1, BaseB + 8));
        Assert.Equal(BaseB + 8, ids.Of(m0, BaseA + 8));
    }

    [Fact]
    public void Same_base_everywhere_keeps_the_address_and_distinct_backings_stay_distinct()
    {
        var ids = new ObjectIds();
        var m0 = new SimMemory();
        var m1 = new SimMemory();
        byte[] shared = new byte[4096], x = new byte[4096], y = new byte[4096];
        m0.MapRegion("shared", shared, BaseA);
        m1.MapRegion("shared", shared, BaseA);
        Assert.Equal(BaseA + 16, ids.Of(m0, BaseA + 16));
        Assert.Equal(BaseA + 16, ids.Of(m1, BaseA + 16));
        // two different segments, each at the other's address in the other backend
        m0.MapRegion("x", x, BaseB);
        m1.MapRegion("y", y, BaseB);
        m0.MapRegion("y", y, BaseB + 0x10000);
        m1.MapRegion("x", x, BaseB + 0x10000);
        ulong idX = ids.Of(m0, BaseB + 4), idY = ids.Of(m0, BaseB + 0x10000 + 4);
        Assert.NotEqual(idX, idY);
        Assert.Equal(idX, ids.Of(m1, BaseB + 0x10000 + 4));
        Assert.Equal(idY, ids.Of(m1, BaseB + 4));
    }

    [Fact]
    public void Private_memory_is_its_own_id()
    {
        var ids = new ObjectIds();
        var m = new SimMemory();
        m.MapRegion("seg", new byte[4096], BaseA);
        // below every region (a backend's heap and static data), between and above regions
        Assert.Equal(0x1234UL, ids.Of(m, 0x1234));
        Assert.Equal(BaseA - 8, ids.Of(m, BaseA - 8));
        Assert.Equal(BaseA + 4096, ids.Of(m, BaseA + 4096));
    }

    /// <summary>A two-backend engine whose backends map <paramref name="seg"/> at BaseA and BaseB.</summary>
    private static ControlledEngine EngineOver(byte[] seg)
    {
        var engine = new ControlledEngine(2);
        engine.FreshMemories(2);
        for (int i = 0; i < 2; i++) engine.Runtime(i).Memory.MapRegion("seg", seg, Bases[i]);
        return engine;
    }

    private static readonly ulong[] Bases = [BaseA, BaseB];

    [Fact]
    public void The_engine_records_one_object_for_a_word_mapped_at_two_bases()
    {
        byte[] seg = new byte[4096];
        using ControlledEngine engine = EngineOver(seg);
        ulong[] bases = Bases;
        var bodies = new Action[2];
        for (int i = 0; i < 2; i++)
        {
            int me = i;
            bodies[i] = () => engine.Runtime(me).AtomicFetchAdd32(bases[me] + 64, 1);
        }
        IterationResult r = engine.RunIteration(bodies, new RandomStrategy(1), new ExploreOptions());
        Assert.Equal(IterationOutcome.Completed, r.Outcome);
        Assert.Equal(2, engine.Trace.Steps);
        Assert.Equal(engine.Trace.StepObj(0), engine.Trace.StepObj(1));
        Assert.Equal(2u, BitConverter.ToUInt32(seg, 64));
    }

    [Fact]
    public void A_deadlock_on_a_lock_word_mapped_at_two_bases_names_its_holder()
    {
        // backend 0 takes the "lock" (word 0 -> 1) and exits holding it; backend 1 spins on it at
        // its own address: a leaked lock whose holder is found through the canonical id
        byte[] seg = new byte[4096];
        using ControlledEngine engine = EngineOver(seg);
        ulong[] bases = Bases;
        var bodies = new Action[2];
        bodies[0] = () => engine.Runtime(0).TestAndSet(bases[0]);
        bodies[1] = () =>
        {
            var rt = engine.Runtime(1);
            while (rt.TestAndSet(bases[1]) != 0) rt.SpinPause(bases[1], 1);
        };
        var strategy = new DfsStrategy(maxPreemptions: -1);
        bool sawLeak = false;
        for (int it = 0; strategy.BeginIteration(it, 2); it++)
        {
            Array.Clear(seg);
            IterationResult r = engine.RunIteration(bodies, strategy, new ExploreOptions());
            strategy.EndIteration(r.Decisions);
            if (r.Outcome != IterationOutcome.Failed) continue;
            Assert.Equal(OutcomeKind.Deadlock, r.Failure!.Kind);
            Assert.Equal("leaked-lock", r.Failure.Site);
            Assert.Contains("holders: 0 (exited)", r.Failure.Message, StringComparison.Ordinal);
            sawLeak = true;
        }
        Assert.True(sawLeak, "no schedule had backend 1 spin on the lock backend 0 took");
    }
}
