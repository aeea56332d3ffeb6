// Mcxt.Api: the allocation entry points of mcxt.c and palloc.h: palloc, palloc0, palloc_extended,
// MemoryContextAlloc/AllocZero/AllocExtended/AllocHuge, pfree, repalloc, repalloc_extended,
// repalloc_huge, repalloc0, GetMemoryChunkContext, GetMemoryChunkSpace, the overflow-checked size
// helpers (add_size, mul_size, palloc_mul and friends) and the string helpers (pstrdup, pnstrdup, pchomp).
//
// Dispatch (pg-mmgr-dsa.md 1.2): pfree/repalloc/GetMemoryChunk* read the 8-byte word before the
// pointer and index the 16-entry method table by its low 4 bits; a reserved or unused id raises
// "<op> called with invalid pointer <ptr> (header 0x...)". pfree(NULL) reads address -8, which is
// unmapped, so it faults exactly as the C code would.
//
// Speed: palloc, MemoryContextAlloc and pfree first try AllocSet's fast paths (AllocSet.Fast.cs), which
// either do the whole operation or change nothing; then the AllocSet case is tested and called
// non-virtually; every other type goes through its method table.
//
// Divergence from an assert-enabled PostgreSQL build, on purpose: repalloc's Assert(!isReset) needs
// the owning context, which C finds with GetMemoryChunkContext *before* dispatching, so a bogus
// pointer would report "GetMemoryChunkContext called with invalid pointer". Here the assertion is
// made after the method id is known to be valid, so a bogus pointer reports "repalloc called with
// invalid pointer" as the spec's table (and a non-assert build) says. Bump chunks, whose
// GetMemoryChunkContext is itself an ERROR, skip that assertion.
#pragma warning disable CA1707
using System.Runtime.CompilerServices;
using System.Text;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    /// <summary>MemoryContextData.methods of an AllocSet context.</summary>
    private const ulong AsetMethodsAddress = SimMemory.StaticBase + (ulong)MemoryContextMethodID.MCTX_ASET_ID;

    // ------------------------------------------------------------------ assertions shared by the entry points

    /// <summary>Assert(MemoryContextIsValid(context)) and AssertNotInCriticalSection(context). A NULL
    /// context is an assertion failure; a wild one faults on the tag read, as in C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AssertAllocContext(ulong context)
    {
        if (Options.AssertChecking)
            Pg.Assert(context != 0 && Memory.ReadU32(context + OffType) - (uint)NodeTag.T_AllocSetContext < 4u, "MemoryContextIsValid(context)");
        if (CritSectionCount != 0)
            Pg.Assert(GetAllowInCritSection(context), "CritSectionCount == 0 || (context)->allowInCritSection");
    }

    /// <summary>The type's alloc, non-virtually for AllocSet.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TypeAlloc(ulong context, ulong size, int flags)
    {
        if (Memory.ReadU64(context + OffMethods) == AsetMethodsAddress)
            return _aset.AllocSetAlloc(context, size, flags);
        return MethodsOf(context).Alloc(context, size, flags);
    }

    // ------------------------------------------------------------------ palloc family

    /// <summary>palloc(size): allocate in CurrentMemoryContext; never returns NULL.</summary>
    public ulong palloc(ulong size)
    {
        ulong context = CurrentMemoryContext;
        if (CritSectionCount == 0)
        {
            ulong fast = _aset.TryAllocFast(context, size);
            if (fast != 0) return fast;
        }
        return PallocSlow(context, size);
    }

    /// <summary>palloc when the AllocSet fast path declined: kept out of line so that callers inline
    /// only the fast path (inlined, this part made every caller's loop too large to optimise).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong PallocSlow(ulong context, ulong size)
    {
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        ulong ret = TypeAlloc(context, size, 0);
        Pg.Assert(ret != 0);
        return ret;
    }

    /// <summary>palloc0(size): palloc, then zero the requested bytes.</summary>
    public ulong palloc0(ulong size)
    {
        ulong context = CurrentMemoryContext;
        ulong ret = CritSectionCount == 0 ? _aset.TryAllocFast(context, size) : 0;
        if (ret != 0)
        {
            Memory.Fill(ret, size, 0);
            return ret;
        }
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        ret = TypeAlloc(context, size, 0);
        Pg.Assert(ret != 0);
        Memory.Fill(ret, size, 0);
        return ret;
    }

    /// <summary>palloc_extended(size, flags): no up-front size check; NULL only with NO_OOM.</summary>
    public ulong palloc_extended(ulong size, int flags)
    {
        ulong context = CurrentMemoryContext;
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        ulong ret = TypeAlloc(context, size, flags);
        if (ret == 0)
        {
            Pg.Assert((flags & MCXT_ALLOC_NO_OOM) != 0);
            return 0;
        }
        if ((flags & MCXT_ALLOC_ZERO) != 0) Memory.Fill(ret, size, 0);
        return ret;
    }

    /// <summary>MemoryContextAlloc(context, size).</summary>
    public ulong MemoryContextAlloc(ulong context, ulong size)
    {
        if (CritSectionCount == 0)
        {
            ulong fast = _aset.TryAllocFast(context, size);
            if (fast != 0) return fast;
        }
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        return TypeAlloc(context, size, 0);
    }

    /// <summary>MemoryContextAllocZero(context, size).</summary>
    public ulong MemoryContextAllocZero(ulong context, ulong size)
    {
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        ulong ret = TypeAlloc(context, size, 0);
        Memory.Fill(ret, size, 0);
        return ret;
    }

    /// <summary>MemoryContextAllocExtended: checks the size up front (before isReset is cleared).</summary>
    public ulong MemoryContextAllocExtended(ulong context, ulong size, int flags)
    {
        AssertAllocContext(context);
        if (!((flags & MCXT_ALLOC_HUGE) != 0 ? AllocHugeSizeIsValid(size) : AllocSizeIsValid(size)))
            throw new PgErrorException($"invalid memory alloc request size {size}");
        Memory.WriteU8(context + OffIsReset, 0);
        ulong ret = TypeAlloc(context, size, flags);
        if (ret == 0) return 0;
        if ((flags & MCXT_ALLOC_ZERO) != 0) Memory.Fill(ret, size, 0);
        return ret;
    }

    /// <summary>MemoryContextAllocHuge: alloc with MCXT_ALLOC_HUGE and no up-front check.</summary>
    public ulong MemoryContextAllocHuge(ulong context, ulong size)
    {
        AssertAllocContext(context);
        Memory.WriteU8(context + OffIsReset, 0);
        return TypeAlloc(context, size, MCXT_ALLOC_HUGE);
    }

    // ------------------------------------------------------------------ pfree, repalloc, chunk queries

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AssertMaxAligned(ulong pointer)
    {
        if (Options.AssertChecking) Pg.Assert(pointer == MAXALIGN(pointer), "pointer == MAXALIGN(pointer)");
    }

    /// <summary>The ERROR a reserved or unused method id raises (BogusFree and friends).</summary>
    private static PgErrorException BogusPointer(string op, ulong pointer, ulong header) =>
        new($"{op} called with invalid pointer {Ptr(pointer)} (header {MemoryChunk.FormatHeader(header)})");

    /// <summary>pfree(pointer): dispatch on the chunk header's method id.</summary>
    public void pfree(ulong pointer)
    {
        if (!_aset.TryFreeFast(pointer)) PfreeSlow(pointer);
    }

    /// <summary>pfree when the AllocSet fast path declined (out of line, as PallocSlow).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PfreeSlow(ulong pointer)
    {
        AssertMaxAligned(pointer);
        ulong hdrmask = Memory.ReadU64(pointer - 8);
        if ((hdrmask & MEMORY_CONTEXT_METHODID_MASK) == (ulong)MemoryContextMethodID.MCTX_ASET_ID)
        {
            _aset.AllocSetFree(pointer, hdrmask);
            return;
        }
        PfreeOther(pointer, hdrmask);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PfreeOther(ulong pointer, ulong hdrmask)
    {
        MemoryContextMethods methods = Methods[hdrmask & MEMORY_CONTEXT_METHODID_MASK] ?? throw BogusPointer("pfree", pointer, hdrmask);
        methods.Free(pointer);
    }

    /// <summary>repalloc(pointer, size): flags 0, never NULL.</summary>
    public ulong repalloc(ulong pointer, ulong size) => ReallocDispatch(pointer, size, 0);

    /// <summary>repalloc_extended(pointer, size, flags): NULL only with NO_OOM.</summary>
    public ulong repalloc_extended(ulong pointer, ulong size, int flags) => ReallocDispatch(pointer, size, flags);

    /// <summary>repalloc_huge: repalloc_extended with MCXT_ALLOC_HUGE.</summary>
    public ulong repalloc_huge(ulong pointer, ulong size) => ReallocDispatch(pointer, size, MCXT_ALLOC_HUGE);

    /// <summary>repalloc0: repalloc, then zero bytes [oldsize, size).</summary>
    public ulong repalloc0(ulong pointer, ulong oldsize, ulong size)
    {
        if (oldsize > size)
            throw new PgErrorException($"invalid repalloc0 call: oldsize {oldsize}, new size {size}");
        ulong ret = repalloc(pointer, size);
        Memory.Fill(ret + oldsize, size - oldsize, 0);
        return ret;
    }

    private ulong ReallocDispatch(ulong pointer, ulong size, int flags)
    {
        AssertMaxAligned(pointer);
        ulong hdrmask = Memory.ReadU64(pointer - 8);
        ulong id = hdrmask & MEMORY_CONTEXT_METHODID_MASK;
        if (id == (ulong)MemoryContextMethodID.MCTX_ASET_ID)
            return _aset.AllocSetRealloc(pointer, hdrmask, size, flags);   // makes the owner assertions itself
        MemoryContextMethods? methods = Methods[id];
        if (Options.AssertChecking)
        {
            // Assert builds of repalloc look up the owner first (GetMemoryChunkContext, to assert it
            // is not reset), so that lookup's ERRORs win: a bogus pointer reports
            // "GetMemoryChunkContext called with invalid pointer", a Bump chunk "GetMemoryChunkContext
            // is not supported by the bump memory allocator".
            if (methods is null) throw BogusPointer("GetMemoryChunkContext", pointer, hdrmask);
            AssertReallocOwner(methods.GetChunkContext(pointer));
        }
        if (methods is null) throw BogusPointer("repalloc", pointer, hdrmask);
        return methods.Realloc(pointer, size, flags);
    }

    /// <summary>repalloc's assertions on the chunk's owner: not in a critical section unless allowed,
    /// and not reset (a chunk of a reset context is stale).</summary>
    internal void AssertReallocOwner(ulong context)
    {
        if (CritSectionCount != 0) Pg.Assert(GetAllowInCritSection(context), "CritSectionCount == 0 || (context)->allowInCritSection");
        Pg.Assert(!GetIsReset(context), "!context->isReset");
    }

    /// <summary>GetMemoryChunkContext(pointer): the context owning a live chunk.</summary>
    public ulong GetMemoryChunkContext(ulong pointer)
    {
        AssertMaxAligned(pointer);
        ulong hdrmask = Memory.ReadU64(pointer - 8);
        MemoryContextMethods methods = Methods[hdrmask & MEMORY_CONTEXT_METHODID_MASK] ?? throw BogusPointer("GetMemoryChunkContext", pointer, hdrmask);
        return methods.GetChunkContext(pointer);
    }

    /// <summary>GetMemoryChunkSpace(pointer): chunk header plus rounded size (no block overhead).</summary>
    public ulong GetMemoryChunkSpace(ulong pointer)
    {
        AssertMaxAligned(pointer);
        ulong hdrmask = Memory.ReadU64(pointer - 8);
        MemoryContextMethods methods = Methods[hdrmask & MEMORY_CONTEXT_METHODID_MASK] ?? throw BogusPointer("GetMemoryChunkSpace", pointer, hdrmask);
        return methods.GetChunkSpace(pointer);
    }

    // ------------------------------------------------------------------ overflow-checked sizes

    /// <summary>add_size: s1 + s2, or ERROR on overflow.</summary>
    public static ulong add_size(ulong s1, ulong s2)
    {
        ulong result = unchecked(s1 + s2);
        if (result < s1) throw new PgErrorException($"invalid memory allocation request size {s1} + {s2}");
        return result;
    }

    /// <summary>mul_size: s1 * s2, or ERROR on overflow.</summary>
    public static ulong mul_size(ulong s1, ulong s2)
    {
        ulong hi = Math.BigMul(s1, s2, out ulong low);
        if (hi != 0) throw new PgErrorException($"invalid memory allocation request size {s1} * {s2}");
        return low;
    }

    public ulong palloc_mul(ulong s1, ulong s2) => palloc(mul_size(s1, s2));
    public ulong palloc0_mul(ulong s1, ulong s2) => palloc0(mul_size(s1, s2));
    public ulong palloc_mul_extended(ulong s1, ulong s2, int flags) => palloc_extended(mul_size(s1, s2), flags);
    public ulong repalloc_mul(ulong p, ulong s1, ulong s2) => repalloc(p, mul_size(s1, s2));
    public ulong repalloc_mul_extended(ulong p, ulong s1, ulong s2, int flags) => repalloc_extended(p, mul_size(s1, s2), flags);

    // ------------------------------------------------------------------ strings

    /// <summary>MemoryContextStrdup(context, s): a NUL-terminated UTF-8 copy of s in context.</summary>
    public ulong MemoryContextStrdup(ulong context, string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        ulong len = (ulong)bytes.Length + 1;
        ulong nstr = MemoryContextAlloc(context, len);
        Memory.WriteBytes(nstr, bytes);
        Memory.WriteU8(nstr + len - 1, 0);
        return nstr;
    }

    /// <summary>pstrdup(s): MemoryContextStrdup in CurrentMemoryContext.</summary>
    public ulong pstrdup(string s) => MemoryContextStrdup(CurrentMemoryContext, s);

    /// <summary>pnstrdup(src, n): copies strnlen(src, n) bytes from simulated memory and adds a NUL.</summary>
    public ulong pnstrdup(ulong src, ulong n)
    {
        ulong len = 0;
        while (len < n && Memory.ReadU8(src + len) != 0) len++;
        ulong output = palloc(len + 1);
        Memory.Copy(output, src, len);
        Memory.WriteU8(output + len, 0);
        return output;
    }

    /// <summary>pchomp(src): a copy of the C string at src without its trailing newlines.</summary>
    public ulong pchomp(ulong src)
    {
        ulong n = 0;
        while (Memory.ReadU8(src + n) != 0) n++;
        while (n > 0 && Memory.ReadU8(src + n - 1) == (byte)'\n') n--;
        return pnstrdup(src, n);
    }
}
