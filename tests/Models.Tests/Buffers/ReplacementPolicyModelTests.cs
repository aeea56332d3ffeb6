// Tests of the replacement-policy model (ReplacementPolicyModel, PolicyRing): each rule of
// freelist.c / bufmgr.c it encodes, stated as the sequence PostgreSQL would go through, so that a
// model drifting towards one of the mutation catalog's policy mutants fails here too.
using Models.Buffers;
using Xunit;

namespace Models.Tests.Buffers;

public class ReplacementPolicyModelTests
{
    private const int N = 16;

    private static PageKey P(uint block) => new(0, block);

    private static ReplacementPolicyModel New() => new(N, 2, 1024);

    /// <summary>Reads and releases pages 100.. until the free list is used up.</summary>
    private static void DrainFreeList(ReplacementPolicyModel m, int backend = 1)
    {
        for (uint i = 0; i < N; i++)
        {
            PolicyPin r = m.Read(backend, P(100 + i), null);
            m.Unpin(backend, r.BufferId);
        }
        Assert.Equal(-1, m.FirstFreeBuffer);
    }

    [Fact]
    public void Ring_sizes_are_capped_at_an_eighth_of_the_pool_and_counted_in_the_pools_pages()
    {
        Assert.Equal(2, PolicyRing.Size(RingKind.BulkRead, 16, 8192));
        Assert.Equal(2, PolicyRing.Size(RingKind.Vacuum, 16, 1024));
        Assert.Equal(32, PolicyRing.Size(RingKind.BulkRead, 16384, 8192));     // 256 kB of 8 kB pages
        Assert.Equal(256, PolicyRing.Size(RingKind.BulkRead, 16384, 1024));    // 256 kB of 1 kB pages
        Assert.Equal(256, PolicyRing.Size(RingKind.Vacuum, 16384, 8192));      // 2 MB
        Assert.Equal(2048, PolicyRing.Size(RingKind.BulkWrite, 16384, 8192));  // 16 MB
        Assert.Equal(100, PolicyRing.Size(RingKind.BulkWrite, 800, 8192));
    }

    [Fact]
    public void Free_list_is_used_in_id_order_then_the_clock_sweeps()
    {
        var m = New();
        for (uint i = 0; i < N; i++)
        {
            PolicyPin r = m.Read(0, P(i), null);
            Assert.Equal((int)i, r.BufferId);
            Assert.Equal(1, r.Usage);
            m.Unpin(0, r.BufferId);
        }
        Assert.Equal(-1, m.FirstFreeBuffer);
        Assert.Equal((uint)N, m.NumBufferAllocs);
        Assert.Equal(0u, m.NextVictimBuffer);
        // every buffer has usage 1: the first sweep takes them all to 0 and the second pass takes buffer 0
        PolicyPin v = m.Read(0, P(50), null);
        Assert.Equal(0, v.BufferId);
        Assert.Equal(1u, m.CompletePasses);
        Assert.Equal(1u, m.NextVictimBuffer);
        for (int id = 1; id < N; id++) Assert.Equal(0, m.Usage(id));
        Assert.Equal(P(50), m.Tag(0));
    }

    [Fact]
    public void Pin_without_ring_climbs_to_five_with_a_ring_only_to_one()
    {
        var m = New();
        PolicyPin r = m.Read(0, P(0), null);
        m.Unpin(0, r.BufferId);
        for (int i = 0; i < 6; i++)
        {
            m.Read(0, P(0), null);
            m.Unpin(0, r.BufferId);
        }
        Assert.Equal(ReplacementPolicyModel.MaxUsageCount, m.Usage(r.BufferId));

        PolicyPin s = m.Read(1, P(1), null);   // usage 1
        m.Unpin(1, s.BufferId);
        PolicyPin ring = m.Read(1, P(1), RingKind.BulkRead);
        Assert.True(ring.Hit);
        Assert.Equal(1, ring.Usage);          // a ring pin does not raise a usage count above 1
    }

