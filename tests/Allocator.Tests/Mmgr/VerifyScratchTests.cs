// VerifyScratchTests: MemoryContextVerify allocates nothing on the host when it finds nothing (the
// fuzzer runs it ~10 times per execution), and a VerifyScratch shared by several Mcxt instances
// gives exactly the results separate scratches give, corrupt walks and oversized walks included.
// The allocation checks count bytes (GC.GetAllocatedBytesForCurrentThread), they do not time.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;
using static Allocator.Tests.Mmgr.McxtFixture;

namespace Allocator.Tests.Mmgr;

public sealed class VerifyScratchTests
{
    public static TheoryData<string> Builds => new() { "production", "checking", "randomize" };

    private static MemoryContextOptions Options(string build) => build switch
    {
        "production" => Production,
        "checking" => Checking,
        _ => new MemoryContextOptions { MemoryContextChecking = true, ClobberFreedMemory = true, RandomizeAllocatedMemory = true },
    };

    /// <summary>The contexts of one mixed tree, by type.</summary>
    private sealed record Tree(Mcxt M, ulong Aset, ulong Generation, ulong Slab, ulong Bump, List<ulong> Wide, ulong GenChunk);

    /// <summary>A deterministic tree with all four context types: nested contexts, a wide child
    /// list (long enough for the tree walk's set-based repeat check), live and freed chunks, a
    /// dedicated AllocSet block, a reset context, a deleted (recycled) AllocSet and reset callbacks.</summary>
    private static Tree BuildTree(MemoryContextOptions options, VerifyScratch? scratch)
    {
        var mem = new SimMemory();
        var m = new Mcxt(mem, new SimHeap(mem), options, new ElogSink(), scratch);
        m.MemoryContextInit();
        ulong top = m.TopMemoryContext;
        ulong aset = m.AllocSetContextCreate(top, "aset", 0, 1024, 8192);
        ulong gen = m.GenerationContextCreate(aset, "gen", 0, 8192, 65536);
        ulong slab = m.SlabContextCreate(top, "slab", 8192, 64);
        ulong bump = m.BumpContextCreate(gen, "bump", 0, 8192, 65536);
        var wide = new List<ulong>();
        for (int i = 0; i < 24; i++)
        {
            ulong c = (i % 4) switch
            {
                0 => m.AllocSetContextCreate(slab, $"w{i}", 0, 1024, 8192),
                1 => m.GenerationContextCreate(slab, $"w{i}", 0, 8192, 65536),
                2 => m.SlabContextCreate(slab, $"w{i}", 8192, 24),
                _ => m.BumpContextCreate(slab, $"w{i}", 0, 8192, 65536),
            };
            wide.Add(c);
        }
        ulong genChunk = 0;
        ulong[] all = { aset, gen, slab, bump, wide[0], wide[1], wide[2], wide[3] };
        for (int i = 0; i < 80; i++)
        {
            ulong c = all[i % all.Length];
            ulong size = c == slab ? 64 : c == wide[2] ? 24 : (ulong)(1 + (i * 53) % 700);
            ulong p = m.MemoryContextAlloc(c, size);
            m.Memory.Fill(p, size, (byte)i);
            bool isBump = c == bump || c == wide[3];
            if (i % 3 == 0 && !isBump) m.pfree(p);
            else if (c == gen) genChunk = p;
        }
        m.MemoryContextAlloc(aset, 20000);   // a dedicated block
        m.MemoryContextReset(wide[1]);
        m.MemoryContextDelete(m.AllocSetContextCreate(top, "gone", 0, 1024, 8192));   // parked on a recycled list
        ulong func = m.RegisterCallbackFunction(_ => { });
        foreach (ulong c in new[] { aset, bump })
        {
            ulong record = m.MemoryContextAlloc(c, 24);
            m.InitCallbackRecord(record, func, 1);
            m.MemoryContextRegisterResetCallback(c, record);
        }
        m.MemoryContextSwitchTo(gen);
        return new Tree(m, aset, gen, slab, bump, wide, genChunk);
    }

