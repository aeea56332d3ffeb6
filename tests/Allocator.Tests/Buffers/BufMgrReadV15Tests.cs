// PostgreSQL 15's BufferAlloc (BufferAllocVariant.V15TwoPartitionLocks, BufMgr.ReadV15.cs), one
// backend at a time: a miss then a hit, a clean victim renamed (old entry gone, new one in), a
// dirty victim written before it is reused, and the insert collision, where the victim is given
// back still holding its old page (V15 does not invalidate it first) and the winner's buffer is
// used; and the re-check under the header lock, where a victim someone pinned through its old tag
// while we were taking the partition locks is kept and another one taken. The pool walk finds
// nothing wrong after each.
using Allocator.Buffers;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

public sealed class BufMgrReadV15Tests
{
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private static readonly RelFileLocator RelA = BufMgrBackends.RelA;
    private static readonly BufferRelation Rel = new(RelA);

    private static BufferPool NewPool(int nbuffers, int backends = 2) =>
        new(new BufferPoolOptions(nbuffers, 1024, backends) { AllocVariant = BufferAllocVariant.V15TwoPartitionLocks });

    private static void CreateRel(BufferPool pool, uint nblocks)
    {
        pool.Storage.Create(RelA, Main);
        for (uint b = 0; b < nblocks; b++)
        {
            var page = new byte[pool.BlckSz];
            PageHeader.PageInit(page);
            page[PageHeader.SizeOfPageHeaderData] = (byte)b;
            PageChecksum.SetInplace(page, b);
            pool.Storage.Extend(RelA, Main, b, page);
        }
    }

    private static BufferTag TagOf(uint blk) => new(RelA.SpcOid, RelA.DbOid, RelA.RelNumber, Main, blk);

    private static int Lookup(BufferPool pool, uint blk) => pool.Table.BufTableLookup(TagOf(blk), BufTable.BufTableHashCode(TagOf(blk)));

    private static (byte Block, byte Version) Marker(BufferPool pool, int buffer)
    {
        ulong p = pool.BufHdrGetBlock(buffer - 1) + PageHeader.SizeOfPageHeaderData;
        return (pool.InitMemory.ReadU8(p), pool.InitMemory.ReadU8(p + 1));
    }

    private static uint State(BufferPool pool, int buffer) => pool.InitMemory.ReadU32(pool.Descriptors.GetBufferDescriptorOfBuffer(buffer).StateAddr);

    private static void AssertClean(BufferPool pool) => Assert.Empty(BufMgrCheck.Check(pool, pool.Backends, quiescent: true));

