// dsm.c's lifecycle across backends: create, attach, detach, destruction at the last reference,
// slot reuse, the per-backend mapping addresses and the faults they imply. DsmCheck after each step.
using Allocator.Common;
using Allocator.Shmem;
using Xunit;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Tests.Shmem;

public sealed class DsmLifecycleTests
{
    [Fact]
    public void Startup_SizesControl_LikePostmaster()
    {
        var c = new DsmCluster(1, maxBackends: 4);
        c.Ok();
        Assert.Equal(PG_DYNSHMEM_CONTROL_MAGIC, c.Control.Magic);
        Assert.Equal(0u, c.Control.NItems);
        Assert.Equal(64u + 5 * 4, c.Control.MaxItems);
        Assert.Equal(16UL + 40 * 84, (ulong)c.Control.ControlBacking.Length);
        Assert.Equal(0u, c.Control.dsm_control_handle & 1);
        Assert.NotEqual(DSM_HANDLE_INVALID, c.Control.dsm_control_handle);
    }

    [Fact]
    public void CreateAttachDetach_AcrossThreeBackends_SharesBytes_AndDestroysAtLastReference()
    {
        var c = new DsmCluster(3);
        DsmSegment s0 = c.B[0].dsm_create(10000)!;
        c.Ok();
        uint h = DsmBackend.dsm_segment_handle(s0);
        Assert.Equal(0u, h & 1);
        Assert.NotEqual(DSM_HANDLE_INVALID, h);
        int slot = c.SlotOf(h);
        Assert.Equal(0, slot);
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        Assert.Equal(10000UL, DsmBackend.dsm_segment_map_length(s0));

        ulong a0 = DsmBackend.dsm_segment_address(s0);
        c.B[0].Memory.WriteU64(a0 + 4096, 0xfeed_beef_cafe_f00d);

        DsmSegment s1 = c.B[1].dsm_attach(h)!;
        c.Ok();
        DsmSegment s2 = c.B[2].dsm_attach(h)!;
        c.Ok();
        Assert.Equal(4u, c.Control.ItemRefcnt(0));
        Assert.Equal(10000UL, DsmBackend.dsm_segment_map_length(s2));

        ulong a1 = DsmBackend.dsm_segment_address(s1), a2 = DsmBackend.dsm_segment_address(s2);
        Assert.NotEqual(a0, a1);
        Assert.NotEqual(a1, a2);
        Assert.NotEqual(a0, a2);
        Assert.True(c.B[1].AddressSpace.Contains(a1) && !c.B[0].AddressSpace.Contains(a1));
        // the same bytes behind three different addresses
        Assert.Equal(0xfeed_beef_cafe_f00dUL, c.B[1].Memory.ReadU64(a1 + 4096));
        c.B[2].Memory.WriteU32(a2 + 8, 77);
        Assert.Equal(77u, c.B[0].Memory.ReadU32(a0 + 8));

        // the creator leaves first: the segment stays for the others
        c.B[0].dsm_detach(s0);
        c.Ok();
        Assert.True(s0.Freed);
        Assert.Equal(3u, c.Control.ItemRefcnt(0));
        Assert.Throws<SimFaultException>(() => c.B[0].Memory.ReadU64(a0 + 4096));
        Assert.Equal(0xfeed_beef_cafe_f00dUL, c.B[2].Memory.ReadU64(a2 + 4096));

        c.B[1].dsm_detach(s1);
        c.Ok();
        Assert.Equal(1, c.SegmentObjects);
        c.B[2].dsm_detach(s2);
        c.Ok();
        Assert.Equal(0u, c.Control.ItemRefcnt(0));
        Assert.Equal(0, c.SegmentObjects);
        Assert.Equal(1u, c.Control.NItems); // the high-water mark stays
        Assert.Null(c.B[1].dsm_attach(h));
        c.Ok();
        Assert.Empty(c.B[1].Segments);
    }

