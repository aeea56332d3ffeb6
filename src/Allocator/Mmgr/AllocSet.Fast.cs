// AllocSet.Fast: the palloc/pfree fast paths of aset.c (AllocSetAlloc's freelist pop and carve from
// the head block, AllocSetFree of a small chunk), written against a HeapWindow: each object touched
// (context header, block header, chunk) is bounds-checked once and then addressed directly, instead
// of once per field. This is what brings the simulated allocator near the C one on W1-W4.
//
// Contract: TryAllocFast/TryFreeFast either do the whole operation, exactly as AllocSetAlloc /
// AllocSetFree would, or return false having changed nothing, and the caller then runs the ordinary
// path, which raises the ERROR, WARNING, assertion failure or fault that applies. Anything unusual
// (an object outside the heap, a bad tag, a double free, a damaged sentinel, a critical section, a
// new block or a dedicated block) takes the ordinary path.
using System.Runtime.CompilerServices;
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.AllocSetConstants;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

/// <summary>A snapshot of the heap mapping (base reference and size) for one allocator operation.
/// It must not be used after any SimHeap call, which may move or resize the heap. Every object a
/// fast path writes through it is reported with Wrote, so SimMemory's write tracking stays exact.</summary>
internal readonly ref struct HeapWindow
{
    private readonly ref byte _base;
    private readonly ulong _top;
    private readonly SimMemory _memory;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HeapWindow(SimMemory memory)
    {
        _base = ref memory.HeapBaseRefReporting;
        _top = memory.HeapSize;
        _memory = memory;
    }

    /// <summary>Reports that [address, address + length) was (or is about to be) written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Wrote(ulong address, ulong length) => _memory.NoteHeapWrite(address, length);

    /// <summary>True if [address, address + length) lies in the mapped heap (SimMemory's own test).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(ulong address, ulong length) => InHeap(address, length, _top);

    /// <summary>True when [address, address + length) lies in a heap of <paramref name="top"/> bytes:
    /// the one bounds test of every fast path, general and lean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InHeap(ulong address, ulong length, ulong top)
    {
        ulong off = address - SimMemory.HeapBase;
        return off <= top && length <= top - off;
    }

    /// <summary>The byte at <paramref name="address"/>; only after Contains said yes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte At(ulong address) => ref Unsafe.Add(ref _base, (nint)(address - SimMemory.HeapBase));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Rd64(ref byte b, ulong off) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, (nint)off));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Rd32(ref byte b, ulong off) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref b, (nint)off));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Wr64(ref byte b, ulong off, ulong value) => Unsafe.WriteUnaligned(ref Unsafe.Add(ref b, (nint)off), value);
}

public sealed partial class AllocSet
{
    /// <summary>palloc / MemoryContextAlloc (flags 0) on an AllocSet, fast path: validates the
    /// context as the entry point does, clears isReset, pops a freelist or carves from the head
    /// block; a request that needs a new or dedicated block runs the ordinary code from there.
    /// A build with none of the checking options takes the lean copy inlined into the caller; the
    /// checking build calls its lean copy, any other build the general one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAllocFast(ulong set, ulong size, out ulong result) =>
        _lean == LeanKind.Plain ? TryAllocLean<PlainBuild>(set, size, out result) : TryAllocFastNotPlain(set, size, out result);

