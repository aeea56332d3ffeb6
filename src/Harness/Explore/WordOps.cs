// WordOps: what the controlled seams do to a shared word once their scheduling point has let the
// backend run: plain read-modify-writes on SimMemory.AtomicRef32/64 (one backend runs at a time, so
// no Interlocked; the ref accessors fault on a misaligned or unmapped "atomic" as production would).
// Shared by the explorer's ControlledSyncRuntime and the Coyote engine's CoyoteSyncRuntime, so both
// engines give every operation the same meaning.
using System.Runtime.CompilerServices;
using Allocator.Sim;

namespace Harness.Explore;

internal static class WordOps
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Cas32(SimMemory m, ulong addr, ref uint expected, uint newval)
    {
        ref uint w = ref m.AtomicRef32(addr);
        if (w == expected) { w = newval; return true; }
        expected = w;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Cas64(SimMemory m, ulong addr, ref ulong expected, ulong newval)
    {
        ref ulong w = ref m.AtomicRef64(addr);
        if (w == expected) { w = newval; return true; }
        expected = w;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Exchange32(SimMemory m, ulong addr, uint newval) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = newval; return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FetchAdd32(SimMemory m, ulong addr, uint add) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = unchecked(o + add); return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FetchSub32(SimMemory m, ulong addr, uint sub) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = unchecked(o - sub); return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FetchOr32(SimMemory m, ulong addr, uint or) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = o | or; return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint FetchAnd32(SimMemory m, ulong addr, uint and) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = o & and; return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Exchange64(SimMemory m, ulong addr, ulong newval) { ref ulong w = ref m.AtomicRef64(addr); ulong o = w; w = newval; return o; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong FetchAdd64(SimMemory m, ulong addr, ulong add) { ref ulong w = ref m.AtomicRef64(addr); ulong o = w; w = unchecked(o + add); return o; }

    /// <summary>TAS: sets the word to 1, returns its old value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint TestAndSet(SimMemory m, ulong addr) { ref uint w = ref m.AtomicRef32(addr); uint o = w; w = 1; return o; }

    /// <summary>PGSemaphoreLock once the count is positive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SemDecrement(SimMemory m, ulong addr)
    {
        ref uint w = ref m.AtomicRef32(addr);
        Allocator.Common.Pg.Assert(w > 0);
        w--;
    }
}
