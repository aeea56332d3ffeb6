// QuirksTests: the quirks of pg-mmgr-dsa.md section 10 that concern AllocSet and the common layer,
// each named by its id. The port must reproduce them, not fix them.
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class QuirksTests
{
    [Fact]
    public void Q1_RecycledStartSmallContext_KeepsItsChunkLimit_WhenReusedAsSmall()
    {
        Mcxt m = New(checking: false);
        ulong s = m.AllocSetContextCreate(m.TopMemoryContext, "start-small", ALLOCSET_START_SMALL_SIZES_MIN, ALLOCSET_START_SMALL_SIZES_INIT, ALLOCSET_START_SMALL_SIZES_MAX);
        Assert.Equal(8192U, m.Memory.ReadU32(s + AsetOffAllocChunkLimit));
        m.MemoryContextDelete(s);
        Assert.Equal(1, m.AllocSetMethods.RecycledCount(1));

        ulong small = SmallSet(m, "small");
        Assert.Equal(s, small);
        Assert.Equal(8192U, m.Memory.ReadU32(small + AsetOffMaxBlockSize));
        Assert.Equal(8192U, m.Memory.ReadU32(small + AsetOffAllocChunkLimit));   // a fresh SMALL context would have 1024
        m.MemoryContextAlloc(small, 8192);
        // An 8 KiB chunk is "small" here, so it forces a 16 KiB block, above maxBlockSize.
        Assert.Equal(1024UL + 16384, m.GetMemAllocated(small));
        AssertClean(m);
    }

    [Fact]
    public void Q1_RecycledSmallContext_SendsChunksOver1KiB_ToDedicatedBlocks_WhenReusedAsStartSmall()
    {
        Mcxt m = New(checking: false);
        ulong s = SmallSet(m);
        m.MemoryContextDelete(s);
        ulong ss = m.AllocSetContextCreate(m.TopMemoryContext, "start-small", ALLOCSET_START_SMALL_SIZES_MIN, ALLOCSET_START_SMALL_SIZES_INIT, ALLOCSET_START_SMALL_SIZES_MAX);
        Assert.Equal(s, ss);
        Assert.Equal(1024U, m.Memory.ReadU32(ss + AsetOffAllocChunkLimit));
        ulong p = m.MemoryContextAlloc(ss, 2000);
        Assert.True(MemoryChunk.HasExternalFlag(m.Memory.ReadU64(p - 8)));
        AssertClean(m);
    }

    [Fact]
    public void Q4_ResetChildren_IsPreOrder_ParentCallbacksBeforeTheirChildren()
    {
        Mcxt m = New(checking: false);
        var order = new List<string>();
        ulong p = DefaultSet(m, "P");
        ulong a = DefaultSet(m, "A");
        m.MemoryContextSetParent(a, p);
        ulong a1 = DefaultSet(m, "A1");
        m.MemoryContextSetParent(a1, a);
        ulong b = DefaultSet(m, "B");
        m.MemoryContextSetParent(b, p);   // P's children in list order: B, A
        ulong fn = m.RegisterCallbackFunction(arg => order.Add(m.Memory.ReadCString(arg)));
        foreach (ulong c in new[] { p, a, a1, b })
        {
            ulong rec = m.MemoryContextAlloc(c, SizeOfMemoryContextCallback);
            m.InitCallbackRecord(rec, fn, m.MemoryContextStrdup(c, m.GetName(c)));
            m.MemoryContextRegisterResetCallback(c, rec);
        }
        m.MemoryContextResetChildren(p);
        Assert.Equal(new[] { "B", "A", "A1" }, order);
        Assert.False(m.GetIsReset(p));
        AssertClean(m);
    }

    [Fact]
    public void Q8_DoublePfreeOfExternalChunk_WithClobber_ReadsWipedHeader()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong big = m.MemoryContextAlloc(x, 20000);
        m.MemoryContextAlloc(x, 20000);   // keeps the first block off the heap top, so it stays mapped
        m.pfree(big);
        var e = Assert.Throws<PgErrorException>(() => m.pfree(big));
        Assert.Equal($"pfree called with invalid pointer 0x{big:x} (header 0x7f7f7f7f7f7f7f7f)", e.Message);
    }

    [Fact]
    public void Q8_DoublePfreeOfExternalChunk_WithoutClobber_IsNotDetectedByAllocSet()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong big = m.MemoryContextAlloc(x, 20000);
        m.MemoryContextAlloc(x, 20000);
        m.pfree(big);
        // AllocSet accepts the stale block header; only the simulated free() notices the double free.
        var e = Assert.Throws<SimFaultException>(() => m.pfree(big));
        Assert.Equal(SimAccess.HeapMisuse, e.Access);
    }

    [Fact]
    public void Q2_AllocSetIsImmune_ItComparesTheRawSizeWithItsLimit()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        m.MemoryContextSwitchTo(x);
        for (ulong k = 0; k <= 8; k++)
        {
            ulong size = ulong.MaxValue - k;
            var e = Assert.Throws<PgErrorException>(() => m.palloc(size));
            Assert.Equal($"invalid memory alloc request size {size}", e.Message);
        }
        AssertClean(m);
    }

    [Fact]
    public void Q10_ChunkSpace_ExcludesBlockHeaders()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong big = m.MemoryContextAlloc(x, 16000);
        ulong blksize = m.GetMemAllocated(x) - 8192;
        Assert.Equal(blksize - ALLOC_BLOCKHDRSZ, m.GetMemoryChunkSpace(big));
    }
}