    /// <summary>TryAllocFast for any build: checking, clobbering, randomizing, asserting, canaries.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryAllocFastGeneral(ulong set, ulong size, out ulong result)
    {
        var w = new HeapWindow(_mem);
        result = 0;
        if (!w.Contains(set, SizeOfAllocSetContext)) return false;
        ref byte c = ref w.At(set);
        if (HeapWindow.Rd64(ref c, OffMethods) != MethodsAddress) return false;
        if (_assertChecking && HeapWindow.Rd32(ref c, OffType) - (uint)NodeTag.T_AllocSetContext >= 4u) return false;
        Unsafe.Add(ref c, (nint)OffIsReset) = 0;
        w.Wrote(set, SizeOfAllocSetContext);   // isReset here, a freelist head below

        if (size > HeapWindow.Rd32(ref c, AsetOffAllocChunkLimit))
        {
            result = AllocSetAllocLarge(set, size, 0);
            return true;
        }
        int fidx = AllocSetFreeIndex(size);
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ulong hdr = _hdr;
        ref byte head = ref Unsafe.Add(ref c, (nint)(AsetOffFreelist + ((ulong)fidx << 3)));
        ulong chunk = Unsafe.ReadUnaligned<ulong>(ref head);
        if (chunk != 0)
        {
            if (!w.Contains(chunk, hdr + chunkSize) || (_assertChecking && MemoryChunk.GetValue(HeapWindow.Rd64(ref w.At(chunk), hdr - 8)) != (ulong)fidx))
            {
                result = AllocSetAlloc(set, size, 0);   // faults or asserts exactly where C would
                return true;
            }
            ref byte ch = ref w.At(chunk);
            Unsafe.WriteUnaligned(ref head, HeapWindow.Rd64(ref ch, hdr));
            if (_checking)
            {
                HeapWindow.Wr64(ref ch, 0, size);
                w.Wrote(chunk, 8);
                if (size < chunkSize)
                {
                    Unsafe.Add(ref ch, (nint)(hdr + size)) = SentinelByte;
                    w.Wrote(chunk + hdr + size, 1);
                }
            }
            result = chunk + hdr;
            if (_randomize) Mcxt.RandomizeMem(result, size);
            return true;
        }

        ulong block = HeapWindow.Rd64(ref c, AsetOffBlocks);
        if (!w.Contains(block, ALLOC_BLOCKHDRSZ))
        {
            result = AllocSetAllocFromHead(set, size, 0, fidx);
            return true;
        }
        ref byte b = ref w.At(block);
        ulong freeptr = HeapWindow.Rd64(ref b, BlkOffFreeptr);
        if (HeapWindow.Rd64(ref b, BlkOffEndptr) - freeptr < chunkSize + hdr || !w.Contains(freeptr, chunkSize + hdr))
        {
            result = AllocSetAllocFromHead(set, size, 0, fidx);
            return true;
        }
        HeapWindow.Wr64(ref b, BlkOffFreeptr, freeptr + chunkSize + hdr);
        w.Wrote(block + BlkOffFreeptr, 8);
        w.Wrote(freeptr, hdr);   // the chunk header (and requested size) below
        ulong blockoffset = freeptr - block;
        Pg.Assert(blockoffset <= MEMORYCHUNK_MAX_BLOCKOFFSET);
        ref byte nc = ref w.At(freeptr);
        HeapWindow.Wr64(ref nc, hdr - 8, (blockoffset << MEMORYCHUNK_BLOCKOFFSET_BASEBIT) | ((ulong)fidx << MEMORYCHUNK_VALUE_BASEBIT) | AsetId);
        if (_checking)
        {
            HeapWindow.Wr64(ref nc, 0, size);
            if (size < chunkSize && _canary != AllocatorCanary.SentinelSkipped)
            {
                Unsafe.Add(ref nc, (nint)(hdr + size)) = SentinelByte;
                w.Wrote(freeptr + hdr + size, 1);
            }
        }
        result = freeptr + hdr;
        if (_randomize) Mcxt.RandomizeMem(result, size);
        return true;
    }

    /// <summary>pfree of a small AllocSet chunk, fast path: everything AllocSetFree does when the
    /// chunk is sane; false (nothing changed) for anything else. Lean copies as for TryAllocFast.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryFreeFast(ulong pointer) => _lean == LeanKind.Plain ? TryFreeLean<PlainBuild>(pointer) : TryFreeFastNotPlain(pointer);