    [Fact]
    public void Second_pin_by_the_same_backend_leaves_the_usage_count_alone()
    {
        var m = New();
        PolicyPin r = m.Read(0, P(0), null);
        m.Read(0, P(0), null);
        Assert.Equal(1, m.Usage(r.BufferId));
        Assert.Equal(1, m.RefCount(r.BufferId));
        m.Read(1, P(0), null);
        Assert.Equal(2, m.Usage(r.BufferId));
        Assert.Equal(2, m.RefCount(r.BufferId));
    }

    [Fact]
    public void Ring_reuses_its_own_buffers_at_usage_one()
    {
        var m = New();
        PolicyPin a = m.Read(0, P(0), RingKind.BulkRead);
        m.Unpin(0, a.BufferId);
        PolicyPin b = m.Read(0, P(1), RingKind.BulkRead);
        m.Unpin(0, b.BufferId);
        PolicyRing ring = m.Ring(0, RingKind.BulkRead)!;
        // slot 1 first, then slot 0
        Assert.Equal([b.BufferId + 1, a.BufferId + 1], ring.Slots);
        uint allocs = m.NumBufferAllocs;
        PolicyPin c = m.Read(0, P(2), RingKind.BulkRead);
        Assert.Equal(a.BufferId, c.BufferId);     // the ring came round to a's buffer (usage 1, unpinned)
        Assert.Equal(allocs, m.NumBufferAllocs);  // a ring hit is not counted as an allocation
        Assert.Equal(1, ring.Current);
        Assert.Equal(-1, m.Lookup(P(0)));
    }

    [Fact]
    public void Ring_skips_a_buffer_someone_else_used()
    {
        var m = New();
        PolicyPin a = m.Read(0, P(0), RingKind.BulkRead);
        m.Unpin(0, a.BufferId);
        PolicyPin b = m.Read(0, P(1), RingKind.BulkRead);
        m.Unpin(0, b.BufferId);
        m.Read(1, P(0), null);                    // another backend uses it: usage 2, pinned
        m.Unpin(1, a.BufferId);
        PolicyPin c = m.Read(0, P(2), RingKind.BulkRead);
        Assert.NotEqual(a.BufferId, c.BufferId);  // usage 2 > 1: the shared strategy supplies one
        Assert.Equal(c.BufferId + 1, m.Ring(0, RingKind.BulkRead)!.Slots[1]);
    }

    [Fact]
    public void Bulk_read_rejects_its_dirty_buffer_that_needs_a_wal_flush()
    {
        var m = New();
        PolicyPin a = m.Read(0, P(0), RingKind.BulkRead);
        m.Modify(a.BufferId, logged: true);
        m.Unpin(0, a.BufferId);
        PolicyPin b = m.Read(0, P(1), RingKind.BulkRead);
        m.Unpin(0, b.BufferId);
        PolicyPin c = m.Read(0, P(2), RingKind.BulkRead);
        Assert.True(c.RingRejected);
        Assert.NotEqual(a.BufferId, c.BufferId);
        Assert.True(m.Dirty(a.BufferId));         // left as it was, still holding page 0
        Assert.Equal(P(0), m.Tag(a.BufferId));
        PolicyRing ring = m.Ring(0, RingKind.BulkRead)!;
        // slot 1 (a's) was emptied, then the walk went on to slot 0, whose buffer (b, usage 1) was reused
        Assert.Equal(b.BufferId, c.BufferId);
        Assert.Equal([b.BufferId + 1, 0], ring.Slots);
        Assert.Equal(0, ring.Current);
    }

