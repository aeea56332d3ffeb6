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
    public bool Contains(ulong address, ulong length)
    {
        ulong off = address - SimMemory.HeapBase;
        return off <= _top && length <= _top - off;
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
    /// block; a request that needs a new or dedicated block runs the ordinary code from there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAllocFast(ulong set, ulong size, out ulong result)
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
    /// chunk is sane; false (nothing changed) for anything else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryFreeFast(ulong pointer)
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
}
