// DsaGoldenStreams: the op streams the dsa golden vectors are made of, from fixed seeds (`harness
// golden dsa streams` writes them; tools/pg-golden/dsa/generate.sh runs PostgreSQL's dsa.c on them).
//
// Each stream has a theme, seed % ThemeCount, which fixes its area (first segment size, size limit)
// and what it stresses:
//   classes   every size class boundary (a class's size, one below, one above), frees and trims;
//   large     multi-page spans (8 KiB + 1 up to 3 MiB), so new segments of growing sizes;
//   churn     one size class with few objects per superblock (1-8 KiB): many spans, frees that
//             leave them in every fullness class or empty them, allocations that must activate
//             a span (ensure_active_superblock), trims of the active span;
//   segments  a 64 MiB limit, large allocations and frees in any order: many segments, segments
//             given back, the segment bins and get_best_segment's choices;
//   spans     scripted first: three superblocks of one class with 8-10 objects each filled, two
//             thinned to 25-50% used and one to one object short of full (so all three sit in
//             fullness class 2), one allocation (ensure_active_superblock moves the two thin ones
//             to class 1, one of them behind the other), then the two emptied object by object
//             (dsa_free destroys an emptied span unless it is the head of class 1); then churn;
//   oom       the limit equal to the first segment: "out of memory", NO_OOM's invalid pointer,
//             the size checks (MaxAllocSize, HUGE);
//   mixed     all of the above.
// A free names the live list by index (taken modulo its length by both sides, so any index is valid).
using Allocator.Common;
using Allocator.Dsa;
using Harness.Systems.Dsa.Oracle;
using static Allocator.Dsa.DsaSizeClasses;

namespace Harness.Systems.Dsa.Golden;

public static class DsaGoldenStreams
{
    private sealed record Theme(string Name, ulong Init, ulong Limit);

    private static readonly Theme[] Themes =
    [
        new("classes", DSA_MIN_SEGMENT_SIZE, 8 << 20),
        new("large", DSA_MIN_SEGMENT_SIZE, 16 << 20),
        new("churn", DSA_MIN_SEGMENT_SIZE, 8 << 20),
        new("segments", DSA_MIN_SEGMENT_SIZE, 64 << 20),
        new("oom", DSA_MIN_SEGMENT_SIZE, DSA_MIN_SEGMENT_SIZE),
        new("spans", DSA_MIN_SEGMENT_SIZE, 8 << 20),
        new("mixed", DSA_DEFAULT_INIT_SEGMENT_SIZE, 16 << 20),
    ];

    /// <summary>Number of distinct themes (a stream's theme is its seed modulo this).</summary>
    public static int ThemeCount => Themes.Length;

    /// <summary>Ops per stream.</summary>
    public const int OpsPerStream = 64;

    /// <summary>Large requests: just above the largest class, page and segment boundaries.</summary>
    private static readonly ulong[] LargeSizes =
    [
        MaxClassSize + 1, 3 * 4096, 16384, 16385, 65535, 65536, 100_000, 200_000, 262_144, 262_145, 500_000,
        1 << 20, (1 << 20) + 1, 2 << 20, 3 << 20,
    ];

    /// <summary>Requests that must fail before touching memory, and sizes only HUGE allows.</summary>
    private static readonly ulong[] Failing = [DsaArea.MaxAllocSize + 1, 2UL << 30, ulong.MaxValue / 2 + 1];

    public static string NameOf(ulong seed) => $"{Themes[seed % (ulong)Themes.Length].Name}-{seed}";

