// FpmRig: a FreePageManager over one simulated region of `pages` pages, the struct in page 0 (as DSA
// keeps it in the segment header) and pages 1.. managed. It tracks the pages put and not got and
// runs FreePageManagerCheck (FPM1-FPM7, FPM9 for Gets) after every operation, failing the test on
// any violation.
using Allocator.Dsa;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Dsa;

internal sealed class FpmRig
{
    public SimMemory M { get; } = new(heapMax: 1 << 20, initialHeapCapacity: 4096);
    public SimRegion Region { get; }
    public FreePageManager Fpm { get; }
    public HashSet<ulong> Free { get; } = new();
    public ulong Pages { get; }

    /// <summary>Check after every op (large tests turn it off and check at milestones).</summary>
    public bool CheckEveryOp { get; set; } = true;

    public FpmRig(PointerProfile profile, ulong pages, FpmOptions? options = null)
    {
        Pages = pages;
        Region = M.MapRegion("fpm", pages * FpmLayout.FPM_PAGE_SIZE);
        Fpm = FreePageManager.Initialize(M, Region.Base, Region.Base, FpmLayout.For(profile), options);
    }

    public static PointerProfile P(int bits) => bits == 64 ? PointerProfile.Bits64 : PointerProfile.Bits32;

    public void Put(ulong first, ulong n)
    {
        Fpm.Put(first, n);
        for (ulong p = first; p < first + n; p++) Assert.True(Free.Add(p), $"test bug: page {p} put twice");
        if (CheckEveryOp) AssertClean(afterGet: false);
    }

    /// <summary>Puts every page of [first, first+n) as one run.</summary>
    public void PutRange(ulong first, ulong n) => Put(first, n);

    public ulong? Get(ulong n)
    {
        FpmSnapshot? before = CheckEveryOp ? FreePageManagerCheck.Walk(Fpm, new List<string>()) : null;
        bool ok = Fpm.Get(n, out ulong first);
        if (before is not null) Assert.Empty(FreePageManagerCheck.CheckGet(before, n, ok, first));
        if (ok)
            for (ulong p = first; p < first + n; p++) Assert.True(Free.Remove(p), $"Get({n}) returned page {p}, which was not free");
        if (CheckEveryOp) AssertClean(afterGet: false);
        return ok ? first : null;
    }

    public List<string> Violations(bool afterGet = false) =>
        FreePageManagerCheck.Check(Fpm, new FpmCheckOptions { ExpectedFreePages = Free, AfterGet = afterGet });

    public void AssertClean(bool afterGet = false)
    {
        List<string> v = Violations(afterGet);
        Assert.True(v.Count == 0, string.Join("\n", v) + "\n" + Fpm.Dump());
    }

    public FpmSnapshot Snapshot() => FreePageManagerCheck.Walk(Fpm, new List<string>());
}
