// The defects the DSA port found in PostgreSQL 17's dsa.c (and the FreePageManager it uses), each
// reproduced with PostgreSQL's behaviour and shown gone with the fix option.
using Allocator.Dsa;
using Xunit;
using static Allocator.Dsa.DsaSizeClasses;

namespace Allocator.Tests.Dsa;

public sealed class DsaFindingTests
{
    private static DsaRig AtLimit(DsaOptions? options)
    {
        var r = new DsaRig(init: DSA_MIN_SEGMENT_SIZE, options: options);
        r.A.dsa_set_size_limit(DSA_MIN_SEGMENT_SIZE);
        // fill segment 0 with large objects so no superblock fits any more
        while (r.Alloc(40000, DSA_ALLOC_NO_OOM) != 0) { }
        return r;
    }

    /// <summary>D1: a small allocation that needs a new superblock when no segment can hold one
    /// leaks the span object ensure_active_superblock took for it, once per attempt.</summary>
    [Fact]
    public void D1_FailedSuperblock_LeaksItsSpanObject()
    {
        DsaRig r = AtLimit(null);
        for (int i = 0; i < 5; i++) Assert.Equal(0UL, r.Alloc(24, DSA_ALLOC_NO_OOM));
        Assert.Equal(5, r.A.LeakedSpanObjects.Count);
        // the walker reports them unless told they are the known leak
        List<string> errors = DsaCheck.Check(r.A, new DsaCheckOptions { Live = r.Live, KnownLeakedSpanObjects = new HashSet<ulong>() });
        Assert.Equal(5, errors.Count(e => e.StartsWith("DSA7:", StringComparison.Ordinal)));
        r.Ok();
    }

    [Fact]
    public void D1_Fixed_FreesTheSpanObject()
    {
        DsaRig r = AtLimit(new DsaOptions { FixSuperblockSpanLeak = true });
        for (int i = 0; i < 5; i++) Assert.Equal(0UL, r.Alloc(24, DSA_ALLOC_NO_OOM));
        Assert.Empty(r.A.LeakedSpanObjects);
        Assert.Empty(DsaCheck.Check(r.A, new DsaCheckOptions { Live = r.Live, KnownLeakedSpanObjects = new HashSet<ulong>() }));
    }

    /// <summary>F1 seen from DSA: the FreePageManager's root-page leak loses a page for good; the
    /// random workload that is clean with the fix loses pages without it.</summary>
    [Fact]
    public void F1_RootPageLeak_LosesPagesUnderDsa()
    {
        var r = new DsaRig(init: DSA_MIN_SEGMENT_SIZE) { CheckOptions = new DsaCheckOptions { CheckLostPages = false } };
        DsaArea a1 = r.AttachOther(1);
        var rng = new Random(1234);
        ulong[] sizes = [1, 8, 9, 24, 100, 255, 256, 1023, 1024, 1025, 3000, 4096, 8191, 8192, 8193, 20000, 70000];
        int firstLoss = -1;
        ulong maxLost = 0;
        for (int step = 0; step < 1500; step++)
        {
            DsaArea via = rng.Next(2) == 0 ? r.A : a1;
            int op = rng.Next(10);
            if (op < 5 || r.Live.Count == 0) r.Alloc(sizes[rng.Next(sizes.Length)], rng.Next(3) == 0 ? DSA_ALLOC_ZERO : 0, via);
            else if (op < 9) r.Free(r.Live.Keys.OrderBy(x => x).ElementAt(rng.Next(r.Live.Count)), via);
            else via.dsa_trim();
            DsaSnapshot snap = DsaCheck.Walk(r.A, new List<string>());
            if (snap.LostPages.Count > 0 && firstLoss < 0) firstLoss = step;
            maxLost = Math.Max(maxLost, snap.LostPages.Values.Aggregate(0UL, (a, b) => a + b));
        }
        r.FreeAll();
        r.A.dsa_trim();
        DsaSnapshot end = DsaCheck.Walk(r.A, new List<string>());
        System.Console.WriteLine($"first loss at step {firstLoss}, at most {maxLost} lost; at the end {string.Join(", ", end.LostPages.Select(kv => $"seg {kv.Key}: {kv.Value}"))}; segments {string.Join(",", end.Segments.Keys)}");
        Assert.True(firstLoss >= 0);
        Assert.Equal(1UL, end.LostPages[0]); // never comes back
    }
}
