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
    /// checking build calls its lean copy, any other build the general one.
    /// Returns the chunk's address, or 0 when it declined (palloc never returns NULL, so 0 is free to
    /// mean "take the ordinary path"; a returned value rather than an out parameter keeps the result
    /// in a register of the caller's loop instead of a stack slot).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal ulong TryAllocFast(ulong set, ulong size) =>
        _lean == LeanKind.Plain ? TryAllocLean<PlainBuild>(set, size) : TryAllocFastNotPlain(set, size);

    /// <summary>TryAllocFast for any build: checking, clobbering, randomizing, asserting, canaries.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong TryAllocFastGeneral(ulong set, ulong size)
    {
        var w = new HeapWindow(_mem);
        if (!w.Contains(set, SizeOfAllocSetContext)) return 0;
        ref byte c = ref w.At(set);
        if (HeapWindow.Rd64(ref c, OffMethods) != MethodsAddress) return 0;
        if (_assertChecking && HeapWindow.Rd32(ref c, OffType) - (uint)NodeTag.T_AllocSetContext >= 4u) return 0;
        Unsafe.Add(ref c, (nint)OffIsReset) = 0;
        w.Wrote(set, SizeOfAllocSetContext);   // isReset here, a freelist head below

        if (size > HeapWindow.Rd32(ref c, AsetOffAllocChunkLimit))
        {
            return AllocSetAllocLarge(set, size, 0);
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
                return AllocSetAlloc(set, size, 0);   // faults or asserts exactly where C would
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
            if (_randomize) Mcxt.RandomizeMem(chunk + hdr, size);
            return chunk + hdr;
        }

        ulong block = HeapWindow.Rd64(ref c, AsetOffBlocks);
        if (!w.Contains(block, ALLOC_BLOCKHDRSZ))
        {
            return AllocSetAllocFromHead(set, size, 0, fidx);
        }
        ref byte b = ref w.At(block);
        ulong freeptr = HeapWindow.Rd64(ref b, BlkOffFreeptr);
        if (HeapWindow.Rd64(ref b, BlkOffEndptr) - freeptr < chunkSize + hdr || !w.Contains(freeptr, chunkSize + hdr))
        {
            return AllocSetAllocFromHead(set, size, 0, fidx);
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
        if (_randomize) Mcxt.RandomizeMem(freeptr + hdr, size);
        return freeptr + hdr;
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

        /// <summary>USE_ASSERT_CHECKING on: the fast paths then decline what an Assert would catch.</summary>
        static abstract bool Assert { get; }
    }

    private readonly struct PlainBuild : ILeanBuild
    {
        public static bool Checking => false;
        public static bool Assert => false;
    }

    private readonly struct PlainAssertBuild : ILeanBuild
    {
        public static bool Checking => false;
        public static bool Assert => true;
    }

    private readonly struct CheckingBuild : ILeanBuild
    {
        public static bool Checking => true;
        public static bool Assert => false;
    }

    private readonly struct CheckingAssertBuild : ILeanBuild
    {
        public static bool Checking => true;
        public static bool Assert => true;
    }

    /// <summary>Which lean copy this process's options allow, if any. Plain (PostgreSQL's production
    /// build: no checking, no Assert) is the one inlined into callers; the others are called.</summary>
    private enum LeanKind : byte { None, Plain, PlainAssert, Checking, CheckingAssert }

    private static LeanKind LeanKindFor(MemoryContextOptions o, ulong hdr)
    {
        if (o.RandomizeAllocatedMemory || o.Canary is AllocatorCanary.FreelistIndexOffByOne or AllocatorCanary.SentinelSkipped)
            return LeanKind.None;
        if (!o.MemoryContextChecking && !o.ClobberFreedMemory && hdr == MemoryChunkHdrNoChecking)
            return o.AssertChecking ? LeanKind.PlainAssert : LeanKind.Plain;
        if (o.MemoryContextChecking && o.ClobberFreedMemory && hdr == MemoryChunkHdrChecking)
            return o.AssertChecking ? LeanKind.CheckingAssert : LeanKind.Checking;
        return LeanKind.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ulong TryAllocFastNotPlain(ulong set, ulong size) => _lean switch
    {
        LeanKind.PlainAssert => TryAllocLean<PlainAssertBuild>(set, size),
        LeanKind.Checking => TryAllocLean<CheckingBuild>(set, size),
        LeanKind.CheckingAssert => TryAllocLean<CheckingAssertBuild>(set, size),
        _ => TryAllocFastGeneral(set, size),
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryFreeFastNotPlain(ulong pointer) => _lean switch
    {
        LeanKind.PlainAssert => TryFreeLean<PlainAssertBuild>(pointer),
        LeanKind.Checking => TryFreeLean<CheckingBuild>(pointer),
        LeanKind.CheckingAssert => TryFreeLean<CheckingAssertBuild>(pointer),
        _ => TryFreeFastGeneral(pointer),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TryAllocLean<TBuild>(ulong set, ulong size) where TBuild : struct, ILeanBuild
    {
        ulong hdr = TBuild.Checking ? MemoryChunkHdrChecking : MemoryChunkHdrNoChecking;
        SimMemory mem = _mem;
        ref byte heap = ref mem.HeapBaseRefReporting;
        ulong top = mem.HeapSize;
        if (!HeapWindow.InHeap(set, SizeOfAllocSetContext, top)) return 0;
        ref byte c = ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase));
        if (HeapWindow.Rd64(ref c, OffMethods) != MethodsAddress) return 0;
        if (TBuild.Assert && HeapWindow.Rd32(ref c, OffType) - (uint)NodeTag.T_AllocSetContext >= 4u) return 0;
        Unsafe.Add(ref c, (nint)OffIsReset) = 0;
        if (mem.TracksWrites) mem.NoteHeapWrite(set, SizeOfAllocSetContext);   // isReset here, a freelist head below

        uint allocChunkLimit = HeapWindow.Rd32(ref c, AsetOffAllocChunkLimit);
        if (size > allocChunkLimit)
        {
            return AllocSetAllocLarge(set, size, 0);
        }
        int fidx = AllocSetFreeIndex(size);
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ref byte head = ref Unsafe.Add(ref c, (nint)(AsetOffFreelist + ((ulong)fidx << 3)));
        ulong chunk = Unsafe.ReadUnaligned<ulong>(ref head);
        if (chunk == 0) return TryCarveLean<TBuild>(set, size, fidx);
        if (!HeapWindow.InHeap(chunk, hdr + chunkSize, top)
            || (TBuild.Assert && MemoryChunk.GetValue(HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(chunk - SimMemory.HeapBase)), hdr - 8)) != (ulong)fidx))
        {
            return AllocSetAlloc(set, size, 0);   // faults or asserts where C would
        }
        ref byte ch = ref Unsafe.Add(ref heap, (nint)(chunk - SimMemory.HeapBase));
        Unsafe.WriteUnaligned(ref head, HeapWindow.Rd64(ref ch, hdr));
        if (TBuild.Checking)
        {
            HeapWindow.Wr64(ref ch, 0, size);
            if (size < chunkSize) Unsafe.Add(ref ch, (nint)(hdr + size)) = SentinelByte;
            if (mem.TracksWrites) NoteChunk(mem, chunk, hdr + chunkSize);
        }
        return chunk + hdr;
    }

    /// <summary>The carve half of TryAllocLean (a freelist miss), kept apart so that the pop, the
    /// commonest path, is what callers inline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong TryCarveLean<TBuild>(ulong set, ulong size, int fidx) where TBuild : struct, ILeanBuild
    {
        ulong hdr = TBuild.Checking ? MemoryChunkHdrChecking : MemoryChunkHdrNoChecking;
        SimMemory mem = _mem;
        ref byte heap = ref mem.HeapBaseRefReporting;
        ulong top = mem.HeapSize;
        ulong chunkSize = GetChunkSizeFromFreeListIdx(fidx);
        ulong block = HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase)), AsetOffBlocks);
        if (!HeapWindow.InHeap(block, ALLOC_BLOCKHDRSZ, top))
        {
            return AllocSetAllocFromHead(set, size, 0, fidx);
        }
        ref byte b = ref Unsafe.Add(ref heap, (nint)(block - SimMemory.HeapBase));
        ulong freeptr = HeapWindow.Rd64(ref b, BlkOffFreeptr);
        ulong blockoffset = freeptr - block;
        if (HeapWindow.Rd64(ref b, BlkOffEndptr) - freeptr < chunkSize + hdr || !HeapWindow.InHeap(freeptr, chunkSize + hdr, top)
            || blockoffset > MEMORYCHUNK_MAX_BLOCKOFFSET)
        {
            return AllocSetAllocFromHead(set, size, 0, fidx);   // a new block, or the fault or Assert C would hit
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
        return freeptr + hdr;
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
        // The block lies blockoffset bytes below the chunk, which is in the heap with hdr + 8 >= 16
        // bytes to spare: it is in the heap (with its first 8 bytes) exactly when the offset does not
        // reach below HeapBase, which is one compare instead of InHeap's two.
        ulong blockoffset = MemoryChunk.GetBlockOffset(hdrmask);
        if (blockoffset > chunk - SimMemory.HeapBase) return false;
        ulong block = chunk - blockoffset;
        ulong set = HeapWindow.Rd64(ref Unsafe.Add(ref heap, (nint)(block - SimMemory.HeapBase)), BlkOffAset);
        if (!HeapWindow.InHeap(set, SizeOfAllocSetContext, top)) return false;
        if (TBuild.Assert && HeapWindow.Rd32(ref Unsafe.Add(ref heap, (nint)(set - SimMemory.HeapBase)), OffType) != (uint)NodeTag.T_AllocSetContext)
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