    [Fact]
    public void Bulk_read_writes_a_dirty_buffer_whose_wal_is_flushed_and_other_rings_always_write()
    {
        foreach (RingKind kind in new[] { RingKind.BulkRead, RingKind.BulkWrite, RingKind.Vacuum })
        {
            var m = New();
            PolicyPin a = m.Read(0, P(0), kind);
            m.Modify(a.BufferId, logged: true);
            m.Unpin(0, a.BufferId);
            if (kind == RingKind.BulkRead) m.FlushAllWal();
            PolicyPin b = m.Read(0, P(1), kind);
            m.Unpin(0, b.BufferId);
            PolicyPin c = m.Read(0, P(2), kind);
            Assert.False(c.RingRejected);
            Assert.Equal(a.BufferId, c.BufferId);
            Assert.False(m.Dirty(c.BufferId));
        }
    }

    [Fact]
    public void Unlogged_dirty_page_needs_no_wal_flush()
    {
        var m = New();
        PolicyPin a = m.Read(0, P(0), RingKind.BulkRead);
        m.Modify(a.BufferId, logged: false);
        m.Unpin(0, a.BufferId);
        m.Unpin(0, m.Read(0, P(1), RingKind.BulkRead).BufferId);
        Assert.Equal(a.BufferId, m.Read(0, P(2), RingKind.BulkRead).BufferId);
    }

    [Fact]
    public void Bgwriter_is_woken_once_by_the_next_allocation_not_by_a_ring_hit()
    {
        var m = New();
        m.Unpin(0, m.Read(0, P(0), RingKind.BulkRead).BufferId);
        m.Unpin(0, m.Read(0, P(1), RingKind.BulkRead).BufferId);
        m.NotifyBgWriter(7);
        m.Unpin(0, m.Read(0, P(2), RingKind.BulkRead).BufferId);   // ring hit
        Assert.Equal(7, m.Bgwprocno);
        Assert.Empty(m.Wakes);
        m.Read(0, P(3), null);
        Assert.Equal(-1, m.Bgwprocno);
        Assert.Equal([7], m.Wakes);
        m.Read(0, P(4), null);
        Assert.Equal([7], m.Wakes);
    }

    [Fact]
    public void Full_pool_raises_no_unpinned_buffers_after_a_whole_lap()
    {
        var m = New();
        for (uint i = 0; i < N; i++) m.Read(0, P(i), null);
        uint hand = m.NextVictimBuffer;
        PolicyPin r = m.Read(1, P(99), null);
        Assert.Equal(ReplacementPolicyModel.NoUnpinnedBuffers, r.Error);
        Assert.Equal(hand + (uint)N, m.NextVictimBuffer);   // one full lap of pinned buffers
        m.ReleaseAll(0);
        Assert.Empty(m.Check());
        Assert.Equal(0, m.RefCount(0));
    }

    [Fact]
    public void Clock_sweep_decrements_usage_until_it_finds_zero()
    {
        var m = New();
        DrainFreeList(m);
        // buffers 0..15 at usage 1; raise buffer 0 to 3
        PageKey p0 = m.Tag(0)!.Value;
        m.Unpin(1, m.Read(1, p0, null).BufferId);
        m.Unpin(1, m.Read(1, p0, null).BufferId);
        Assert.Equal(3, m.Usage(0));
        PolicyPin v = m.Read(0, P(1), null);
        // pass 1: 0 -> 2, others -> 0; buffer 0 -> 1 on pass 2 ... buffer 1 is the first zero on pass 2
        Assert.Equal(1, v.BufferId);
        Assert.Equal(1, m.Usage(0));
        Assert.Equal(1u, m.CompletePasses);
    }

    [Fact]
    public void Evict_clears_tag_and_usage_but_not_the_free_list()
    {
        var m = New();
        PolicyPin a = m.Read(0, P(0), null);
        Assert.False(m.Evict(a.BufferId));   // pinned
        m.Modify(a.BufferId, logged: true);
        m.Unpin(0, a.BufferId);
        Assert.True(m.Evict(a.BufferId));
        Assert.Null(m.Tag(a.BufferId));
        Assert.Equal(0, m.Usage(a.BufferId));
        Assert.False(m.Dirty(a.BufferId));
        Assert.Equal(1, m.FirstFreeBuffer);
        Assert.Empty(m.Check());
    }
}
