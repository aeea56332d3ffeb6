// dsm.c's pins (segment pins keep a segment without mappings; mapping pins detach it from the
// resource owner) and on-detach callbacks (newest first, cancel, reset).
using Allocator.Common;
using Allocator.Shmem;
using Xunit;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Tests.Shmem;

public sealed class DsmPinCallbackTests
{
    [Fact]
    public void Callbacks_RunNewestFirst_OnceEach_BeforeUnmapping()
    {
        var c = new DsmCluster(1);
        DsmSegment s = c.B[0].dsm_create(128)!;
        ulong addr = DsmBackend.dsm_segment_address(s);
        var log = new List<string>();
        void Cb(DsmSegment seg, ulong arg)
        {
            Assert.Same(s, seg);
            // still mapped while callbacks run, with interrupts held off
            Assert.Equal(addr, DsmBackend.dsm_segment_address(seg));
            Assert.True(c.B[0].Backend.InterruptHoldoffCount > 0);
            c.B[0].Memory.WriteU64(addr + arg * 8, arg);
            log.Add($"cb{arg}");
        }
        for (ulong i = 1; i <= 4; i++) DsmBackend.on_dsm_detach(s, Cb, i);
        DsmBackend.cancel_on_dsm_detach(s, Cb, 3);
        DsmBackend.cancel_on_dsm_detach(s, Cb, 99); // not registered: nothing happens
        Assert.Equal(3, s.OnDetach.Count);
        c.B[0].dsm_detach(s);
        Assert.Equal(new[] { "cb4", "cb2", "cb1" }, log);
        Assert.Equal(0, c.B[0].Backend.InterruptHoldoffCount);
        c.Ok();
    }

    [Fact]
    public void Cancel_RemovesOnlyTheNewestMatchingRegistration()
    {
        var c = new DsmCluster(1);
        DsmSegment s = c.B[0].dsm_create(8)!;
        int calls = 0;
        void Cb(DsmSegment seg, ulong arg) => calls++;
        DsmBackend.on_dsm_detach(s, Cb, 5);
        DsmBackend.on_dsm_detach(s, Cb, 5);
        DsmBackend.cancel_on_dsm_detach(s, Cb, 5);
        c.B[0].dsm_detach(s);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void ThrowingCallback_IsPoppedFirst_SoARetriedDetachGoesOn()
    {
        var c = new DsmCluster(1);
        DsmSegment s = c.B[0].dsm_create(8)!;
        var log = new List<ulong>();
        DsmBackend.on_dsm_detach(s, (_, a) => log.Add(a), 1);
        DsmBackend.on_dsm_detach(s, (_, _) => throw new PgErrorException("boom"), 2);
        Assert.Throws<PgErrorException>(() => c.B[0].dsm_detach(s));
        Assert.Equal(1, c.B[0].Backend.InterruptHoldoffCount); // held, as in C, until error recovery
        Assert.False(s.Freed);
        c.B[0].AbortCleanup();
        c.B[0].dsm_detach(s);
        Assert.Equal(new ulong[] { 1 }, log);
        Assert.Equal(0, c.SegmentObjects);
        c.Ok();
    }

    [Fact]
    public void ResetOnDsmDetach_DropsCallbacksAndReferencesWithoutRunningThem()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(8)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        DsmSegment s1 = c.B[1].dsm_attach(h)!;
        bool ran = false;
        DsmBackend.on_dsm_detach(s1, (_, _) => ran = true, 0);
        c.B[1].reset_on_dsm_detach();
        Assert.Equal(INVALID_CONTROL_SLOT, s1.control_slot);
        // backend 1's reference is now nobody's: DSM6 sees the count one too high
        Assert.Contains(DsmCheck.Check(c.Control), e => e.StartsWith("DSM6:", StringComparison.Ordinal));
        c.B[1].dsm_detach(s1);
        Assert.False(ran);
        Assert.Equal(3u, c.Control.ItemRefcnt(0));
    }

    [Fact]
    public void PinnedSegment_SurvivesWithoutMappings_UntilUnpinned()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(256)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        c.B[0].Memory.WriteU32(DsmBackend.dsm_segment_address(s), 31337);
        c.B[0].dsm_pin_segment(s);
        Assert.True(c.Control.ItemPinned(0));
        Assert.Equal(3u, c.Control.ItemRefcnt(0));
        c.Ok();
        c.B[0].dsm_detach(s);
        c.Ok();
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        Assert.Equal(1, c.SegmentObjects);

        // nobody maps it, yet it can be attached and keeps its contents
        DsmSegment s1 = c.B[1].dsm_attach(h)!;
        Assert.Equal(31337u, c.B[1].Memory.ReadU32(DsmBackend.dsm_segment_address(s1)));
        c.B[1].dsm_detach(s1);
        c.Ok();