    [Fact]
    public void RawPointer_FromAnotherBackend_Faults()
    {
        var c = new DsmCluster(2);
        DsmSegment s0 = c.B[0].dsm_create(8192)!;
        DsmSegment s1 = c.B[1].dsm_attach(DsmBackend.dsm_segment_handle(s0))!;
        ulong a0 = DsmBackend.dsm_segment_address(s0);
        ulong a1 = DsmBackend.dsm_segment_address(s1);

        // backend 0 stores a raw pointer to an object in the segment, in the segment itself
        ulong obj0 = a0 + 256;
        c.B[0].Memory.WriteU64(obj0, 4242);
        c.B[0].Memory.WriteU64(a0, obj0);

        // backend 1 reads the pointer and dereferences it: not mapped in its address space
        ulong raw = c.B[1].Memory.ReadU64(a1);
        Assert.Equal(obj0, raw);
        SimFaultException f = Assert.Throws<SimFaultException>(() => c.B[1].Memory.ReadU64(raw));
        Assert.Equal(obj0, f.Address);
        Assert.Throws<SimFaultException>(() => c.B[1].Memory.WriteU64(raw, 1));

        // the offset (what relptr and dsa_pointer store) works in both
        ulong off = raw - a0;
        Assert.Equal(4242UL, c.B[1].Memory.ReadU64(a1 + off));
        c.Ok();
    }

    [Fact]
    public void StalePointer_AfterReattach_InSameBackend_Faults()
    {
        var c = new DsmCluster(2);
        DsmSegment keeper = c.B[0].dsm_create(4096)!;
        uint h = DsmBackend.dsm_segment_handle(keeper);
        DsmSegment s = c.B[1].dsm_attach(h)!;
        ulong first = DsmBackend.dsm_segment_address(s);
        c.B[1].dsm_detach(s);
        s = c.B[1].dsm_attach(h)!;
        ulong second = DsmBackend.dsm_segment_address(s);
        Assert.NotEqual(first, second);
        Assert.Throws<SimFaultException>(() => c.B[1].Memory.ReadU8(first));
        Assert.Equal(0, c.B[1].Memory.ReadU8(second));
        c.Ok();
    }

    [Fact]
    public void RunningOffTheEnd_OfAMapping_Faults()
    {
        var c = new DsmCluster(1);
        DsmSegment a = c.B[0].dsm_create(100)!;
        DsmSegment b = c.B[0].dsm_create(100)!;
        ulong aa = DsmBackend.dsm_segment_address(a);
        c.B[0].Memory.WriteU8(aa + 99, 1);
        Assert.Throws<SimFaultException>(() => c.B[0].Memory.WriteU8(aa + 100, 1));
        Assert.True(DsmBackend.dsm_segment_address(b) > aa + DsmAddressSpace.MappingAlign);
        c.Ok();
    }

    [Fact]
    public void Attach_ToDestroyedOrUnknownHandle_ReturnsNull_AndLeavesNoDescriptor()
    {
        var c = new DsmCluster(2);
        Assert.Null(c.B[0].dsm_attach(12345678));
        Assert.Empty(c.B[0].Segments);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        c.B[0].dsm_detach(s);
        Assert.Null(c.B[1].dsm_attach(h));
        Assert.Empty(c.B[1].Segments);
        c.Ok();
    }

    [Fact]
    public void Attach_SkipsSlotBeingDestroyed()
    {
        // refcnt 1 means "going away": even with the right handle, attach must not take it
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        c.Control.InitMemory.WriteU32(c.Control.ItemAddr(0) + ITEM_OFF_refcnt, 1);
        Assert.Null(c.B[1].dsm_attach(h));
        Assert.Equal(1u, c.Control.ItemRefcnt(0));
        Assert.Contains(DsmCheck.Check(c.Control), e => e.StartsWith("DSM3:", StringComparison.Ordinal));
    }