    /// <summary>TryFreeFast for any build.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryFreeFastGeneral(ulong pointer)
    {
        var w = new HeapWindow(_mem);
        ulong hdr = _hdr;
        ulong chunk = pointer - hdr;
        if ((pointer & (MAXIMUM_ALIGNOF - 1)) != 0 || !w.Contains(chunk, hdr + 8)) return false;
        ref byte ch = ref w.At(chunk);
        ulong hdrmask = HeapWindow.Rd64(ref ch, hdr - 8);
        // Method id AllocSet and the external bit clear, in one test.
        if ((hdrmask & ((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1)) != AsetId) return false;
        ulong block = MemoryChunk.GetBlock(chunk, hdrmask);
        if (!w.Contains(block, 8)) return false;
        ulong set = HeapWindow.Rd64(ref w.At(block), BlkOffAset);
        if (!w.Contains(set, SizeOfAllocSetContext)) return false;
        ref byte s = ref w.At(set);
        if (_assertChecking && HeapWindow.Rd32(ref s, OffType) != (uint)NodeTag.T_AllocSetContext) return false;
        ulong fidx = MemoryChunk.GetValue(hdrmask);
        if (fidx >= ALLOCSET_NUM_FREELISTS) return false;
        ulong chunkSize = GetChunkSizeFromFreeListIdx((int)fidx);
        if (_checking | _clobber)
        {
            if (!w.Contains(chunk, hdr + chunkSize)) return false;
            if (_checking)
            {
                ulong requested = HeapWindow.Rd64(ref ch, 0);
                if (requested == InvalidAllocSize) return false;   // double pfree: the ordinary path raises it
                if (requested < chunkSize && Unsafe.Add(ref ch, (nint)(hdr + requested)) != SentinelByte) return false;
            }
            if (_clobber) Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref ch, (nint)hdr), ClobberByte, (uint)chunkSize);
        }
        if (_canary == AllocatorCanary.FreelistIndexOffByOne && fidx + 1 < ALLOCSET_NUM_FREELISTS) fidx++;
        w.Wrote(chunk, _clobber ? hdr + chunkSize : hdr + 8);   // clobbered above; requested size and freelist link below
        w.Wrote(set + AsetOffFreelist + (fidx << 3), 8);
        ref byte head = ref Unsafe.Add(ref s, (nint)(AsetOffFreelist + (fidx << 3)));
        HeapWindow.Wr64(ref ch, hdr, Unsafe.ReadUnaligned<ulong>(ref head));
        Unsafe.WriteUnaligned(ref head, chunk);
        if (_checking) HeapWindow.Wr64(ref ch, 0, InvalidAllocSize);
        return true;
    }

    // ------------------------------------------------------------------ the lean copies
    //
    // The general fast paths test five build options per call and carry their extra work; inlined
    // into palloc/pfree they made the callers too large for the JIT to inline the free path or keep
    // its values in registers. The lean copies are the same operations compiled for one of the two
    // builds PostgreSQL ships and is benchmarked in: every option off (ALLOC_CHUNKHDRSZ 8), or
    // MEMORY_CONTEXT_CHECKING with CLOBBER_FREED_MEMORY (ALLOC_CHUNKHDRSZ 16, requested size,
    // sentinel, clobbering), each with or without Assert, and without randomizing or a fast-path
    // canary. Those are the builds every engine runs, so the lean copies are what the harness tests;
    // the general copies serve the rest (RANDOMIZE_ALLOCATED_MEMORY, checking without clobbering,
    // the canaries planted in these paths). The build is a struct type argument, so each copy is
    // specialised and the other build's branches vanish. Each test is the one the general copy
    // makes; AllocSetLeanPathTests runs lean and general copies on the same streams and compares
    // the heaps byte for byte.

    /// <summary>The build a lean copy is compiled for.</summary>
    private interface ILeanBuild
    {
        /// <summary>MEMORY_CONTEXT_CHECKING and CLOBBER_FREED_MEMORY on (else every option off).</summary>
        static abstract bool Checking { get; }
    }

    private readonly struct PlainBuild : ILeanBuild
    {
        public static bool Checking => false;
    }

    private readonly struct CheckingBuild : ILeanBuild
    {
        public static bool Checking => true;
    }

    /// <summary>Which lean copy this process's options allow, if any.</summary>
    private enum LeanKind : byte { None, Plain, Checking }

    private static LeanKind LeanKindFor(MemoryContextOptions o, ulong hdr)
    {
        if (o.RandomizeAllocatedMemory || o.Canary is AllocatorCanary.FreelistIndexOffByOne or AllocatorCanary.SentinelSkipped)
            return LeanKind.None;
        if (!o.MemoryContextChecking && !o.ClobberFreedMemory && hdr == MemoryChunkHdrNoChecking) return LeanKind.Plain;
        if (o.MemoryContextChecking && o.ClobberFreedMemory && hdr == MemoryChunkHdrChecking) return LeanKind.Checking;
        return LeanKind.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryAllocFastNotPlain(ulong set, ulong size, out ulong result) =>
        _lean == LeanKind.Checking ? TryAllocLean<CheckingBuild>(set, size, out result) : TryAllocFastGeneral(set, size, out result);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryFreeFastNotPlain(ulong pointer) =>
        _lean == LeanKind.Checking ? TryFreeLean<CheckingBuild>(pointer) : TryFreeFastGeneral(pointer);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryAllocLean<TBuild>(ulong set, ulong size, out ulong result) where TBuild : struct, ILeanBuild
    {
        ulong hdr = TBuild.Checking ? MemoryChunkHdrChecking : MemoryChunkHdrNoChecking;
        SimMemory mem = _mem;
        ref byte heap = ref mem.HeapBaseRefReporting;
        ulong top = mem.HeapSize;
        result = 0;
        if (!HeapWindow.InHeap(set, SizeOfAllocSetContext, top)) return false;
        ref byte c = ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase));
        if (HeapWindow.Rd64(ref c, OffMethods) != MethodsAddress) return false;
        if (_assertChecking && HeapWindow.Rd32(ref c, OffType) - (uint)NodeTag.T_AllocSetContext >= 4u) return false;
        Unsafe.Add(ref c, (nint)OffIsReset) = 0;
        if (mem.TracksWrites) mem.NoteHeapWrite(set, SizeOfAllocSetContext);   // isReset here, a freelist head below

        uint allocChunkLimit = HeapWindow.Rd32(ref c, AsetOffAllocChunkLimit);
        if (size > allocChunkLimit)
        {
            result = AllocSetAllocLarge(set, size, 0);
            return true;
        }
        int fidx = AllocSetFreeIndex(size);
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ref byte head = ref Unsafe.Add(ref c, (nint)(AsetOffFreelist + ((ulong)fidx << 3)));
        ulong chunk = Unsafe.ReadUnaligned<ulong>(ref head);
        if (chunk == 0) return TryCarveLean<TBuild>(set, size, fidx, out result);
        if (!HeapWindow.InHeap(chunk, hdr + chunkSize, top)
            || (_assertChecking && MemoryChunk.GetValue(HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(chunk - SimMemory.HeapBase)), hdr - 8)) != (ulong)fidx))
        {
            result = AllocSetAlloc(set, size, 0);   // faults or asserts where C would
            return true;
        }
        ref byte ch = ref Unsafe.Add(ref heap, (nint)(chunk - SimMemory.HeapBase));
        Unsafe.WriteUnaligned(ref head, HeapWindow.Rd64(ref ch, hdr));
        if (TBuild.Checking)
        {
            HeapWindow.Wr64(ref ch, 0, size);
            if (size < chunkSize) Unsafe.Add(ref ch, (nint)(hdr + size)) = SentinelByte;
            if (mem.TracksWrites) NoteChunk(mem, chunk, hdr + chunkSize);
        }
        result = chunk + hdr;
        return true;
    }

    /// <summary>The carve half of TryAllocLean (a freelist miss), kept apart so that the pop, the
    /// commonest path, is what callers inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryCarveLean<TBuild>(ulong set, ulong size, int fidx, out ulong result) where TBuild : struct, ILeanBuild
    {
        ulong hdr = TBuild.Checking ? MemoryChunkHdrChecking : MemoryChunkHdrNoChecking;
        SimMemory mem = _mem;
        ref byte heap = ref mem.HeapBaseRefReporting;
        ulong top = mem.HeapSize;
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ulong block = HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase)), AsetOffBlocks);
        if (!HeapWindow.InHeap(block, ALLOC_BLOCKHDRSZ, top))
        {
            result = AllocSetAllocFromHead(set, size, 0, fidx);
            return true;
        }
        ref byte b = ref Unsafe.Add(ref heap, (nint)(block - SimMemory.HeapBase));
        ulong freeptr = HeapWindow.Rd64(ref b, BlkOffFreeptr);
        ulong blockoffset = freeptr - block;
        if (HeapWindow.Rd64(ref b, BlkOffEndptr) - freeptr < chunkSize + hdr || !HeapWindow.InHeap(freeptr, chunkSize + hdr, top)
            || blockoffset > MEMORYCHUNK_MAX_BLOCKOFFSET)
        {
            result = AllocSetAllocFromHead(set, size, 0, fidx);   // a new block, or the fault or Assert C would hit
            return true;
        }
        HeapWindow.Wr64(ref b, BlkOffFreeptr, freeptr + chunkSize + hdr);
        ref byte nc = ref Unsafe.Add(ref heap, (nint)(freeptr - SimMemory.HeapBase));
        HeapWindow.Wr64(ref nc, hdr - 8, (blockoffset << MEMORYCHUNK_BLOCKOFFSET_BASEBIT) | ((ulong)fidx << MEMORYCHUNK_VALUE_BASEBIT) | AsetId);
        if (TBuild.Checking)
        {
            HeapWindow.Wr64(ref nc, 0, size);
            if (size < chunkSize) Unsafe.Add(ref nc, (nint)(hdr + size)) = SentinelByte;
        }
        if (mem.TracksWrites) NoteCarve(mem, block, freeptr, TBuild.Checking ? hdr + chunkSize : hdr);
        result = freeptr + hdr;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFreeLean<TBuild>(ulong pointer) where TBuild : struct, ILeanBuild
    {
        ulong hdr = TBuild.Checking ? MemoryChunkHdrChecking : MemoryChunkHdrNoChecking;
        SimMemory mem = _mem;
        ref byte heap = ref mem.HeapBaseRefReporting;
        ulong top = mem.HeapSize;
        ulong chunk = pointer - hdr;
        if ((pointer & (MAXIMUM_ALIGNOF - 1)) != 0 || !HeapWindow.InHeap(chunk, hdr + 8, top)) return false;
        ref byte ch = ref Unsafe.Add(ref heap, (nint)(chunk - SimMemory.HeapBase));
        ulong hdrmask = HeapWindow.Rd64(ref ch, hdr - 8);
        // Method id AllocSet and the external bit clear, in one test.
        if ((hdrmask & ((1UL << MEMORYCHUNK_VALUE_BASEBIT) - 1)) != AsetId) return false;
        ulong block = MemoryChunk.GetBlock(chunk, hdrmask);
        if (!HeapWindow.InHeap(block, 8, top)) return false;
        ulong set = HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(block - SimMemory.HeapBase)), BlkOffAset);
        if (!HeapWindow.InHeap(set, SizeOfAllocSetContext, top)) return false;
        if (_assertChecking && HeapWindow.Rd32(ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase)), OffType) != (uint)NodeTag.T_AllocSetContext)
            return false;
        ulong fidx = MemoryChunk.GetValue(hdrmask);
        if (fidx >= ALLOCSET_NUM_FREELISTS) return false;
        ulong chunkSize = GetChunkSizeFromFreeListIdx((int)fidx);
        if (TBuild.Checking)
        {
            if (!HeapWindow.InHeap(chunk, hdr + chunkSize, top)) return false;
            ulong requested = HeapWindow.Rd64(ref ch, 0);
            if (requested == InvalidAllocSize) return false;   // double pfree: the ordinary path raises it
            if (requested < chunkSize && Unsafe.Add(ref ch, (nint)(hdr + requested)) != SentinelByte) return false;
            Unsafe.InitBlockUnaligned(ref Unsafe.Add(ref ch, (nint)hdr), ClobberByte, (uint)chunkSize);
        }
        ulong headAddr = set + AsetOffFreelist + (fidx << 3);
        ref byte head = ref Unsafe.Add(ref heap, (nint)(headAddr - SimMemory.HeapBase));
        HeapWindow.Wr64(ref ch, hdr, Unsafe.ReadUnaligned<ulong>(ref head));
        Unsafe.WriteUnaligned(ref head, chunk);
        if (TBuild.Checking) HeapWindow.Wr64(ref ch, 0, InvalidAllocSize);
        if (mem.TracksWrites) NoteFree(mem, chunk, TBuild.Checking ? hdr + chunkSize : hdr + 8, headAddr);
        return true;
    }

    // The write reports of the lean copies, out of line: they run only while a harness tracks heap
    // writes, and keeping them out keeps the inlined paths small.

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoteChunk(SimMemory mem, ulong chunk, ulong length) => mem.NoteHeapWrite(chunk, length);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoteCarve(SimMemory mem, ulong block, ulong chunk, ulong chunkBytes)
    {
        mem.NoteHeapWrite(block + BlkOffFreeptr, 8);
        mem.NoteHeapWrite(chunk, chunkBytes);   // the header (and requested size and sentinel)
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void NoteFree(SimMemory mem, ulong chunk, ulong chunkBytes, ulong headAddr)
    {
        mem.NoteHeapWrite(chunk, chunkBytes);   // the header, the freelist link (and the clobbered data)
        mem.NoteHeapWrite(headAddr, 8);
    }
}