        // unpinning needs no mapping; the last reference goes and the segment with it
        c.B[1].dsm_unpin_segment(h);
        c.Ok();
        Assert.Equal(0u, c.Control.ItemRefcnt(0));
        Assert.False(c.Control.ItemPinned(0));
        Assert.Equal(0, c.SegmentObjects);
        Assert.Null(c.B[0].dsm_attach(h));
    }

    [Fact]
    public void UnpinWhileMapped_KeepsTheSegment_UntilTheLastDetach()
    {
        var c = new DsmCluster(2);
        DsmSegment s = c.B[0].dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        c.B[0].dsm_pin_segment(s);
        c.B[1].dsm_unpin_segment(h);
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        Assert.Equal(1, c.SegmentObjects);
        c.Ok();
        c.B[0].dsm_detach(s);
        Assert.Equal(0, c.SegmentObjects);
        c.Ok();
    }

    [Fact]
    public void PinTwice_IsAnError_RaisedUnderTheLock()
    {
        var c = new DsmCluster(1);
        DsmSegment s = c.B[0].dsm_create(64)!;
        c.B[0].dsm_pin_segment(s);
        var e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_pin_segment(s));
        Assert.Equal("cannot pin a segment that is already pinned", e.Message);
        Assert.Equal(1, c.B[0].Backend.LWLocks.NumHeld);
        Assert.Contains(DsmCheck.Check(c.Control), x => x.StartsWith("DSM12:", StringComparison.Ordinal));
        c.B[0].AbortCleanup();
        Assert.Equal(3u, c.Control.ItemRefcnt(0)); // counted once
        c.Ok();
    }

    [Fact]
    public void UnpinErrors_UnknownHandle_AndNotPinned()
    {
        var c = new DsmCluster(1);
        var e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_unpin_segment(4242));
        Assert.Equal("cannot unpin unknown segment handle", e.Message);
        c.B[0].AbortCleanup();
        DsmSegment s = c.B[0].dsm_create(64)!;
        e = Assert.Throws<PgErrorException>(() => c.B[0].dsm_unpin_segment(DsmBackend.dsm_segment_handle(s)));
        Assert.Equal("cannot unpin a segment that is not pinned", e.Message);
        c.B[0].AbortCleanup();
        Assert.Equal(2u, c.Control.ItemRefcnt(0));
        c.Ok();
        // a pinned segment can be pinned again once unpinned
        c.B[0].dsm_pin_segment(s);
        c.B[0].dsm_unpin_segment(DsmBackend.dsm_segment_handle(s));
        c.B[0].dsm_pin_segment(s);
        c.Ok();
    }

    [Fact]
    public void ResourceOwner_DetachesOnRelease_WarningOnlyOnCommit()
    {
        var c = new DsmCluster(2);
        var owner = new DsmResourceOwner("T1");
        c.B[0].CurrentResourceOwner = owner;
        DsmSegment a = c.B[0].dsm_create(64)!;
        DsmSegment b = c.B[0].dsm_create(64)!;
        DsmSegment kept = c.B[0].dsm_create(64)!;
        c.B[0].dsm_pin_mapping(kept);
        Assert.Null(kept.resowner);
        Assert.Equal(new[] { a, b }, owner.Segments);
        c.Ok();
        c.B[0].CurrentResourceOwner = null;
        int warnings = c.Control.Elog.WarningCount;
        owner.ResourceOwnerRelease(isCommit: true, c.Control.Elog);
        Assert.Equal(warnings + 2, c.Control.Elog.WarningCount);
        Assert.Equal($"resource was not closed: dynamic shared memory segment {DsmBackend.dsm_segment_handle(a)}",
            c.Control.Elog.Messages[^1].Text); // newest first, so a is last
        Assert.True(a.Freed && b.Freed && !kept.Freed);
        c.Ok();

        // unpin_mapping hands the session mapping to a new owner; abort releases it silently
        var owner2 = new DsmResourceOwner("T2");
        c.B[0].CurrentResourceOwner = owner2;
        c.B[0].dsm_unpin_mapping(kept);
        Assert.Same(owner2, kept.resowner);
        c.Ok();
        warnings = c.Control.Elog.WarningCount;
        c.B[0].AbortCleanup();
        Assert.Equal(warnings, c.Control.Elog.WarningCount);
        Assert.True(kept.Freed);
        Assert.Equal(0, c.SegmentObjects);
        c.Ok();
    }

    [Fact]
    public void DetachOfOwnedSegment_ForgetsItInTheOwner()
    {
        var c = new DsmCluster(1);
        var owner = new DsmResourceOwner();
        c.B[0].CurrentResourceOwner = owner;
        DsmSegment a = c.B[0].dsm_create(64)!;
        c.B[0].dsm_detach(a);
        Assert.Empty(owner.Segments);
        c.Ok();
    }

    [Fact]
    public void UseOfAFreedDescriptor_Asserts()
    {
        var c = new DsmCluster(1);
        DsmSegment a = c.B[0].dsm_create(64)!;
        c.B[0].dsm_detach(a);
        Assert.Throws<AssertionFailureException>(() => c.B[0].dsm_detach(a));
        Assert.Throws<AssertionFailureException>(() => DsmBackend.dsm_segment_address(a));
    }
}