    /// <summary>The stream's header (its area) and op lines.</summary>
    public static string Text(ulong seed)
    {
        Theme t = Themes[seed % (ulong)Themes.Length];
        var sb = new System.Text.StringBuilder(DsaGoldenReplayer.Header(t.Init, t.Limit)).Append('\n');
        foreach (DsaOp op in Generate(seed)) sb.Append(DsaOpText.Instance.Format(op)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The ops of one seed's stream.</summary>
    public static List<DsaOp> Generate(ulong seed)
    {
        Theme t = Themes[seed % (ulong)Themes.Length];
        var rng = new Prng(Prng.Derive(0x647361UL, seed));
        DsaSizeClasses classes = DsaLayout.Wide.Classes;
        // churn: one class whose superblock holds 8-64 objects
        int churnClass = classes.SizeClassFor((ulong)rng.Pick<int>([1024, 1280, 1560, 2048, 2616, 3640, 4096, 5456, 6552, 8192]));
        var ops = new List<DsaOp>(OpsPerStream);
        int live = 0;
        if (t.Name == "spans")
        {
            churnClass = classes.SizeClassFor((ulong)rng.Pick<int>([6552, 7280, 8192]));
            live = ScriptedSpans(rng, classes, churnClass, ops);
        }
        while (ops.Count < OpsPerStream)
        {
            // allocate more at first, free more later, so spans fill up and then empty
            bool early = ops.Count < OpsPerStream * 2 / 5;
            DsaOp op = t.Name switch
            {
                "classes" => rng.Weighted([early ? 12 : 5, early ? 2 : 6, 1]) switch
                {
                    0 => DsaOp.Alloc(ClassBoundary(rng, classes), Flags(rng)),
                    1 => DsaOp.Free(rng.Index(64)),
                    _ => DsaOp.Simple(DsaOpCode.Trim),
                },
                "large" => rng.Weighted([early ? 10 : 4, early ? 2 : 6, 1]) switch
                {
                    0 => DsaOp.Alloc(rng.Pick(LargeSizes), Flags(rng)),
                    1 => DsaOp.Free(rng.Index(64)),
                    _ => DsaOp.Simple(DsaOpCode.Trim),
                },
                "churn" or "spans" => rng.Weighted([early ? 12 : 5, early ? 1 : 7, 1]) switch
                {
                    0 => DsaOp.Alloc((ulong)classes.Size(churnClass) - (ulong)rng.Index(8)),
                    1 => DsaOp.Free(rng.Index(64)),
                    _ => DsaOp.Simple(DsaOpCode.Trim),
                },
                "segments" => rng.Weighted([early ? 10 : 4, early ? 2 : 7, 1, 2]) switch
                {
                    0 => DsaOp.Alloc((ulong)rng.Range(100_000, 3_000_000), Flags(rng)),
                    1 => DsaOp.Free(rng.Index(64)),
                    2 => DsaOp.Simple(DsaOpCode.Trim),
                    _ => DsaOp.Alloc(ClassBoundary(rng, classes)),
                },
                "oom" => rng.Weighted([8, 3, 2, 1]) switch
                {
                    0 => DsaOp.Alloc(rng.Chance(1, 2) ? ClassBoundary(rng, classes) : rng.Pick(LargeSizes), Flags(rng)),
                    1 => DsaOp.Alloc(rng.Pick(Failing), rng.Pick([0, DSA_ALLOC_HUGE, DSA_ALLOC_HUGE | DSA_ALLOC_NO_OOM, DSA_ALLOC_NO_OOM])),
                    2 => DsaOp.Free(rng.Index(64)),
                    _ => DsaOp.Simple(DsaOpCode.Trim),
                },
                _ => rng.Weighted([8, 3, 5, 1, 1]) switch
                {
                    0 => DsaOp.Alloc(ClassBoundary(rng, classes), Flags(rng)),
                    1 => DsaOp.Alloc(rng.Pick(LargeSizes), Flags(rng)),
                    2 => DsaOp.Free(rng.Index(64)),
                    3 => DsaOp.Alloc(rng.Pick(Failing), DSA_ALLOC_NO_OOM),
                    _ => DsaOp.Simple(DsaOpCode.Trim),
                },
            };
            if (op.Code == DsaOpCode.Free && live == 0) continue;
            live += op.Code == DsaOpCode.Alloc ? 1 : op.Code == DsaOpCode.Free ? -1 : 0;
            ops.Add(op);
        }
        return ops;
    }

    /// <summary>The spans theme's scripted start (see the purpose block); returns how many
    /// allocations are live after it. Frees name objects by their place in the live list, which
    /// keeps allocation order, so the script tracks that list.</summary>
    private static int ScriptedSpans(Prng rng, DsaSizeClasses classes, int sizeClass, List<DsaOp> ops)
    {
        int n = classes.ObjectsPerSuperblock(sizeClass);
        ulong size = (ulong)classes.Size(sizeClass);
        var liveIds = new List<int>();
        for (int id = 0; id < 3 * n; id++)
        {
            ops.Add(DsaOp.Alloc(size - (ulong)rng.Index(8)));
            liveIds.Add(id);
        }
        void Free(int id)
        {
            ops.Add(DsaOp.Free(liveIds.IndexOf(id)));
            liveIds.Remove(id);
        }
        // superblocks 0 and 1 keep u objects with u * 3 / n == 1 (fullness class 1 by
        // ensure_active_superblock's formula); superblock 2 loses one (stays in class 2)
        int keep = (n + 2) / 3 + rng.Index(2);
        var spanObjects = new List<int>[3];
        for (int sb = 0; sb < 3; sb++) spanObjects[sb] = Enumerable.Range(sb * n, n).ToList();
        for (int sb = 0; sb < 2; sb++)
        {
            rng.Shuffle(spanObjects[sb]);
            while (spanObjects[sb].Count > keep)
            {
                Free(spanObjects[sb][^1]);
                spanObjects[sb].RemoveAt(spanObjects[sb].Count - 1);
            }
        }
        Free(2 * n + rng.Index(n));
        ops.Add(DsaOp.Alloc(size));
        liveIds.Add(3 * n);
        // empty superblocks 0 and 1, in a random order each
        foreach (int sb in rng.Chance(1, 2) ? new[] { 0, 1 } : [1, 0])
            foreach (int id in spanObjects[sb]) Free(id);
        return liveIds.Count;
    }

    /// <summary>A size at a size class's edge: the class's size, one below it, or one above (the
    /// next class; above the largest class, a one-page span).</summary>
    private static ulong ClassBoundary(Prng rng, DsaSizeClasses classes)
    {
        // class 0 is the span-object pool and class 1 the large spans: requests start at class 2
        ulong size = (ulong)classes.Size(2 + rng.Index(classes.DSA_NUM_SIZE_CLASSES - 2));
        return rng.Weighted([2, 1, 1]) switch
        {
            0 => size,
            1 => size - 1,
            _ => size + 1,
        };
    }

    private static int Flags(Prng rng) => rng.Weighted([8, 1, 1]) switch
    {
        0 => 0,
        1 => DSA_ALLOC_ZERO,
        _ => DSA_ALLOC_NO_OOM,
    };
}
