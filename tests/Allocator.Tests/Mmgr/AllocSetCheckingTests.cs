// AllocSetCheckingTests: MEMORY_CONTEXT_CHECKING and CLOBBER_FREED_MEMORY in aset.c: the ERRORs on
// double pfree and realloc of a freed chunk, the "write past chunk end" WARNINGs, and AllocSetCheck's
// WARNING texts for each kind of corruption (pg-mmgr-dsa.md 2.7, 2.8, 2.11).
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class AllocSetCheckingTests
{
    [Fact]
    public void DoublePfree_IsAnError_WithTheChunkAddress()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.pfree(p);
        var e = Assert.Throws<PgErrorException>(() => m.pfree(p));
        Assert.Equal($"detected double pfree in X 0x{p - 16:x}", e.Message);
        var r = Assert.Throws<PgErrorException>(() => m.repalloc(p, 20));
        Assert.Equal($"detected realloc of freed chunk in X 0x{p - 16:x}", r.Message);
        AssertClean(m);
    }

    [Fact]
    public void DoublePfree_WithoutChecking_CorruptsTheFreelist_AndVerifyReportsIt()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.pfree(p);
        m.pfree(p);   // PostgreSQL accepts this: the chunk now links to itself
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS4:", StringComparison.Ordinal));
    }

    [Fact]
    public void WritePastEnd_WarnsOnPfreeAndRepalloc()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.Memory.WriteU8(p + 10, 0);
        m.pfree(p);
        ulong q = m.MemoryContextAlloc(x, 100);
        m.Memory.WriteU8(q + 100, 1);
        Assert.NotEqual(q, m.repalloc(q, 200));
        ulong big = m.MemoryContextAlloc(x, 9000);
        m.Memory.WriteU8(big + 9000, 2);
        m.pfree(big);
        Assert.Equal(new[]
        {
            $"detected write past chunk end in X 0x{p - 16:x}",
            $"detected write past chunk end in X 0x{q - 16:x}",   // AllocSetRealloc's check ...
            $"detected write past chunk end in X 0x{q - 16:x}",   // ... and AllocSetFree's, as in C
            $"detected write past chunk end in X 0x{big - 16:x}",
        }, Warnings(m));
    }

    [Fact]
    public void Clobber_WipesFreedChunksAndResetBlocks()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 100);
        m.pfree(p);
        // The first 8 bytes are the freelist link; the rest of the 128-byte chunk is 0x7F.
        Assert.True(m.Memory.ReadSpan(p + 8, 120).ToArray().All(b => b == ClobberByte));
        Assert.Equal(InvalidAllocSize, m.Memory.ReadU64(p - 16));
        ulong q = m.MemoryContextAlloc(x, 40);
        m.MemoryContextReset(x);
        Assert.Equal(0x7F7F7F7F7F7F7F7FUL, m.Memory.ReadU64(q - 8));
    }

    [Fact]
    public void Check_ReportsADamagedSentinel_AndRunsBeforeReset()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.Memory.WriteU8(p + 10, 0x41);
        m.MemoryContextCheck(m.TopMemoryContext);
        string expected = $"problem in alloc set X: detected write past chunk end in block 0x{KeeperBlock(x):x}, chunk 0x{p - 16:x}";
        Assert.Equal(new[] { expected }, Warnings(m));
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith("AS10:", StringComparison.Ordinal));
        m.Log.Clear();
        m.MemoryContextReset(x);
        Assert.Equal(new[] { expected }, Warnings(m));
    }

    [Fact]
    public void Check_ReportsCorruptBlockHeaders_EmptyBlocks_AndBadChunks()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        var chunks = new List<ulong>();
        for (int i = 0; i < 10; i++) chunks.Add(m.MemoryContextAlloc(x, 1000));   // second block is the head
        ulong head = m.Memory.ReadU64(x + AsetOffBlocks);
        Assert.NotEqual(KeeperBlock(x), head);
        string name = "problem in alloc set X: ";

        m.Memory.WriteU64(KeeperBlock(x) + BlkOffPrev, 0x1234);
        m.MemoryContextCheck(x);
        Assert.Equal(new[] { $"{name}corrupt header in block 0x{KeeperBlock(x):x}" }, Warnings(m));
        m.Memory.WriteU64(KeeperBlock(x) + BlkOffPrev, head);
        m.Log.Clear();

        ulong hdrAddr = chunks[0] - 8;
        ulong saved = m.Memory.ReadU64(hdrAddr);
        m.Memory.WriteU64(hdrAddr, saved | (12UL << MEMORYCHUNK_VALUE_BASEBIT));   // fidx 7 | 12 = 15
        m.MemoryContextCheck(x);
        List<string> w = Warnings(m);
        Assert.Equal($"{name}bad chunk size for chunk 0x{chunks[0] - 16:x} in block 0x{KeeperBlock(x):x}", w[0]);
        Assert.Contains($"{name}found inconsistent memory block 0x{KeeperBlock(x):x}", w);
        m.Memory.WriteU64(hdrAddr, saved);
        m.Log.Clear();

        m.Memory.WriteU64(hdrAddr, saved + (8UL << MEMORYCHUNK_BLOCKOFFSET_BASEBIT));
        m.MemoryContextCheck(x);
        Assert.Equal(new[] { $"{name}bad block offset for chunk 0x{chunks[0] - 16:x} in block 0x{KeeperBlock(x):x}" }, Warnings(m));
        m.Memory.WriteU64(hdrAddr, saved);
        m.Log.Clear();

        m.Memory.WriteU64(chunks[0] - 16, 2000);   // requested_size > chunk size
        m.MemoryContextCheck(x);
        Assert.Equal(new[] { $"{name}req size > alloc size for chunk 0x{chunks[0] - 16:x} in block 0x{KeeperBlock(x):x}" }, Warnings(m));
        m.Memory.WriteU64(chunks[0] - 16, 1000);
        m.Log.Clear();

        ulong freeptr = m.Memory.ReadU64(head + BlkOffFreeptr);
        m.Memory.WriteU64(head + BlkOffFreeptr, head + ALLOC_BLOCKHDRSZ);
        m.MemoryContextCheck(x);
        Assert.Equal(new[] { $"{name}empty block 0x{head:x}" }, Warnings(m));
        m.Memory.WriteU64(head + BlkOffFreeptr, freeptr);
        m.Log.Clear();

        m.MemoryContextCheck(x);
        Assert.Empty(Warnings(m));
        AssertClean(m);
    }

    [Fact]
    public void Check_ReportsABadSingleChunk_AndNeverWalksOutOfTheBlock()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong big = m.MemoryContextAlloc(x, 9000);
        ulong block = big - 16 - ALLOC_BLOCKHDRSZ;
        m.Memory.WriteU64(block + BlkOffFreeptr, block + 100);   // freeptr != endptr: walk stops at freeptr
        m.MemoryContextCheck(x);
        List<string> w = Warnings(m);
        Assert.Contains($"problem in alloc set X: bad single-chunk 0x{big - 16:x} in block 0x{block:x}", w);
        Assert.Throws<PgErrorException>(() => m.pfree(big));   // could not find block containing chunk
        Assert.Equal($"could not find block containing chunk 0x{big - 16:x}", Assert.Throws<PgErrorException>(() => m.pfree(big)).Message);
    }

    [Fact]
    public void Check_WithACorruptStride_StopsInsideTheBlock()
    {
        Mcxt m = New(checking: true);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.MemoryContextAlloc(x, 10);
        m.Memory.WriteU64(p - 8, m.Memory.ReadU64(p - 8) | (0x3FFFFFF0UL << MEMORYCHUNK_VALUE_BASEBIT));   // a huge fidx
        m.MemoryContextCheck(x);
        List<string> w = Warnings(m);
        Assert.Contains($"problem in alloc set X: bad chunk size for chunk 0x{p - 16:x} in block 0x{KeeperBlock(x):x}", w);
        Assert.Contains($"problem in alloc set X: found inconsistent memory block 0x{KeeperBlock(x):x}", w);
        Assert.NotEmpty(m.MemoryContextVerify(x));
    }
}
