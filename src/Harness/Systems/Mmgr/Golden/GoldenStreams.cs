// GoldenStreams: the op streams the golden vectors are made of, from fixed seeds (`harness golden
// mmgr streams` writes them; tools/pg-golden/mmgr/generate.sh runs PostgreSQL's C on them).
//
// Each stream has a theme, seed % Themes.Count: one context type with parameters at its
// boundaries (AllocSet's default, small and recycled sizes, minContextSize keepers, init = max;
// Generation and Bump likewise; Slab with tiny, odd and large chunks and blocks barely holding
// one), then a mix of allocations at boundary sizes (chunk-limit edges, dedicated/large chunks,
// sizes that must fail), every allocation entry point and flag, frees, realloc growth and shrink,
// resets (incl. keeper blocks), child contexts, deletes, reparenting, palloc through SwitchTo and
// Stats. Sizes that would make a run slow (hundreds of MiB touched) are left out; the failing ones
// fail before any memory is touched.
using Allocator.Common;
using Harness.Systems.Mmgr.Oracle;
using static Allocator.Mmgr.McxtConstants;

namespace Harness.Systems.Mmgr.Golden;

public static class GoldenStreams
{
    private sealed record Theme(string Name, ContextKind Kind, ulong Min, ulong Init, ulong Max, ulong Chunk);

    private static readonly Theme[] Themes =
    [
        new("aset-default", ContextKind.AllocSet, ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE, 0),
        new("aset-small", ContextKind.AllocSet, ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_SMALL_MAXSIZE, 0),
        new("aset-keeper", ContextKind.AllocSet, 16 * 1024, 1024, 64 * 1024, 0),
        new("aset-fixed", ContextKind.AllocSet, 0, 4096, 4096, 0),
        new("aset-startsmall", ContextKind.AllocSet, 0, 1024, ALLOCSET_DEFAULT_MAXSIZE, 0),
        new("gen-default", ContextKind.Generation, 0, 8192, 8 * 1024 * 1024, 0),
        new("gen-small", ContextKind.Generation, 0, 1024, 8192, 0),
        new("gen-keeper", ContextKind.Generation, 32 * 1024, 1024, 1024 * 1024, 0),
        new("slab-small", ContextKind.Slab, 0, 8192, 0, 8),
        new("slab-odd", ContextKind.Slab, 0, 1024, 0, 100),
        new("slab-tiny", ContextKind.Slab, 0, 48, 0, 1),
        new("slab-big", ContextKind.Slab, 0, 64 * 1024, 0, 4000),
        new("bump-default", ContextKind.Bump, 0, 8192, 8 * 1024 * 1024, 0),
        new("bump-small", ContextKind.Bump, 0, 1024, 8192, 0),
        new("mixed", ContextKind.AllocSet, 0, 8192, 8 * 1024 * 1024, 0),
    ];

    /// <summary>Number of distinct themes (a stream's theme is its seed modulo this).</summary>
    public static int ThemeCount => Themes.Length;

    /// <summary>Sizes chosen for allocations: the allocators' boundaries, up to 4 MiB.</summary>
    private static readonly ulong[] Sizes =
    [
        0, 1, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257, 500, 511, 512, 513,
        1000, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 8191, 8192, 8193, 16384, 65536, 131072,
        524287, 524288, 524289, 1 << 20, 4 << 20,
    ];

    /// <summary>Sizes whose requests fail before touching memory (size checks, or malloc above the heap).</summary>
    private static readonly ulong[] Failing =
    [
        MaxAllocSize + 1, MaxAllocHugeSize + 1, ulong.MaxValue, ulong.MaxValue - 7,
        2UL << 30,   // valid with HUGE, but above the 1 GiB heap: malloc fails ("out of memory", or NULL with NO_OOM)
    ];

    public static string NameOf(ulong seed) => $"{Themes[seed % (ulong)Themes.Length].Name}-{seed}";

    /// <summary>The stream of one seed (about <paramref name="ops"/> ops).</summary>
    public static List<AllocatorOp> Generate(ulong seed, int ops)
    {
        Theme t = Themes[seed % (ulong)Themes.Length];
        var rng = new Prng(Prng.Derive(0x676F6C64UL, seed));
        var list = new List<AllocatorOp> { Create(t, 0, rng) };
        int contexts = 1;
        while (list.Count < ops)
        {
            int w = rng.Weighted([30, 6, 10, 10, 3, 2, 2, 3, 2, 3, 2, 3, 3]);
            AllocatorOp op = w switch
            {
                0 => NewAlloc(rng, contexts),
                1 => new Alloc(rng.Index(contexts), rng.Pick(Failing), rng.Pick([AllocFlags.None, AllocFlags.Huge, AllocFlags.Huge | AllocFlags.NoOom]), AllocEntry.AllocExtended, false, 0),
                2 => new Free(rng.Index(64)),
                3 => new Realloc(rng.Index(64), rng.Pick(Sizes), AllocFlags.None, (ReallocEntry)rng.Index(3), rng.Chance(1, 2)),
                4 => new Reset(rng.Index(contexts)),
                5 => new ResetOnly(rng.Index(contexts)),
                6 => new ResetChildren(rng.Index(contexts)),
                7 => Create(t.Name == "mixed" ? Themes[rng.Index(Themes.Length - 1)] : rng.Chance(1, 3) ? Themes[rng.Index(Themes.Length)] : t, rng.Index(contexts + 1), rng),
                8 => new Delete(rng.Index(contexts)),
                9 => new SwitchTo(rng.Index(contexts + 1)),
                10 => new SetParent(rng.Index(contexts), rng.Chance(1, 5) ? AllocatorOp.NullParent : rng.Index(contexts + 1)),
                11 => new Stats(rng.Index(contexts + 1)),
                _ => new Alloc(rng.Index(contexts), 0, AllocFlags.None, AllocEntry.MemoryContextAlloc, true, 0),
            };
            if (op is CreateContext) contexts++;
            list.Add(op);
        }
        return list;
    }

    private static CreateContext Create(Theme t, int parent, Prng rng)
    {
        if (t.Kind == ContextKind.Slab)
        {
            // now and then a chunk size at the slab's own edges: 0, just below/above MAXALIGN
            ulong chunk = rng.Chance(1, 4) ? rng.Pick<ulong>([0, 7, 9, 24, 1000]) : t.Chunk;
            return new CreateContext(ContextKind.Slab, parent, 0, t.Init, 0, chunk);
        }
        return new CreateContext(t.Kind, parent, t.Min, t.Init, t.Max, 0);
    }

    private static Alloc NewAlloc(Prng rng, int contexts)
    {
        var entry = (AllocEntry)rng.Weighted([3, 4, 3, 1]);
        AllocFlags flags = rng.Weighted([6, 1, 1, 1]) switch
        {
            0 => AllocFlags.None,
            1 => AllocFlags.Zero,
            2 => AllocFlags.Huge,
            _ => AllocFlags.NoOom | AllocFlags.Zero,
        };
        ulong align = entry == AllocEntry.AllocAligned ? rng.Pick<ulong>([8, 16, 64, 1024, 4096, 65536]) : 0;
        return new Alloc(rng.Index(contexts), rng.Pick(Sizes), flags, entry, rng.Chance(1, 3), align);
    }
}
