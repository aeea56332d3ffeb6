// AllocSetLeanPathTests: the lean copies of the AllocSet fast paths (AllocSet.Fast.cs, aset.c's
// AllocSetAlloc freelist pop and carve, AllocSetFree of a small chunk) against the general copies.
// Two processes run the same seeded stream of palloc, pfree, writes, resets and misuse, one taking
// the lean copies and one forced onto the general copies; after every operation they must return
// the same pointers, raise the same errors and faults, log the same warnings, and hold the same heap
// byte for byte. Checked for the four builds that take a lean copy (production and checking, each
// with and without Assert).
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Tests.Mmgr;

public sealed class AllocSetLeanPathTests
{
    public static TheoryData<bool, bool, ulong> Builds()
    {
        var data = new TheoryData<bool, bool, ulong>();
        foreach (bool checking in new[] { false, true })
            foreach (bool asserts in new[] { false, true })
                foreach (ulong seed in new ulong[] { 1, 2, 3 })
                    data.Add(checking, asserts, seed);
        return data;
    }

    private static MemoryContextOptions Options(bool checking, bool asserts) =>
        new() { MemoryContextChecking = checking, ClobberFreedMemory = checking, AssertChecking = asserts };

    private static AllocSet AsetOf(Mcxt m) => (AllocSet)m.Methods[(int)MemoryContextMethodID.MCTX_ASET_ID]!;

    /// <summary>One process of the pair, with the live chunks the stream has allocated in it.</summary>
    private sealed class Side
    {
        public readonly Mcxt M;
        public readonly ulong Set;
        public Side(MemoryContextOptions o, bool general)
        {
            M = McxtFixture.New(o);
            if (general) AsetOf(M).UseGeneralFastPaths();
            Set = McxtFixture.DefaultSet(M);
            M.MemoryContextSwitchTo(Set);
        }

        /// <summary>Runs one operation; returns its result or the error it raised, as text.</summary>
        public string Do(Func<Mcxt, ulong> op)
        {
            try { return $"ok {op(M):x}"; }
            catch (Exception e) { return $"{e.GetType().Name} {e.Message}"; }
        }
    }

