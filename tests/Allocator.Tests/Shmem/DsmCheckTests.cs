// DsmCheck reports each corruption under its number.
using Allocator.Shmem;
using Allocator.Sim;
using Xunit;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Tests.Shmem;

public sealed class DsmCheckTests
{
    private static void AssertReports(DsmCluster c, string number) =>
        Assert.Contains(DsmCheck.Check(c.Control), e => e.StartsWith(number, StringComparison.Ordinal));

    /// <summary>Two backends sharing one segment (slot 0), and a second segment only backend 0 maps (slot 1).</summary>
    private static (DsmCluster c, DsmSegment s0, DsmSegment s1, DsmSegment t) Setup()
    {
        var c = new DsmCluster(2);
        DsmSegment s0 = c.B[0].dsm_create(4096)!;
        DsmSegment s1 = c.B[1].dsm_attach(DsmBackend.dsm_segment_handle(s0))!;
        DsmSegment t = c.B[0].dsm_create(4096)!;
        c.Ok();
        return (c, s0, s1, t);
    }

    private static SimMemory M(DsmCluster c) => c.Control.InitMemory;

    [Fact]
    public void BadMagic_OrOverfull_IsDSM1()
    {
        var (c, _, _, _) = Setup();
        M(c).WriteU32(c.Control.Base + OFF_magic, 0xdeadbeef);
        AssertReports(c, "DSM1:");
        (c, _, _, _) = Setup();
        M(c).WriteU32(c.Control.Base + OFF_nitems, c.Control.MaxItems + 1);
        AssertReports(c, "DSM1:");
        (c, _, _, _) = Setup();
        M(c).WriteU32(c.Control.Base + OFF_maxitems, 100000);
        AssertReports(c, "DSM1:");
    }

