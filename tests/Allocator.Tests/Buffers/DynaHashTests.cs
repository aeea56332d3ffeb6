// Tests of Buffers/Dynahash (the shared, partitioned dynahash table) and Buffers/BufTable: sizing
// at creation, the four actions, pool exhaustion (ENTER's ERROR, ENTER_NULL's null), growth from
// leftover shared memory, freelist borrowing, attaching from a second backend, and a random
// workload checked against a Dictionary model with Check() after every operation.
using Allocator.Buffers.Dynahash;
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Shmem;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Buffers;

public class DynaHashTests
{
    internal static (SimMemory Mem, ShmemSegment Seg) NewSegment(ulong size = 1 << 20)
    {
        var mem = new SimMemory();
        return (mem, new ShmemSegment(mem, size));
    }

    internal static byte[] Key(in BufferTag tag)
    {
        var k = new byte[BufferTag.Size];
        tag.WriteTo(k);
        return k;
    }

    /// <summary>The first <paramref name="n"/> tags (relation 16384, blocks from 0) whose hash falls on freelist <paramref name="freelist"/>.</summary>
    internal static List<BufferTag> TagsOnFreelist(int freelist, int n, uint rel = 16384)
    {
        var tags = new List<BufferTag>();
        for (uint block = 0; tags.Count < n; block++)
        {
            var t = new BufferTag(1663, 5, rel, 0, block);
            if (t.HashCode() % 32 == freelist) tags.Add(t);
        }
        return tags;
    }

    [Fact]
    public void ElementAndHeaderSizes_AreThoseOfA64BitBuild()
    {
        Assert.Equal(51, DynaHash.ChooseNelemAlloc(BufTable.EntrySize));
        Assert.Equal(856UL, DynaHash.HashHdrSize);
        Assert.Equal(256L, DynaHash.HashSelectDirsize(144));
        Assert.Equal(512L, DynaHash.HashSelectDirsize(256L * 256 * 2));
        Assert.Equal(856UL + 256 * 8, DynaHash.HashGetSharedSize(256));
    }

    [Fact]
    public void BufferTable_For16Buffers_IsSizedAsInPostgres()
    {
        var (mem, seg) = NewSegment();
        var t = BufTable.InitBufTable(seg, mem, 16 + BufTable.NUM_BUFFER_PARTITIONS).Hash;
        Assert.True(t.IsPartitioned);
        Assert.Equal(128, t.NumPartitions);
        Assert.Equal(255u, t.MaxBucket);
        Assert.Equal(255u, t.LowMask);
        Assert.Equal(511u, t.HighMask);
        Assert.Equal(1, t.NSegs);
        Assert.Equal(256, t.DSize);
        Assert.Equal(256, t.SSize);
        Assert.Equal(8, t.SShift);
        Assert.Equal(51, t.NElemAlloc);
        Assert.Equal(40UL, t.ElementSize);
        Assert.False(t.IsFixed);
        Assert.Equal(144, t.PoolSize);
        Assert.Equal(144 - 4 * 31, t.FreeListLength(0));
        for (int i = 1; i < 32; i++) Assert.Equal(4, t.FreeListLength(i));
        Assert.Equal(0, t.HashGetNumEntries());
        Assert.Empty(t.Check());
    }

    [Fact]
    public void BufferTable_For1024Buffers_HasEightSegments_AndEvenFreelists()
    {
        var (mem, seg) = NewSegment(1 << 21);
        var t = BufTable.InitBufTable(seg, mem, 1024 + 128).Hash;
        Assert.Equal(2047u, t.MaxBucket);
        Assert.Equal(8, t.NSegs);
        for (int i = 0; i < 32; i++) Assert.Equal(36, t.FreeListLength(i));
        Assert.Empty(t.Check());
    }