    [Theory]
    [MemberData(nameof(Builds))]
    public void LeanAndGeneralCopiesAgreeOnEveryOperation(bool checking, bool asserts, ulong seed)
    {
        MemoryContextOptions o = Options(checking, asserts);
        var lean = new Side(o, general: false);
        var general = new Side(o, general: true);
        Assert.True(AsetOf(lean.M).UsesLeanFastPaths);
        Assert.False(AsetOf(general.M).UsesLeanFastPaths);

        var rng = new Prng(seed);
        var live = new List<(ulong p, ulong size)>();
        var freed = new List<ulong>();
        int pallocs = 0, pfrees = 0, misuse = 0;
        for (int step = 0; step < 4000; step++)
        {
            ulong r = rng.Below(100);
            string a, b;
            if (r < 45 || live.Count == 0)
            {
                // sizes around every freelist class boundary, up to and past allocChunkLimit (8 KiB)
                ulong size = rng.Below(4) == 0 ? (8UL << (int)rng.Below(11)) + rng.Below(3) - 1 : 1 + rng.Below(2048);
                a = lean.Do(m => m.palloc(size));
                b = general.Do(m => m.palloc(size));
                if (a.StartsWith("ok ", StringComparison.Ordinal)) live.Add((Convert.ToUInt64(a[3..], 16), size));
                pallocs++;
            }
            else if (r < 85)
            {
                int i = (int)rng.Below((ulong)live.Count);
                ulong p = live[i].p;
                live.RemoveAt(i);
                freed.Add(p);
                a = lean.Do(m => { m.pfree(p); return 0; });
                b = general.Do(m => { m.pfree(p); return 0; });
                pfrees++;
            }
            else if (r < 93)
            {
                // the user writes its chunk; a write one past the requested size damages the sentinel
                (ulong p, ulong size) = live[(int)rng.Below((ulong)live.Count)];
                ulong at = rng.Below(8) == 0 ? size : rng.Below(size);
                byte v = (byte)rng.Below(256);
                a = lean.Do(m => { m.Memory.WriteU8(p + at, v); return 0; });
                b = general.Do(m => { m.Memory.WriteU8(p + at, v); return 0; });
            }
            else if (r < 97 && freed.Count > 0)
            {
                // misuse: a double pfree, or a pfree of a pointer inside a chunk or outside the heap
                ulong p = rng.Below(3) switch
                {
                    0 => freed[(int)rng.Below((ulong)freed.Count)],
                    1 when live.Count > 0 => live[(int)rng.Below((ulong)live.Count)].p + 8,
                    _ => SimMemory.HeapBase + lean.M.Memory.HeapSize + 64 + rng.Below(4096),
                };
                a = lean.Do(m => { m.pfree(p); return 0; });
                b = general.Do(m => { m.pfree(p); return 0; });
                misuse++;
            }
            else
            {
                a = lean.Do(m => { m.MemoryContextReset(lean.Set); return 0; });
                b = general.Do(m => { m.MemoryContextReset(general.Set); return 0; });
                live.Clear();
                freed.Clear();
            }
            Assert.True(a == b, $"seed {seed} step {step}: lean {a}, general {b}");
            if (!a.StartsWith("ok ", StringComparison.Ordinal))
            {
                // the stream goes on from a fresh context, as a backend would after an ERROR
                a = lean.Do(m => { m.MemoryContextReset(lean.Set); return 0; });
                b = general.Do(m => { m.MemoryContextReset(general.Set); return 0; });
                Assert.True(a == b, $"seed {seed} step {step} (reset after an error): lean {a}, general {b}");
                live.Clear();
                freed.Clear();
            }
            if (step % 50 == 49) AssertSameHeap(lean.M, general.M, seed, step);
        }
        AssertSameHeap(lean.M, general.M, seed, -1);
        Assert.Equal(Messages(lean.M), Messages(general.M));
        // the stream really covered both paths and the misuse cases
        Assert.True(pallocs > 1000 && pfrees > 1000 && misuse > 50, $"pallocs {pallocs}, pfrees {pfrees}, misuse {misuse}");
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, false, true)]
    [InlineData(true, true, true)]
    public void TheShippedBuildsTakeTheLeanCopies(bool checking, bool asserts, bool lean)
    {
        Assert.Equal(lean, AsetOf(McxtFixture.New(Options(checking, asserts))).UsesLeanFastPaths);
    }

    [Fact]
    public void OtherBuildsTakeTheGeneralCopies()
    {
        Assert.False(AsetOf(McxtFixture.New(new MemoryContextOptions { RandomizeAllocatedMemory = true })).UsesLeanFastPaths);
        Assert.False(AsetOf(McxtFixture.New(new MemoryContextOptions { MemoryContextChecking = true })).UsesLeanFastPaths);
        Assert.False(AsetOf(McxtFixture.New(new MemoryContextOptions { Canary = AllocatorCanary.FreelistIndexOffByOne })).UsesLeanFastPaths);
        Assert.False(AsetOf(McxtFixture.New(McxtFixture.Checking with { Canary = AllocatorCanary.SentinelSkipped })).UsesLeanFastPaths);
    }

    /// <summary>Issue 16's "zero managed allocations per operation" on the W1-W4 shapes (pairs, a
    /// batch freed, a reset, repalloc growth into a dedicated block): after warm-up, a window of 200
    /// rounds allocates no managed memory (ManagedAllocations says why one window is enough).</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void The_lean_paths_allocate_no_managed_memory(bool checking, bool asserts)
    {
        Mcxt m = McxtFixture.New(Options(checking, asserts));
        ulong set = McxtFixture.DefaultSet(m);
        m.MemoryContextSwitchTo(set);
        ulong[] batch = new ulong[100];
        void Round()
        {
            for (int i = 0; i < 8; i++) m.pfree(m.palloc(16UL << (i % 5)));
            for (int i = 0; i < batch.Length; i++) batch[i] = m.palloc(8 + (ulong)(i * 37 % 1017));
            for (int i = batch.Length - 1; i >= 50; i--) m.pfree(batch[i]);
            m.MemoryContextReset(set);
            ulong p = m.palloc(16);
            for (ulong size = 32; size <= 65536; size *= 2) p = m.repalloc(p, size);
            m.pfree(p);
        }
        for (int i = 0; i < 500; i++) Round();
        ManagedAllocations.AssertSomeWindowAllocatesNothing(Round);
    }

    private static void AssertSameHeap(Mcxt a, Mcxt b, ulong seed, int step)
    {
        Assert.Equal(a.Memory.HeapSize, b.Memory.HeapSize);
        ReadOnlySpan<byte> x = a.Memory.ReadSpan(SimMemory.HeapBase, a.Memory.HeapSize);
        ReadOnlySpan<byte> y = b.Memory.ReadSpan(SimMemory.HeapBase, b.Memory.HeapSize);
        int diff = x.CommonPrefixLength(y);
        Assert.True(diff == x.Length, $"seed {seed} step {step}: heaps differ at offset {diff}");
    }

    private static List<string> Messages(Mcxt m) => m.Log.Messages.Select(x => $"{x.Level} {x.Text}").ToList();
}
