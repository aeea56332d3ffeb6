// dsm.c under concurrency: another backend's steps placed exactly inside dsm_detach's destruction
// window (through the seam), and real threads creating, attaching and detaching at once.
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sync;
using Xunit;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Tests.Shmem;

public sealed class DsmConcurrentTests
{
    [Fact]
    public void DuringTheLastDetach_TheSlotIsMoribund_NotAttachableNotReusableNotUnpinnable()
    {
        var control = new DsmControl(new DsmControlOptions(4, 3));
        DsmSeamRuntime? rt0 = null;
        DsmBackend b0 = control.Attach(0, mem => rt0 = new DsmSeamRuntime(new ProductionSyncRuntime(mem, control.Kernel, 1)));
        DsmBackend b1 = control.Attach(1);
        DsmSegment s = b0.dsm_create(64)!;
        uint h = DsmBackend.dsm_segment_handle(s);
        // the control lock goes through the seam
        Assert.Contains(control.DynamicSharedMemoryControlLock.StateAddr, rt0!.CasAddresses);

        bool ran = false;
        rt0.BeforeSharedRead32 = addr =>
        {
            ran = true;
            // dsm_detach's one unlocked read, after the count dropped to 1 and before the destroy
            Assert.Equal(control.ItemAddr(0) + ITEM_OFF_pinned, addr);
            Assert.Equal(1u, control.ItemRefcnt(0));
            Assert.NotNull(control.Impl.OpenObject(h));
            Assert.Contains(DsmCheck.Check(control), e => e.StartsWith("DSM3:", StringComparison.Ordinal));

            Assert.Null(b1.dsm_attach(h));
            DsmSegment n = b1.dsm_create(64)!;
            Assert.Equal(1u, n.control_slot);
            var e = Assert.Throws<PgErrorException>(() => b1.dsm_unpin_segment(h));
            Assert.Equal("cannot unpin unknown segment handle", e.Message);
            b1.AbortCleanup();
        };
        b0.dsm_detach(s);
        Assert.True(ran);
        Assert.Equal(0u, control.ItemRefcnt(0));
        Assert.Null(control.Impl.OpenObject(h));
        Assert.Empty(DsmCheck.Check(control));

        // now slot 0 is free again and is the first a create takes
        rt0.BeforeSharedRead32 = null;
        Assert.Equal(0u, b0.dsm_create(64)!.control_slot);
        Assert.Empty(DsmCheck.Check(control));
    }

    [Fact]
    public void DetachOfAPinnedSegment_NeverReachesTheDestructionWindow()
    {
        var control = new DsmControl(new DsmControlOptions(2, 5));
        DsmSeamRuntime? rt0 = null;
        DsmBackend b0 = control.Attach(0, mem => rt0 = new DsmSeamRuntime(new ProductionSyncRuntime(mem, control.Kernel, 1)));
        DsmSegment s = b0.dsm_create(64)!;
        b0.dsm_pin_segment(s);
        b0.dsm_detach(s);
        Assert.Empty(rt0!.SharedReads);
        Assert.Empty(DsmCheck.Check(control));
    }

    [Fact]
    public void ThreeThreads_CreateAttachDetach_LeaveNothingBehind()
    {
        const int Threads = 3, Rounds = 150;
        var control = new DsmControl(new DsmControlOptions(Threads, 21));
        var backends = new DsmBackend[Threads];
        for (int i = 0; i < Threads; i++) backends[i] = control.Attach(i);
        var published = new uint[Threads];
        var failures = new List<Exception>();

        void Run(int me)
        {
            DsmBackend b = backends[me];
            try
            {
                for (int round = 0; round < Rounds; round++)
                {
                    DsmSegment mine = b.dsm_create(1024 + (ulong)round)!;
                    ulong a = DsmBackend.dsm_segment_address(mine);
                    b.Memory.WriteU32(a, (uint)me);
                    b.Memory.WriteU32(a + 4, (uint)round);
                    if (round % 3 == 0) b.dsm_pin_segment(mine);
                    Volatile.Write(ref published[me], DsmBackend.dsm_segment_handle(mine));

                    for (int other = 0; other < Threads; other++)
                    {
                        if (other == me) continue;
                        uint h = Volatile.Read(ref published[other]);
                        if (h == DSM_HANDLE_INVALID) continue;
                        DsmSegment? theirs = b.dsm_attach(h); // null if it went away meanwhile
                        if (theirs is null) continue;
                        ulong ta = DsmBackend.dsm_segment_address(theirs);
                        Assert.Equal((uint)other, b.Memory.ReadU32(ta));
                        b.dsm_detach(theirs);
                    }

                    if (round % 3 == 0)
                    {
                        // the pin outlives the mapping; unpin from here destroys it at last
                        b.dsm_detach(mine);
                        b.dsm_unpin_segment(published[me]);
                    }
                    else
                    {
                        b.dsm_detach(mine);
                    }
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e);
            }
        }

        var threads = new Thread[Threads];
        for (int i = 0; i < Threads; i++)
        {
            int me = i;
            threads[i] = new Thread(() => Run(me));
            threads[i].Start();
        }
        foreach (Thread t in threads) t.Join();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Empty(DsmCheck.Check(control));
        Assert.Single(control.Impl.Objects()); // only the control segment
        Assert.True(control.NItems <= control.MaxItems);
        foreach (DsmBackend b in backends) Assert.Empty(b.Segments);
    }
}