    [Fact]
    public void UsedSlotAboveNItems_IsDSM2()
    {
        var (c, _, _, _) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(5) + ITEM_OFF_handle, 8);
        AssertReports(c, "DSM2:");
        (c, _, _, _) = Setup();
        M(c).WriteU32(c.Control.Base + OFF_nitems, 1); // slot 1 is in use but above the mark
        AssertReports(c, "DSM2:");
    }

    [Fact]
    public void MoribundSlot_IsDSM3()
    {
        var (c, _, _, t) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_refcnt, 1);
        AssertReports(c, "DSM3:");
    }

    [Fact]
    public void DuplicateOddOrInvalidHandle_IsDSM4()
    {
        var (c, s0, _, t) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_handle, s0.handle);
        AssertReports(c, "DSM4:");
        (c, _, _, t) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_handle, 7);
        AssertReports(c, "DSM4:");
        (c, _, _, t) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_handle, DSM_HANDLE_INVALID);
        AssertReports(c, "DSM4:");
        (c, _, _, t) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_handle, c.Control.dsm_control_handle);
        AssertReports(c, "DSM4:");
    }

    [Fact]
    public void DestroyedWhileReferenced_OrLeakedSegment_IsDSM5()
    {
        var (c, _, _, t) = Setup();
        Assert.True(c.Control.Impl.Unlink(t.handle));
        AssertReports(c, "DSM5:");
        (c, _, _, _) = Setup();
        Assert.NotNull(c.Control.Impl.CreateObject(1000, 64));
        AssertReports(c, "DSM5:");
        (c, _, _, t) = Setup();
        // a slot freed without destroying its segment: the object leaks
        M(c).WriteU32(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_refcnt, 0);
        AssertReports(c, "DSM5:");
    }

    [Fact]
    public void WrongRefcnt_IsDSM6()
    {
        var (c, s0, _, _) = Setup();
        M(c).WriteU32(c.Control.ItemAddr(s0.control_slot) + ITEM_OFF_refcnt, 4);
        AssertReports(c, "DSM6:");
        (c, s0, _, _) = Setup();
        // pinned without the pin's reference
        M(c).WriteU8(c.Control.ItemAddr(s0.control_slot) + ITEM_OFF_pinned, 1);
        AssertReports(c, "DSM6:");
        (c, _, _, _) = Setup();
        // a descriptor lost its reference but the count kept it
        c.B[1].Segments.First().control_slot = INVALID_CONTROL_SLOT;
        AssertReports(c, "DSM6:");
    }

    [Fact]
    public void PinnedFreeSlot_MainRegionPages_OrPmHandle_IsDSM7()
    {
        var (c, _, _, t) = Setup();
        c.B[0].dsm_detach(t);
        c.Ok();
        M(c).WriteU8(c.Control.ItemAddr(1) + ITEM_OFF_pinned, 1);
        AssertReports(c, "DSM7:");
        (c, _, _, t) = Setup();
        M(c).WriteU64(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_npages, 3);
        AssertReports(c, "DSM7:");
        (c, _, _, t) = Setup();
        M(c).WriteU64(c.Control.ItemAddr(t.control_slot) + ITEM_OFF_impl_private_pm_handle, 0x1234);
        AssertReports(c, "DSM7:");
    }

    [Fact]
    public void DescriptorWithWrongSlotOrDuplicateHandle_IsDSM8()
    {
        var (c, _, s1, _) = Setup();
        s1.control_slot = 1; // slot 1 holds another handle
        AssertReports(c, "DSM8:");
        (c, _, _, _) = Setup();
        DsmSegment[] mine = c.B[0].Segments.ToArray();
        mine[0].handle = mine[1].handle;
        AssertReports(c, "DSM8:");
        (c, _, s1, _) = Setup();
        s1.control_slot = 50;
        AssertReports(c, "DSM8:");
    }

    [Fact]
    public void BrokenMapping_IsDSM9()
    {
        var (c, _, s1, _) = Setup();
        s1.mapped_size = 1;
        AssertReports(c, "DSM9:");
        (c, _, s1, _) = Setup();
        c.B[1].Memory.UnmapRegion(s1.impl_private!); // the mapping vanished under the descriptor
        AssertReports(c, "DSM9:");
        (c, _, s1, _) = Setup();
        s1.mapped_address = 0;
        s1.mapped_size = 0;
        s1.impl_private = null; // holds a reference but has no mapping
        AssertReports(c, "DSM9:");
        (c, _, s1, var t) = Setup();
        s1.impl_private = t.impl_private; // someone else's region
        s1.mapped_address = t.mapped_address;
        AssertReports(c, "DSM9:");
    }

    [Fact]
    public void LeakedMapping_OrMissingControl_IsDSM10()
    {
        var (c, _, _, _) = Setup();
        c.B[1].AddressSpace.Map("stray", new byte[64]);
        AssertReports(c, "DSM10:");
        (c, _, _, _) = Setup();
        SimRegion control = c.B[1].Memory.Regions.First(r => r.Base == c.Control.Base);
        c.B[1].Memory.UnmapRegion(control);
        AssertReports(c, "DSM10:");
    }

    [Fact]
    public void OwnerDisagreement_IsDSM11()
    {
        var (c, _, s1, _) = Setup();
        s1.resowner = new DsmResourceOwner("ghost");
        AssertReports(c, "DSM11:");
        (c, _, _, var t) = Setup();
        var owner = new DsmResourceOwner();
        c.B[0].CurrentResourceOwner = owner;
        owner.ResourceOwnerRememberDSM(t); // t's descriptor says it has no owner
        AssertReports(c, "DSM11:");
    }

    [Fact]
    public void HeldControlLock_IsDSM12()
    {
        var (c, _, _, _) = Setup();
        c.B[1].Backend.LWLocks.LWLockAcquire(c.Control.DynamicSharedMemoryControlLock, Allocator.Sync.LWLockMode.LW_SHARED);
        AssertReports(c, "DSM12:");
        c.B[1].Backend.LWLocks.LWLockRelease(c.Control.DynamicSharedMemoryControlLock);
        c.Ok();
    }
}
