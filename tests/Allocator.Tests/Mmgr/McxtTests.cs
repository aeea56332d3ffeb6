// McxtTests: the common layer of mcxt.c: init, tree operations and their order, callbacks,
// dispatch on bogus pointers, the size helpers and their exact ERROR texts, strings, stats.
using Allocator.Common;
using Allocator.Mmgr;
using Xunit;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class McxtTests
{
    [Fact]
    public void Init_CreatesTopAndErrorContext()
    {
        Mcxt m = New(checking: false);
        Assert.Equal(m.TopMemoryContext, m.CurrentMemoryContext);
        Assert.Equal("TopMemoryContext", m.GetName(m.TopMemoryContext));
        Assert.Equal("ErrorContext", m.GetName(m.ErrorContext));
        Assert.Equal(m.TopMemoryContext, m.GetParent(m.ErrorContext));
        Assert.True(m.GetAllowInCritSection(m.ErrorContext));
        Assert.False(m.GetAllowInCritSection(m.TopMemoryContext));
        Assert.Equal(16384UL, m.MemoryContextMemAllocated(m.TopMemoryContext, recurse: true));
        Assert.Equal(8192UL, m.MemoryContextMemAllocated(m.TopMemoryContext, recurse: false));
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextInit());
        AssertClean(m);
    }

    [Fact]
    public void Stats_PrintsTheTreeInPostgresFormat()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong y = m.AllocSetContextCreate(x, "Y", 0, 8192, 8 * 1024 * 1024);
        m.MemoryContextCopyAndSetIdentifier(y, "ident\nwith newline");
        string expected =
            "TopMemoryContext: 8192 total in 1 blocks; 7952 free (0 chunks); 240 used\n" +
            "  X: 8192 total in 1 blocks; 7952 free (0 chunks); 240 used\n" +
            "    Y: 8192 total in 1 blocks; 7912 free (0 chunks); 280 used: ident with newline\n" +
            "  ErrorContext: 8192 total in 1 blocks; 7952 free (0 chunks); 240 used\n" +
            "Grand total: 32768 bytes in 4 blocks; 31768 free (0 chunks); 1000 used\n";
        Assert.Equal(expected, m.MemoryContextStats(m.TopMemoryContext));
    }

    [Fact]
    public void Delete_IsBottomUp_NewestSiblingFirst_AndCallbacksRunBeforeUnlinking()
    {
        Mcxt m = New(checking: true);
        var order = new List<string>();
        ulong fn = m.RegisterCallbackFunction(arg => order.Add(m.Memory.ReadCString(arg)));
        ulong p = DefaultSet(m, "P");
        ulong c1 = m.AllocSetContextCreate(p, "C1", 0, 1024, 8192);
        ulong c2 = m.AllocSetContextCreate(p, "C2", 0, 1024, 8192);
        ulong c2a = m.AllocSetContextCreate(c2, "C2a", 0, 1024, 8192);
        foreach (ulong c in new[] { p, c1, c2, c2a }) Register(m, c, fn, m.GetName(c));
        Assert.Equal(c2, m.GetFirstChild(p));
        m.MemoryContextDelete(p);
        Assert.Equal(new[] { "C2a", "C2", "C1", "P" }, order);
        Assert.NotEqual(p, m.GetFirstChild(m.TopMemoryContext));
        AssertClean(m);
    }

    [Fact]
    public void Reset_DeletesChildrenFirst_ThenRunsOwnCallbacksLifo()
    {
        Mcxt m = New(checking: false);
        var order = new List<string>();
        ulong fn = m.RegisterCallbackFunction(arg => order.Add(m.Memory.ReadCString(arg)));
        ulong p = DefaultSet(m, "P");
        ulong c = m.AllocSetContextCreate(p, "C", 0, 1024, 8192);
        Register(m, p, fn, "P-first");
        Register(m, p, fn, "P-second");
        Register(m, c, fn, "C");
        m.MemoryContextReset(p);
        Assert.Equal(new[] { "C", "P-second", "P-first" }, order);
        Assert.Equal(0UL, m.GetFirstChild(p));
        Assert.True(m.GetIsReset(p));
        order.Clear();
        m.MemoryContextReset(p);   // nothing registered any more, and nothing allocated: no-op
        Assert.Empty(order);
        AssertClean(m);
    }

    [Fact]
    public void ResetOnly_KeepsChildren_AndDeleteChildren_RemovesThem()
    {
        Mcxt m = New(checking: false);
        ulong p = DefaultSet(m, "P");
        ulong c = m.AllocSetContextCreate(p, "C", 0, 1024, 8192);
        m.MemoryContextAlloc(p, 10);
        m.MemoryContextAlloc(c, 10);
        m.MemoryContextResetOnly(p);
        Assert.Equal(c, m.GetFirstChild(p));
        Assert.False(m.GetIsReset(c));
        Assert.False(m.MemoryContextIsEmpty(p));
        m.MemoryContextResetChildren(p);
        Assert.True(m.GetIsReset(c));
        m.MemoryContextDeleteChildren(p);
        Assert.Equal(0UL, m.GetFirstChild(p));
        Assert.True(m.MemoryContextIsEmpty(p));
        AssertClean(m);
    }

    [Fact]
    public void Callbacks_PoppedBeforeCall_SoAThrowingCallbackRunsOnce()
    {
        Mcxt m = New(checking: false);
        int calls = 0;
        ulong thrower = m.RegisterCallbackFunction(_ => { calls++; throw new PgErrorException("callback failed"); });
        ulong x = DefaultSet(m);
        Register(m, x, thrower, "t");
        Assert.Throws<PgErrorException>(() => m.MemoryContextReset(x));
        Assert.False(m.GetIsReset(x));
        m.MemoryContextReset(x);
        Assert.Equal(1, calls);
        Assert.True(m.GetIsReset(x));
        AssertClean(m);
    }

    [Fact]
    public void Callbacks_RegisterMarksNotReset_UnregisterRemoves_UnknownIsAnAssertion()
    {
        Mcxt m = New(checking: false);
        int calls = 0;
        ulong fn = m.RegisterCallbackFunction(_ => calls++);
        Assert.Equal(Mcxt.CallbackFunctionBase, fn);
        Assert.Equal(Mcxt.CallbackFunctionBase + 16, m.RegisterCallbackFunction(_ => { }));
        ulong x = DefaultSet(m);
        ulong rec = m.MemoryContextAlloc(m.TopMemoryContext, SizeOfMemoryContextCallback);
        m.InitCallbackRecord(rec, fn, 0);
        m.MemoryContextRegisterResetCallback(x, rec);
        Assert.False(m.GetIsReset(x));
        m.MemoryContextUnregisterResetCallback(x, rec);
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextUnregisterResetCallback(x, rec));
        m.MemoryContextReset(x);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Callbacks_ThroughAnUnregisteredFunctionAddress_Fault()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong rec = m.MemoryContextAlloc(x, SizeOfMemoryContextCallback);
        m.InitCallbackRecord(rec, 0xDEAD_BEE0, 0);
        m.MemoryContextRegisterResetCallback(x, rec);
        Assert.Contains("MC8", string.Join("\n", m.MemoryContextVerify(x)));
        Assert.Throws<SimFaultException>(() => m.MemoryContextReset(x));
    }

    [Fact]
    public void SetParent_MovesToTheHeadOfTheNewParent_OrMakesARoot()
    {
        Mcxt m = New(checking: false);
        ulong a = DefaultSet(m, "A"), b = DefaultSet(m, "B"), c = DefaultSet(m, "C");
        m.MemoryContextSetParent(a, c);
        m.MemoryContextSetParent(b, c);
        Assert.Equal(b, m.GetFirstChild(c));
        Assert.Equal(a, m.GetNextChild(b));
        Assert.Equal(b, m.GetPrevChild(a));
        m.MemoryContextSetParent(b, 0);
        Assert.Equal(0UL, m.MemoryContextGetParent(b));
        Assert.Equal(a, m.GetFirstChild(c));
        Assert.Equal(0UL, m.GetPrevChild(a));
        Assert.Throws<AssertionFailureException>(() => m.MemoryContextSetParent(c, c));
        AssertClean(m);
        AssertClean(m, b);
    }

    [Fact]
    public void Pfree_OfBogusPointers_RaisesTheInvalidPointerError()
    {
        Mcxt m = New(checking: false);
        ulong viaMalloc = m.Heap.Malloc(64);          // glibc-shaped header: 80 | PREV_INUSE, method id 1
        ulong viaMmap = m.Heap.Malloc(200 * 1024);     // IS_MMAPPED, method id 2
        ulong zeroed = m.MemoryContextAlloc(m.TopMemoryContext, 64) + 16;   // never-written memory, id 0
        var e1 = Assert.Throws<PgErrorException>(() => m.pfree(viaMalloc));
        Assert.Equal($"pfree called with invalid pointer 0x{viaMalloc:x} (header 0x0000000000000051)", e1.Message);
        // An assert build's repalloc looks up the owner first, so GetMemoryChunkContext's ERROR wins.
        var e2 = Assert.Throws<PgErrorException>(() => m.repalloc(viaMmap, 10));
        Assert.StartsWith($"GetMemoryChunkContext called with invalid pointer 0x{viaMmap:x} (header 0x", e2.Message);
        Assert.EndsWith("2)", e2.Message);
        Mcxt noAsserts = New(Production with { AssertChecking = false });
        ulong viaMmap2 = noAsserts.Heap.Malloc(200 * 1024);
        var e2b = Assert.Throws<PgErrorException>(() => noAsserts.repalloc(viaMmap2, 10));
        Assert.StartsWith($"repalloc called with invalid pointer 0x{viaMmap2:x} (header 0x", e2b.Message);
        var e3 = Assert.Throws<PgErrorException>(() => m.GetMemoryChunkContext(zeroed));
        Assert.Equal($"GetMemoryChunkContext called with invalid pointer 0x{zeroed:x} (header 0x0000000000000000)", e3.Message);
        var e4 = Assert.Throws<PgErrorException>(() => m.GetMemoryChunkSpace(zeroed));
        Assert.StartsWith("GetMemoryChunkSpace called with invalid pointer", e4.Message);
    }

    [Fact]
    public void PfreeAndRepallocOfNull_Fault_NeverSucceed()
    {
        Mcxt m = New(checking: false);
        Assert.Throws<SimFaultException>(() => m.pfree(0));
        Assert.Throws<SimFaultException>(() => m.repalloc(0, 16));
        Assert.Throws<SimFaultException>(() => m.GetMemoryChunkContext(0));
        Assert.Throws<AssertionFailureException>(() => m.pfree(m.palloc(16) + 4));   // not MAXALIGNed
    }

    [Fact]
    public void Repalloc_OfAChunkFromAResetContext_IsAnAssertionFailure()
    {
        Mcxt m = New(checking: false);   // no clobber: the stale header still says "aset"
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 10);
        m.MemoryContextReset(x);
        Assert.Throws<AssertionFailureException>(() => m.repalloc(p, 20));
    }

    [Fact]
    public void AllocExtended_ChecksSizeUpFront_BeforeClearingIsReset()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        var e = Assert.Throws<PgErrorException>(() => m.MemoryContextAllocExtended(x, MaxAllocSize + 1, 0));
        Assert.Equal($"invalid memory alloc request size {MaxAllocSize + 1}", e.Message);
        Assert.True(m.GetIsReset(x));
        Assert.Throws<PgErrorException>(() => m.MemoryContextAllocExtended(x, MaxAllocHugeSize + 1, MCXT_ALLOC_HUGE));
        Assert.True(m.GetIsReset(x));
        m.MemoryContextSwitchTo(x);
        Assert.Throws<PgErrorException>(() => m.palloc(MaxAllocSize + 1));   // the large path checks, after isReset is cleared
        Assert.False(m.GetIsReset(x));
        m.MemoryContextSwitchTo(m.TopMemoryContext);
    }

    [Fact]
    public void ZeroingEntryPoints_ZeroExactlyTheRequestedBytes()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong p = m.MemoryContextAlloc(x, 100);
        m.Memory.Fill(p, 100, 0xEE);
        m.pfree(p);
        Assert.Equal(p, m.MemoryContextAllocZero(x, 100));
        Assert.True(m.Memory.ReadSpan(p, 100).ToArray().All(b => b == 0));
        m.Memory.Fill(p, 100, 0xEE);
        m.pfree(p);
        Assert.Equal(p, m.MemoryContextAllocExtended(x, 90, MCXT_ALLOC_ZERO));
        Assert.True(m.Memory.ReadSpan(p, 90).ToArray().All(b => b == 0));
        Assert.Equal(0xEE, m.Memory.ReadU8(p + 90));
        ulong q = m.MemoryContextAlloc(x, 8);
        m.Memory.Fill(q, 8, 0xEE);
        q = m.repalloc0(q, 4, 8);
        Assert.Equal(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE, 0, 0, 0, 0 }, m.Memory.ReadSpan(q, 8).ToArray());
    }

    [Fact]
    public void SizeHelpers_RaisePostgresTexts()
    {
        Mcxt m = New(checking: false);
        Assert.Equal("invalid repalloc0 call: oldsize 10, new size 5", Assert.Throws<PgErrorException>(() => m.repalloc0(m.palloc(10), 10, 5)).Message);
        Assert.Equal($"invalid memory allocation request size {ulong.MaxValue} + 1", Assert.Throws<PgErrorException>(() => Mcxt.add_size(ulong.MaxValue, 1)).Message);
        Assert.Equal("invalid memory allocation request size 4294967296 * 4294967296", Assert.Throws<PgErrorException>(() => m.palloc_mul(1UL << 32, 1UL << 32)).Message);
        Assert.Equal(12UL, Mcxt.mul_size(3, 4));
        Assert.Equal(7UL, Mcxt.add_size(3, 4));
        Assert.Equal(24UL, m.GetMemoryChunkSpace(m.palloc_mul(4, 4)));
    }

    [Fact]
    public void Strings_CopyIntoTheContext()
    {
        Mcxt m = New(checking: true);
        ulong s = m.pstrdup("hello\n\n");
        Assert.Equal("hello\n\n", m.Memory.ReadCString(s));
        Assert.Equal("hel", m.Memory.ReadCString(m.pnstrdup(s, 3)));
        Assert.Equal("hello\n\n", m.Memory.ReadCString(m.pnstrdup(s, 100)));
        Assert.Equal("hello", m.Memory.ReadCString(m.pchomp(s)));
        Assert.Equal(m.TopMemoryContext, m.GetMemoryChunkContext(s));
    }

    [Fact]
    public void CriticalSection_AllowsOnlyContextsThatAllowIt()
    {
        Mcxt m = New(checking: false);
        ulong child = m.AllocSetContextCreate(m.ErrorContext, "err-child", 0, 1024, 8192);
        m.CritSectionCount = 1;
        Assert.Throws<AssertionFailureException>(() => m.palloc(10));
        m.MemoryContextAlloc(m.ErrorContext, 10);
        m.MemoryContextAlloc(child, 10);   // inherited allowInCritSection
        m.CritSectionCount = 0;
    }

    [Fact]
    public void MemAllocated_SumsTheSubtreePreOrder()
    {
        Mcxt m = New(checking: false);
        ulong x = DefaultSet(m);
        ulong y = m.AllocSetContextCreate(x, "Y", 0, 1024, 8192);
        m.MemoryContextAlloc(x, 20000);
        Assert.Equal(8192UL + 20000 + 48 + 1024, m.MemoryContextMemAllocated(x, recurse: true));
        Assert.Equal(1024UL, m.MemoryContextMemAllocated(y, recurse: true));
        MemoryContextCounters consumed = m.MemoryContextMemConsumed(x);
        Assert.Equal(m.MemoryContextMemAllocated(x, true), consumed.totalspace);
    }

    private static void Register(Mcxt m, ulong context, ulong fn, string label)
    {
        ulong rec = m.MemoryContextAlloc(context, SizeOfMemoryContextCallback);
        m.InitCallbackRecord(rec, fn, m.MemoryContextStrdup(context, label));
        m.MemoryContextRegisterResetCallback(context, rec);
    }
}