    [Fact]
    public void TinyPartitionedTable_StillHasABucketPerPartition_AndOneElementPerFreelist()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "tiny", 3, 3, 20, 24, 128);
        Assert.Equal(127u, t.MaxBucket);
        Assert.Equal(32, t.PoolSize); // nelem / 32 rounds up to 1 per freelist
        Assert.Empty(t.Check());
    }

    [Fact]
    public void FindEnterRemove_AndTheBucketOwnsThePartition()
    {
        var (mem, seg) = NewSegment();
        var bt = BufTable.InitBufTable(seg, mem, 16 + 128);
        var tag = new BufferTag(1663, 5, 16384, 0, 0);
        uint h = BufTable.BufTableHashCode(tag);
        Assert.Equal(57, BufTable.BufTableHashPartition(h));
        Assert.Equal(-1, bt.BufTableLookup(tag, h));
        Assert.Equal(-1, bt.BufTableInsert(tag, h, 7));
        Assert.Equal(7, bt.BufTableLookup(tag, h));
        Assert.Equal(7, bt.BufTableInsert(tag, h, 9)); // existing entry untouched, its id returned
        Assert.Equal(7, bt.BufTableLookup(tag, h));
        Assert.Equal(1, bt.Hash.HashGetNumEntries());
        Assert.Equal(1, bt.Hash.FreeListNEntries(25));
        Assert.Equal(h & 127, bt.Hash.CalcBucket(h) & 127);

        ulong entry = bt.Hash.HashSearchWithHashValue(Key(tag), h, HashAction.HASH_FIND, out bool found);
        Assert.True(found);
        Assert.Equal(tag, BufferTag.Read(mem, entry));
        Assert.Equal(h, mem.ReadU32(DynaHash.ElementFromKey(entry) + DynaHash.ElemOffHashValue));

        bt.BufTableDelete(tag, h);
        Assert.Equal(-1, bt.BufTableLookup(tag, h));
        Assert.Equal(0, bt.Hash.HashGetNumEntries());
        // The element went back to the head of the key's freelist.
        Assert.Equal(DynaHash.ElementFromKey(entry), bt.Hash.FreeListHead(25));
        var e = Assert.Throws<PgErrorException>(() => bt.BufTableDelete(tag, h));
        Assert.Equal("shared buffer hash table corrupted", e.Message);
        Assert.Empty(bt.Hash.Check());
    }

    [Fact]
    public void EnterFound_ReturnsTheSameEntry_AndRemoveMissing_ReturnsNull()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "t", 64, 64, 20, 24, 128);
        byte[] k = Key(new BufferTag(1, 2, 3, 0, 4));
        ulong a = t.HashSearch(k, HashAction.HASH_ENTER, out bool found);
        Assert.False(found);
        ulong b = t.HashSearch(k, HashAction.HASH_ENTER_NULL, out found);
        Assert.True(found);
        Assert.Equal(a, b);
        Assert.Equal(a, t.HashSearch(k, HashAction.HASH_REMOVE, out found));
        Assert.True(found);
        Assert.Equal(0UL, t.HashSearch(k, HashAction.HASH_REMOVE, out found));
        Assert.False(found);
        Assert.Equal(0UL, t.HashSearch(k, HashAction.HASH_FIND, out found));
        Assert.False(found);
    }

    [Fact]
    public void FixedSizeTable_Exhausted_EnterErrors_EnterNullReturnsNull_AfterEveryElementIsUsed()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "fixed", 64, 64, 20, 24, 128, fixedSize: true);
        Assert.True(t.IsFixed);
        var tags = new List<BufferTag>();
        for (uint i = 0; i < 65; i++) tags.Add(new BufferTag(1663, 5, 16384, 0, i));
        // Reference §19.3 H4: every one of the 64 preallocated elements is usable, whatever freelist the keys hash to.
        for (int i = 0; i < 64; i++) t.HashSearch(Key(tags[i]), HashAction.HASH_ENTER, out _);
        Assert.Equal(64, t.HashGetNumEntries());
        for (int i = 0; i < 32; i++) Assert.Equal(0, t.FreeListLength(i));
        ulong freeBefore = seg.FreeOffset;

        Assert.Equal(0UL, t.HashSearch(Key(tags[64]), HashAction.HASH_ENTER_NULL, out bool found));
        Assert.False(found);
        var e = Assert.Throws<PgErrorException>(() => t.HashSearch(Key(tags[64]), HashAction.HASH_ENTER, out _));
        Assert.Equal("out of shared memory", e.Message);
        Assert.Equal(64, t.HashGetNumEntries());
        Assert.Equal(freeBefore, seg.FreeOffset); // a fixed-size table never carves more elements
        Assert.Empty(t.Check());

        // Deleting any entry lets any other key in, even when the freed element sits on another freelist.
        t.HashSearch(Key(tags[0]), HashAction.HASH_REMOVE, out _);
        Assert.NotEqual(0UL, t.HashSearch(Key(tags[64]), HashAction.HASH_ENTER, out _));
        Assert.Empty(t.Check());
    }

    [Fact]
    public void GrowableTable_TakesANewBatchFromLeftoverSharedMemory_IntoTheKeysFreelist()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "grow", 32, 32, 20, 24, 128);
        var tags = TagsOnFreelist(3, 2);
        t.HashSearch(Key(tags[0]), HashAction.HASH_ENTER, out _);
        Assert.Equal(0, t.FreeListLength(3));
        t.HashSearch(Key(tags[1]), HashAction.HASH_ENTER, out _);
        Assert.Equal(32 + 51, t.PoolSize);
        Assert.Equal(50, t.FreeListLength(3));
        for (int i = 0; i < 32; i++) if (i != 3) Assert.Equal(1, t.FreeListLength(i)); // nobody was borrowed from
        Assert.Equal(2, t.FreeListNEntries(3));
        Assert.Empty(t.Check());
    }

    [Fact]
    public void EmptyFreelist_WithNoSharedMemoryLeft_BorrowsFromTheNextNonEmptyFreelist()
    {
        var (mem, seg) = NewSegment(64 * 1024);
        var t = DynaHash.ShmemInitHash(seg, mem, "borrow", 64, 64, 20, 24, 128);
        while (seg.ShmemAllocNoError(128) != 0) { } // use up the segment: element_alloc must fail
        var tags = TagsOnFreelist(31, 4);
        for (int i = 0; i < 2; i++) t.HashSearch(Key(tags[i]), HashAction.HASH_ENTER, out _);
        Assert.Equal(0, t.FreeListLength(31));
        Assert.Equal(2, t.FreeListLength(0));
        ulong expected = t.FreeListHead(0);

        ulong entry = t.HashSearch(Key(tags[2]), HashAction.HASH_ENTER, out _);
        Assert.Equal(expected, DynaHash.ElementFromKey(entry)); // borrowed from freelist (31+1) mod 32 = 0
        Assert.Equal(1, t.FreeListLength(0));
        Assert.Equal(3, t.FreeListNEntries(31)); // accounted to the key's own freelist
        Assert.Equal(0, t.FreeListNEntries(0));
        Assert.Empty(t.Check());

        // Removing it puts the element on the key's freelist, not back where it came from.
        t.HashSearch(Key(tags[2]), HashAction.HASH_REMOVE, out _);
        Assert.Equal(expected, t.FreeListHead(31));
        Assert.Equal(1, t.FreeListLength(0));
        Assert.Empty(t.Check());

        // Skips empty freelists: empty freelist 0 too, then the next borrow comes from freelist 1.
        t.HashSearch(Key(tags[2]), HashAction.HASH_ENTER, out _); // reuses its own freed element
        var on0 = TagsOnFreelist(0, 1);
        t.HashSearch(Key(on0[0]), HashAction.HASH_ENTER, out _);
        Assert.Equal(0, t.FreeListLength(0));
        ulong from1 = t.FreeListHead(1);
        Assert.Equal(from1, DynaHash.ElementFromKey(t.HashSearch(Key(tags[3]), HashAction.HASH_ENTER, out _)));
        Assert.Empty(t.Check());
    }

    [Fact]
    public void GrowableTable_Exhausted_EnterErrorsOnlyWhenEveryElementIsInUse()
    {
        var (mem, seg) = NewSegment(64 * 1024);
        var t = DynaHash.ShmemInitHash(seg, mem, "full", 64, 64, 20, 24, 128);
        while (seg.ShmemAllocNoError(128) != 0) { }
        int n = 0;
        for (uint b = 0; ; b++)
        {
            byte[] k = Key(new BufferTag(1663, 5, 16384, 0, b));
            if (t.HashSearch(k, HashAction.HASH_ENTER_NULL, out _) == 0)
            {
                Assert.Equal(t.PoolSize, n);
                Assert.Equal("out of shared memory", Assert.Throws<PgErrorException>(() => t.HashSearch(k, HashAction.HASH_ENTER, out _)).Message);
                break;
            }
            n++;
        }
        Assert.Equal(64, n);
        Assert.Empty(t.Check());
    }

    [Fact]
    public void SecondBackend_AttachesByName_AndSeesTheEntries()
    {
        var (mem, seg) = NewSegment();
        var bt = BufTable.InitBufTable(seg, mem, 144);
        var tag = new BufferTag(1663, 1, 1259, 0, 0);
        uint h = BufTable.BufTableHashCode(tag);
        bt.BufTableInsert(tag, h, 3);
        var other = new SimMemory();
        seg.AttachTo(other);
        var bt2 = BufTable.InitBufTable(seg, other, 144);
        Assert.Equal(bt.Hash.Hctl, bt2.Hash.Hctl);
        Assert.Equal(3, bt2.BufTableLookup(tag, h));
        bt2.BufTableDelete(tag, h);
        Assert.Equal(-1, bt.BufTableLookup(tag, h));
    }

    [Fact]
    public void UnpartitionedTable_UsesFreelistZeroOnly()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "plain", 40, 40, 4, 8);
        Assert.False(t.IsPartitioned);
        Assert.Equal(63u, t.MaxBucket);
        Assert.Equal(40, t.FreeListLength(0));
        for (uint i = 0; i < 100; i++)
        {
            ulong e = t.HashSearch(BitConverter.GetBytes(i), HashAction.HASH_ENTER, out _);
            mem.WriteU32(e + 4, i * 10);
        }
        Assert.Equal(100, t.HashGetNumEntries());
        Assert.Equal(100, t.FreeListNEntries(0));
        ulong f = t.HashSearch(BitConverter.GetBytes(42u), HashAction.HASH_FIND, out _);
        Assert.Equal(420u, mem.ReadU32(f + 4));
        Assert.Equal(HashBytes.HashUInt32(42), mem.ReadU32(DynaHash.ElementFromKey(f) + DynaHash.ElemOffHashValue));
        Assert.Empty(t.Check());
    }

    [Fact]
    public void MissingSegment_Panics()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "broken", 144, 144, 20, 24, 128);
        mem.WriteU64(t.Dir, 0);
        var e = Assert.Throws<PgFatalException>(() => t.HashSearch(Key(new BufferTag(1, 1, 1, 0, 0)), HashAction.HASH_FIND, out _));
        Assert.Equal(FatalLevel.Panic, e.Level);
        Assert.Equal("hash table \"broken\" corrupted", e.Message);
    }

    [Fact]
    public void HeldFreelistMutex_IsAStuckSpinlock()
    {
        var (mem, seg) = NewSegment();
        var t = DynaHash.ShmemInitHash(seg, mem, "stuck", 144, 144, 20, 24, 128);
        var tag = TagsOnFreelist(5, 1)[0];
        mem.WriteU32(t.FreeListAddr(5), 1);
        var e = Assert.Throws<PgFatalException>(() => t.HashSearch(Key(tag), HashAction.HASH_ENTER, out _));
        Assert.StartsWith("stuck spinlock detected", e.Message);
    }

    [Theory]
    [InlineData(1UL, 64, 600u)]
    [InlineData(2UL, 16, 200u)]
    [InlineData(3UL, 256, 300u)]
    public void RandomWorkload_MatchesADictionary_AndChecksAfterEveryOperation(ulong seed, int nBuffers, uint keySpace)
    {
        var (mem, seg) = NewSegment(1 << 20);
        var bt = BufTable.InitBufTable(seg, mem, nBuffers + BufTable.NUM_BUFFER_PARTITIONS);
        var t = bt.Hash;
        var model = new Dictionary<BufferTag, int>();
        var rng = new Prng(seed);
        for (int op = 0; op < 3000; op++)
        {
            var tag = new BufferTag(1663, 5, 16384 + (uint)rng.Index(3), (ForkNumber)rng.Index(2), (uint)rng.Below(keySpace));
            uint h = BufTable.BufTableHashCode(tag);
            switch (rng.Index(4))
            {
                case 0:
                case 1:
                {
                    int id = rng.Index(1 << 20);
                    int got = bt.BufTableInsert(tag, h, id);
                    if (model.TryGetValue(tag, out int had)) Assert.Equal(had, got);
                    else { Assert.Equal(-1, got); model[tag] = id; }
                    break;
                }
                case 2:
                    if (model.Remove(tag)) bt.BufTableDelete(tag, h);
                    else Assert.Throws<PgErrorException>(() => bt.BufTableDelete(tag, h));
                    break;
                default:
                    Assert.Equal(model.TryGetValue(tag, out int v) ? v : -1, bt.BufTableLookup(tag, h));
                    break;
            }
            Assert.Equal(model.Count, t.HashGetNumEntries());
            var errs = t.Check();
            Assert.True(errs.Count == 0, $"op {op}: {string.Join("; ", errs)}");
        }
        foreach (var (tag, id) in model) Assert.Equal(id, bt.BufTableLookup(tag, tag.HashCode()));
    }
}
