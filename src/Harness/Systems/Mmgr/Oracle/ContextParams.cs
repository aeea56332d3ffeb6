// ContextParams: clamps CreateContext parameters into the domain PostgreSQL asserts, so that any
// mutated or shrunk op still creates a context (the assertions are not what the oracle tests):
//   AllocSet/Generation/Bump: init MAXALIGNed and >= 1024; max MAXALIGNed, >= init, <= 0x3FFFFFFF;
//   min 0, or MAXALIGNed, >= 1024 and <= max (pg-mmgr-dsa.md 2.3, 3.1).
//   Slab: 48 <= blockSize <= 0x3FFFFFFF (below the block header the C subtraction wraps);
//   chunkSize small enough that the full chunk size fits the 30-bit header value.
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Oracle;

public static class ContextParams
{
    public const ulong MaxBlockLimit = 0x3FFFFFF8;   // MAXALIGN-down of MEMORYCHUNK_MAX_BLOCKOFFSET
    public const ulong MinInit = 1024;

    private static ulong Align8(ulong x) => x >= MaxBlockLimit ? MaxBlockLimit : (x + 7) & ~7UL;

    public static (ulong Min, ulong Init, ulong Max, ulong Chunk) Normalize(CreateContext o)
    {
        if (o.Kind == ContextKind.Slab)
        {
            ulong block = Math.Clamp(o.InitBlockSize, 48UL, 0x3FFFFFFFUL);
            ulong chunk = Math.Min(o.ChunkSize, 0x3FFFFF00UL);
            return (0, block, 0, chunk);
        }
        ulong init = Math.Max(Align8(o.InitBlockSize), MinInit);
        ulong max = Math.Max(Align8(o.MaxBlockSize), init);
        ulong min = o.MinContextSize == 0 ? 0 : Math.Min(Math.Max(Align8(o.MinContextSize), MinInit), max);
        return (min, init, max, 0);
    }

    /// <summary>alignto: the largest power of two at most the value, at least 1, below 128 MiB.</summary>
    public static ulong NormalizeAlign(ulong alignto)
    {
        if (alignto == 0) return 1;
        ulong p = 1;
        while (p <= alignto / 2 && p < (64UL << 20)) p <<= 1;
        return p;
    }
}