    [Fact]
    public void AttachingTwice_InOneBackend_IsAnError()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        var e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_attach(h));
        Assert.Equal("can't attach the same segment more than once", e.Message);
        c.B[1].dsm_attach(h);
        e = Assert.Throws<PgErrorException>(() => c.B[1].dsm_attach(h));
        Assert.Equal("can't attach the same segment more than once", e.Message);
        Assert.Same(s, c.B[0].dsm_find_mapping(h));
        Assert.Null(c.B[0].dsm_find_mapping(h + 2));
        c.Ok();
    }

    [Fact]
    public void FreedSlots_AreReused_LowestFirst()
    {
        var c = new DsmCluster(1);
        var segs = new DsmSegment[5];
        for (int i = 0; i < 5; i++) segs[i] = c.B[0].dsm_create(32)!;
        Assert.Equal(5u, c.Control.NItems);
        c.B[0].dsm_detach(segs[3]);
        c.B[0].dsm_detach(segs[1]);
        c.Ok();
        DsmSegment x = c.B[0].dsm_create(32)!;
        Assert.Equal(1u, x.control_slot);
        DsmSegment y = c.B[0].dsm_create(32)!;
        Assert.Equal(3u, y.control_slot);
        DsmSegment z = c.B[0].dsm_create(32)!;
        Assert.Equal(5u, z.control_slot);
        Assert.Equal(6u, c.Control.NItems);
        Assert.Equal(2u, c.Control.ItemRefcnt(1));
        c.Ok();
    }

    [Fact]
    public void Exhaustion_RaisesTooMany_OrReturnsNull_AndLeaksNothing()
    {
        var c = new DsmCluster(1, maxBackends: 1);
        uint max = c.Control.MaxItems;
        Assert.Equal(69u, max);
        var segs = new List<DsmSegment>();
        for (uint i = 0; i < max; i++) segs.Add(c.B[0].dsm_create(16)!);
        c.Ok();
        var e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_create(16));
        Assert.Equal("too many dynamic shared memory segments", e.Message);
        c.Ok();
        Assert.Equal((int)max, c.SegmentObjects);
        Assert.Equal((int)max, c.B[0].Segments.Count);
        Assert.Null(c.B[0].dsm_create(16, DSM_CREATE_NULL_IF_MAXSEGMENTS));
        c.Ok();
        Assert.Equal((int)max, c.SegmentObjects);

        // one slot free again: the next create takes it
        c.B[0].dsm_detach(segs[40]);
        DsmSegment again = c.B[0].dsm_create(16, DSM_CREATE_NULL_IF_MAXSEGMENTS)!;
        Assert.Equal(40u, again.control_slot);
        c.Ok();
        c.B[0].dsm_backend_shutdown();
        Assert.Equal(0, c.SegmentObjects);
        c.Ok();
    }

    [Fact]
    public void HandleCollision_IsRetried_WithTheNextDraw()
    {
        var c = new DsmCluster(1);
        // predict the next two handles and occupy the first, as a leftover object of that name would
        var peek = c.Control.PeekPrng();
        uint first = peek.NextU32() << 1, second = peek.NextU32() << 1;
        Assert.NotNull(c.Control.Impl.CreateObject(first, 8));
        DsmSegment s = c.B[0].dsm_create(64)!;
        Assert.Equal(second, DsmBackend.dsm_segment_handle(s));
        Assert.Contains(DsmCheck.Check(c.Control), e => e.StartsWith("DSM5:", StringComparison.Ordinal)); // the leftover
        Assert.True(c.Control.Impl.Unlink(first));
        c.Ok();
    }

    [Fact]
    public void Handles_AreDeterministic_PerSeed()
    {
        static uint[] Run(ulong seed)
        {
            var c = new DsmCluster(2, seed: seed);
            var hs = new uint[4];
            for (int i = 0; i < 4; i++) hs[i] = DsmBackend.dsm_segment_handle(c.B[i % 2].dsm_create(8)!);
            return hs;
        }
        Assert.Equal(Run(11), Run(11));
        Assert.NotEqual(Run(11), Run(12));
    }

    [Fact]
    public void CreateOfSizeZero_FailsInMmap_LeavingTheDescriptorListed()
    {
        // dsm_impl_posix: mmap of 0 bytes is EINVAL, the object is unlinked and the ERROR escapes
        // dsm_create after the descriptor was listed; without a resource owner nothing removes it.
        var c = new DsmCluster(1);
        var e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_create(0));
        Assert.StartsWith("could not map shared memory segment \"/PostgreSQL.", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(": Invalid argument", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, c.SegmentObjects);
        Assert.Equal(0u, c.Control.NItems);
        DsmSegment leaked = Assert.Single(c.B[0].Segments);
        Assert.Equal(INVALID_CONTROL_SLOT, leaked.control_slot);
        c.Ok();
        c.B[0].dsm_detach(leaked); // harmless: no mapping, no reference
        c.Ok();

        // with a resource owner, error recovery cleans it up
        c.B[0].CurrentResourceOwner = new DsmResourceOwner();
        Assert.Throws<PgErrorException>(() => c.B[0].dsm_create(0));
        Assert.Single(c.B[0].Segments);
        c.B[0].AbortCleanup();
        Assert.Empty(c.B[0].Segments);
        c.Ok();
    }

    [Fact]
    public void DetachAll_UnmapsTheControlSegmentToo()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        c.B[1].dsm_attach(h);
        c.B[1].dsm_detach_all();
        Assert.Empty(c.B[1].Segments);
        Assert.False(c.B[1].ControlMapped);
        c.Ok();
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        // a backend that detached everything has no control segment: touching DSM again faults
        Assert.Throws<SimFaultException>(() => c.B[1].dsm_attach(h));
        c.B[1].AbortCleanup();
        c.B[1].dsm_detach_all(); // again: nothing to do
    }

    [Fact]
    public void Exit_DetachesEverything_AndFreesTheProcNumber()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        c.B[1].dsm_attach(DsmBackend.dsm_segment_handle(s));
        c.B[0].dsm_create(64);
        c.B[1].Exit();
        c.Ok();
        c.B[0].Exit();
        c.Ok();
        Assert.Equal(0, c.SegmentObjects);
        DsmBackend again = c.Control.Attach(0);
        Assert.NotNull(again.dsm_create(8));
        c.Ok();
    }

    [Fact]
    public void FailedMapInAttach_KeepsTheReference_UntilErrorRecoveryDetaches()
    {
        // dsm_attach counts its reference before mapping; if the map fails (here: the object was
        // removed behind dsm.c's back) the ERROR leaves a listed, unmapped descriptor holding it.
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        byte[] bytes = c.Control.Impl.OpenObject(h)!;
        Assert.True(c.Control.Impl.Unlink(h));
        c.B[1].CurrentResourceOwner = new DsmResourceOwner();
        var e = Assert.Throws<PgErrorException>(() => c.B[1].dsm_attach(h));
        Assert.Equal($"could not open shared memory segment \"/PostgreSQL.{h}\": No such file or directory", e.Message);
        Assert.Equal(3u, c.Control.ItemRefcnt(0));
        DsmSegment stuck = Assert.Single(c.B[1].Segments);
        Assert.Equal(0u, stuck.control_slot);
        Assert.Equal(0UL, stuck.mapped_address);
        Assert.Contains(DsmCheck.Check(c.Control), x => x.StartsWith("DSM9:", StringComparison.Ordinal));
        c.B[1].AbortCleanup();
        Assert.Empty(c.B[1].Segments);
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        // the creator's detach now fails to unlink: WARNING, and the slot stays at 1 for good
        int warnings = c.Control.Elog.WarningCount;
        c.B[0].dsm_detach(s);
        Assert.Equal(warnings + 1, c.Control.Elog.WarningCount);
        Assert.Equal(1u, c.Control.ItemRefcnt(0));
        Assert.Contains(DsmCheck.Check(c.Control), x => x.StartsWith("DSM3:", StringComparison.Ordinal));
        Assert.Equal(64, bytes.Length);
    }
}