    [Fact]
    public void Miss_then_hit_in_the_same_buffer()
    {
        BufferPool pool = NewPool(4);
        BufMgr a = pool.Attach(0), b = pool.Attach(1);
        CreateRel(pool, 3);
        ulong ops = pool.Storage.Faults.OperationCount;
        int buf = a.ReadBuffer(Rel, Main, 2);
        Assert.Equal(ops + 1, pool.Storage.Faults.OperationCount);
        Assert.Equal(((byte)2, (byte)0), Marker(pool, buf));
        uint s = State(pool, buf);
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, s & BUF_FLAG_MASK);
        Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(s));
        Assert.Equal(buf - 1, Lookup(pool, 2));

        int again = b.ReadBuffer(Rel, Main, 2);
        Assert.Equal(buf, again);
        Assert.Equal(ops + 1, pool.Storage.Faults.OperationCount);
        Assert.Equal(2u, BUF_STATE_GET_REFCOUNT(State(pool, buf)));
        a.ReleaseBuffer(buf);
        b.ReleaseBuffer(again);
        AssertClean(pool);
    }

    [Fact]
    public void A_clean_victim_is_renamed_and_its_old_entry_deleted()
    {
        BufferPool pool = NewPool(2);
        BufMgr a = pool.Attach(0);
        CreateRel(pool, 3);
        a.ReleaseBuffer(a.ReadBuffer(Rel, Main, 0));
        a.ReleaseBuffer(a.ReadBuffer(Rel, Main, 1));
        int buf = a.ReadBuffer(Rel, Main, 2); // evicts block 0 or 1
        Assert.Equal(((byte)2, (byte)0), Marker(pool, buf));
        Assert.Equal(buf - 1, Lookup(pool, 2));
        int gone = Lookup(pool, 0) < 0 ? 0 : 1;
        Assert.True(Lookup(pool, (uint)gone) < 0);
        Assert.Equal(2 - buf, Lookup(pool, (uint)(1 - gone))); // the other buffer keeps the other block
        uint s = State(pool, buf);
        Assert.Equal(BM_TAG_VALID | BM_VALID | BM_PERMANENT, s & BUF_FLAG_MASK);
        Assert.Equal(1u, BUF_STATE_GET_USAGECOUNT(s));
        a.ReleaseBuffer(buf);
        AssertClean(pool);
    }

    [Fact]
    public void A_dirty_victim_is_written_before_reuse()
    {
        BufferPool pool = NewPool(2);
        BufMgr a = pool.Attach(0);
        CreateRel(pool, 4);
        int first = a.ReadBuffer(Rel, Main, 0);
        a.LockBuffer(first, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        a.Backend.Memory.WriteU8(a.BufferGetPage(first) + PageHeader.SizeOfPageHeaderData + 1, 7);
        a.MarkBufferDirty(first);
        a.UnlockReleaseBuffer(first);
        for (uint blk = 1; blk <= 3; blk++) a.ReleaseBuffer(a.ReadBuffer(Rel, Main, blk));
        Assert.True(Lookup(pool, 0) < 0, "block 0 should have been evicted");
        Assert.Equal(7, pool.Storage.PeekBlock(RelA, Main, 0)[PageHeader.SizeOfPageHeaderData + 1]);

        int back = a.ReadBuffer(Rel, Main, 0);
        Assert.Equal(((byte)0, (byte)7), Marker(pool, back));
        Assert.Equal(0u, State(pool, back) & BM_DIRTY);
        a.ReleaseBuffer(back);
        AssertClean(pool);
    }

    [Fact]
    public void An_insert_collision_gives_the_victim_back_with_its_old_page()
    {
        BufferPool pool = NewPool(3);
        BufMgr? other = null;
        bool armed = false, fired = false;
        int victimId = -1;
        BufMgr a = pool.Attach(0, mem => new HookRuntime(new ProductionSyncRuntime(mem, pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                // the header unlock of PinBuffer_Locked on a tagged victim: someone else reads the
                // block we are about to enter, before we take the partition locks
                if (!armed || fired || BUF_STATE_GET_REFCOUNT(value) != 1 || (value & BM_TAG_VALID) == 0) return;
                int id = Enumerable.Range(0, pool.NBuffers).FirstOrDefault(i => pool.Descriptors.GetBufferDescriptor(i).StateAddr == addr, -1);
                if (id < 0) return;
                fired = true;
                victimId = id;
                other!.ReleaseBuffer(other.ReadBuffer(Rel, Main, 3));
            },
        });
        other = pool.Attach(1);
        CreateRel(pool, 4);
        for (uint blk = 0; blk < 3; blk++) a.ReleaseBuffer(a.ReadBuffer(Rel, Main, blk));
        ulong ops = pool.Storage.Faults.OperationCount;

        armed = true;
        int buf = a.ReadBuffer(Rel, Main, 3);
        Assert.True(fired);
        Assert.Equal(ops + 1, pool.Storage.Faults.OperationCount); // only the other backend read block 3
        Assert.Equal(((byte)3, (byte)0), Marker(pool, buf));
        Assert.Equal(buf - 1, Lookup(pool, 3));
        Assert.NotEqual(victimId, buf - 1);

        // the victim we gave back still holds its block, valid and mapped, unpinned
        BufferTag kept = BufferDescriptors.ReadTag(pool.InitMemory, pool.Descriptors.GetBufferDescriptor(victimId));
        Assert.Equal(victimId, Lookup(pool, kept.BlockNum));
        uint vs = State(pool, victimId + 1);
        Assert.Equal(BM_TAG_VALID | BM_VALID, vs & (BM_TAG_VALID | BM_VALID));
        Assert.Equal(0u, BUF_STATE_GET_REFCOUNT(vs));
        a.ReleaseBuffer(buf);
        AssertClean(pool);
    }

    [Fact]
    public void A_victim_pinned_through_its_old_tag_is_kept_and_another_taken()
    {
        BufferPool pool = NewPool(3);
        BufMgr? other = null;
        bool armed = false, fired = false;
        int victimId = -1, theirs = 0;
        BufMgr a = pool.Attach(0, mem => new HookRuntime(new ProductionSyncRuntime(mem, pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                // our victim is pinned and its old entry still in the table: someone looks its
                // block up and keeps the pin
                if (!armed || fired || BUF_STATE_GET_REFCOUNT(value) != 1 || (value & BM_TAG_VALID) == 0) return;
                int id = Enumerable.Range(0, pool.NBuffers).FirstOrDefault(i => pool.Descriptors.GetBufferDescriptor(i).StateAddr == addr, -1);
                if (id < 0) return;
                fired = true;
                victimId = id;
                uint oldBlock = BufferDescriptors.ReadTag(pool.InitMemory, pool.Descriptors.GetBufferDescriptor(id)).BlockNum;
                theirs = other!.ReadBuffer(Rel, Main, oldBlock);
            },
        });
        other = pool.Attach(1);
        CreateRel(pool, 4);
        for (uint blk = 0; blk < 3; blk++) a.ReleaseBuffer(a.ReadBuffer(Rel, Main, blk));

        armed = true;
        int buf = a.ReadBuffer(Rel, Main, 3);
        Assert.True(fired);
        Assert.Equal(victimId + 1, theirs); // their lookup hit our victim
        Assert.NotEqual(theirs, buf);
        Assert.Equal(((byte)3, (byte)0), Marker(pool, buf));
        Assert.Equal(buf - 1, Lookup(pool, 3));

        // the victim kept its block and its entry, and still has their pin
        BufferTag kept = BufferDescriptors.ReadTag(pool.InitMemory, pool.Descriptors.GetBufferDescriptor(victimId));
        Assert.Equal(victimId, Lookup(pool, kept.BlockNum));
        Assert.Equal(1u, BUF_STATE_GET_REFCOUNT(State(pool, theirs)));
        other.ReleaseBuffer(theirs);
        a.ReleaseBuffer(buf);
        AssertClean(pool);
    }
}