    private static long AllocatedBy(Action walk)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        walk();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void HappyPath_AllocatesNothing_OnceTheScratchIsWarm(string build)
    {
        Tree t = BuildTree(Options(build), null);
        Mcxt m = t.M;
        AssertClean(m);   // warms the scratch (and the JIT)
        AssertClean(m);
        IReadOnlyList<string> result = null!;
        long bytes = AllocatedBy(() => result = m.MemoryContextVerify(m.TopMemoryContext));
        Assert.Empty(result);
        Assert.Equal(0, bytes);
        // A subtree root and each type's own walker alone, too.
        foreach (ulong root in new[] { t.Aset, t.Generation, t.Slab, t.Bump })
        {
            m.MemoryContextVerify(root);
            Assert.Equal(0, AllocatedBy(() => result = m.MemoryContextVerify(root)));
            Assert.Empty(result);
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void FreshMcxt_WithSharedWarmScratch_AllocatesNothingToVerify(string build)
    {
        // The fuzz runner's pattern: a new Mcxt per execution; with a shared scratch the new
        // instance's first walk needs no growth either.
        Tree t = BuildTree(Options(build), null);
        AssertClean(t.M);
        AssertClean(t.M);
        var again = new Mcxt(t.M.Memory, t.M.Heap, t.M.Options, new ElogSink(), t.M.VerifyScratch);
        Assert.Same(t.M.VerifyScratch, again.VerifyScratch);
        again.RegisterCallbackFunction(_ => { });   // the tree's callback records name the first function (MC8)
        IReadOnlyList<string> result = null!;
        long bytes = AllocatedBy(() => result = again.MemoryContextVerify(t.M.TopMemoryContext));
        Assert.Empty(result);
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void EachMcxt_GetsItsOwnScratch_UnlessOneIsGiven()
    {
        Mcxt a = New(), b = New();
        Assert.NotSame(a.VerifyScratch, b.VerifyScratch);
        var shared = new VerifyScratch();
        var mem = new SimMemory();
        Assert.Same(shared, new Mcxt(mem, new SimHeap(mem), Production, null, shared).VerifyScratch);
    }

    /// <summary>The same script of walks, corruptions and one oversized walk on two trees; returns
    /// every walk's result in order.</summary>
    private static List<IReadOnlyList<string>> RunScript(MemoryContextOptions options, bool shareScratch)
    {
        VerifyScratch? shared = shareScratch ? new VerifyScratch() : null;
        Tree a = BuildTree(options, shared);
        Tree b = BuildTree(options, shared);
        var results = new List<IReadOnlyList<string>>();
        void Walk(Tree t, ulong? root = null) => results.Add(t.M.MemoryContextVerify(root ?? t.M.TopMemoryContext));

        Walk(a);
        Walk(b);
        // A: an AllocSet freelist that points back at itself (cycle), a Generation block count
        // and a Slab free-list link gone wild.
        ulong asetFree = a.M.Memory.ReadU64(a.Aset + AsetOffFreelist + 8UL * (ulong)FirstNonEmptyFreelist(a));
        a.M.Memory.WriteU64(asetFree + a.M.ChunkHdrSz, asetFree);
        a.M.Memory.WriteU64(a.GenChunk - 8, 0x10);   // a live chunk's header (and method id) smashed
        Walk(a);
        Walk(b);
        Walk(a, a.Slab);
        // B: an oversized walk (grows the scratch past VerifyScratch.KeepCapacity), clean.
        ulong big = b.M.AllocSetContextCreate(b.Aset, "big", 0, 8192, 8 * 1024 * 1024);
        for (int i = 0; i < 6000; i++) b.M.MemoryContextAlloc(big, 16);
        Walk(b);
        Walk(a);
        // B: corrupted after the big walk: a link in the long child list that cycles, accounting off.
        b.M.Memory.WriteU64(b.Wide[5] + OffNextChild, b.Wide[5]);
        b.M.SetMemAllocated(big, b.M.GetMemAllocated(big) + 8);
        Walk(b);
        Walk(a);
        Walk(b, b.Bump);
        return results;
    }

    private static int FirstNonEmptyFreelist(Tree t)
    {
        for (int k = 0; k < ALLOCSET_NUM_FREELISTS; k++)
            if (t.M.Memory.ReadU64(t.Aset + AsetOffFreelist + 8UL * (ulong)k) != 0) return k;
        throw new InvalidOperationException("the tree's AllocSet has no free chunk");
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void SharedScratch_GivesTheSameResults_AsSeparateScratches(string build)
    {
        List<IReadOnlyList<string>> separate = RunScript(Options(build), shareScratch: false);
        List<IReadOnlyList<string>> shared = RunScript(Options(build), shareScratch: true);
        Assert.Equal(separate.Count, shared.Count);
        for (int i = 0; i < separate.Count; i++)
            Assert.Equal(separate[i], shared[i]);
        // The script is not vacuous: clean walks are clean and the corrupted ones report.
        Assert.Empty(separate[0]);
        Assert.Empty(separate[1]);
        Assert.Contains(separate[2], s => s.StartsWith("AS4:", StringComparison.Ordinal));
        Assert.Contains(separate[2], s => s.StartsWith("MC4:", StringComparison.Ordinal) || s.StartsWith("GEN2:", StringComparison.Ordinal));
        Assert.Empty(separate[3]);
        Assert.Empty(separate[5]);
        Assert.Equal(separate[2], separate[6]);   // a walk leaves nothing behind that changes the next one
        Assert.Contains(separate[7], s => s.StartsWith("MC1:", StringComparison.Ordinal));
        Assert.Contains(separate[7], s => s.StartsWith("AS7:", StringComparison.Ordinal));
        Assert.Equal(separate[2], separate[8]);
    }

    [Fact]
    public void CorruptNamePointer_StillFaultsWhereTheNameIsRead()
    {
        // The AllocSet walker reads its context's name up front without building the string; a
        // wild name pointer must still be reported as the walk's fault (AS1), as before.
        Mcxt m = New(Checking);
        ulong x = DefaultSet(m);
        m.MemoryContextAlloc(x, 100);
        AssertClean(m);
        m.Memory.WriteU64(x + OffName, 0x20);
        IReadOnlyList<string> problems = m.MemoryContextVerify(x);
        Assert.Contains(problems, s => s.StartsWith("AS1: AllocSet ", StringComparison.Ordinal) && s.Contains("walking its blocks faulted", StringComparison.Ordinal));
        m.Memory.WriteU64(x + OffName, 0);
        Assert.Contains(m.MemoryContextVerify(x), s => s.Contains("walking its blocks faulted", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_NameTheContext_OnlyWhenFound()
    {
        // The AllocSet texts carry the context's name although the walk no longer builds it up front.
        Mcxt m = New(Production);
        ulong x = DefaultSet(m, "named-set");
        m.MemoryContextAlloc(x, 20000);
        m.SetMemAllocated(x, m.GetMemAllocated(x) + 8);
        Assert.Contains(m.MemoryContextVerify(x), s => s.StartsWith($"AS7: AllocSet {Mcxt.Ptr(x)} (named-set): mem_allocated is ", StringComparison.Ordinal));
    }
}
