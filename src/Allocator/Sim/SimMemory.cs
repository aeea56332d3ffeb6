// SimMemory: a deterministic, simulated 64-bit address space for one simulated process.
//
// Layout (all addresses fixed, so the same calls give the same addresses on every machine):
//   [0, StaticBase)                 unmapped: NULL and its neighbourhood, so p - 8 for p == NULL faults
//   [StaticBase, +StaticSize)       static data: interned C strings (context names), like .rodata
//   [HeapBase, HeapBase + top)      the process heap, grown and trimmed by SimHeap (brk-style)
//   [RegionBase, ...)               further regions (shared memory, DSM segments), MapRegion()
//
// Hot path: every access to the heap is one subtraction, one unsigned compare and one unaligned
// load or store into a managed array (no dictionary, no page table). The array is allocated
// pinned and its address kept in _heapBase, so an access is base + offset with no null or array
// header test; every replacement of the array goes through SetHeapArray, which keeps the two in
// step (invariant SM1: _heapBase is the address of _heap[0]). Anything that misses the
// heap takes the slow path through the (few) extra regions, and an address in none of them
// raises SimFaultException: a fault is an outcome, never a host crash.
//
// Threading: the heap array is replaced when it grows, so the heap belongs to one simulated
// process and is not touched by two threads at once (in PostgreSQL, too, process memory is
// private). Memory shared between backends lives in fixed-size regions whose arrays never move,
// which is what makes AtomicRef32/64 safe for the production sync runtime.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Allocator.Common;

namespace Allocator.Sim;

public sealed unsafe partial class SimMemory
{
    /// <summary>Start of the static-data region (interned strings).</summary>
    public const ulong StaticBase = 0x0040_0000;
    /// <summary>Size of the static-data region.</summary>
    public const ulong StaticSize = 256 * 1024;
    /// <summary>Start of the heap. Far from 0, so small NULL-relative addresses fault.</summary>
    public const ulong HeapBase = 0x1000_0000;
    /// <summary>Where MapRegion places regions that do not ask for an address.</summary>
    public const ulong RegionBase = 0x7000_0000_0000;
    /// <summary>Regions are placed at multiples of this, with an unmapped gap between them.</summary>
    public const ulong RegionAlign = 1UL << 30;
    /// <summary>Default upper bound on the heap's size. A managed array cannot exceed 2 GiB.</summary>
    public const ulong DefaultHeapMax = 1UL << 30;

    private byte[] _heap;
    private byte* _heapBase;         // &_heap[0]; _heap is pinned (SM1)
    private readonly ulong _plannedCapacity;   // the array's size when the heap is first mapped
    private static readonly byte[] EmptyHeap = GC.AllocateArray<byte>(0, pinned: true);
    private ulong _heapTop;          // mapped heap bytes: [HeapBase, HeapBase + _heapTop)
    private ulong _heapTouched;      // highest _heapTop since the last ResetHeap
    private ulong _heapStale;        // bytes [0, _heapStale) may still hold data from before ResetHeap
    private readonly ulong _heapMax;

    private readonly List<SimRegion> _regions = new();   // sorted by Base
    private readonly SimRegion _static;
    private ulong _staticUsed;
    private readonly Dictionary<string, ulong> _interned = new(StringComparer.Ordinal);
    private ulong _nextRegionBase = RegionBase;

    public SimMemory(ulong heapMax = DefaultHeapMax, int initialHeapCapacity = 1 << 20)
    {
        if (heapMax > (ulong)Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(heapMax));
        _heapMax = heapMax;
        // The array is made on the first SetHeapTop: many SimMemory instances (a sync segment's, a
        // backend's, a checker's) never map heap, and a pinned array lives until a gen2 collection.
        _plannedCapacity = Math.Min((ulong)initialHeapCapacity, heapMax);
        _heap = EmptyHeap;
        _heapBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(EmptyHeap));
        _static = new SimRegion("static", StaticBase, new byte[StaticSize]);
        _regions.Add(_static);
        _staticUsed = 16; // keep the first bytes unused so no string lives at the region's base
    }

    /// <summary>End of the mapped heap (exclusive).</summary>
    public ulong HeapEnd => HeapBase + _heapTop;

    /// <summary>Mapped heap bytes.</summary>
    public ulong HeapSize => _heapTop;

    public ulong HeapMax => _heapMax;

    /// <summary>Bytes the heap can reach before its backing array must grow.</summary>
    public ulong HeapCapacity => Math.Max((ulong)_heap.LongLength, _plannedCapacity);

    public IReadOnlyList<SimRegion> Regions => _regions;

    // ------------------------------------------------------------------ heap growth (SimHeap only)

    /// <summary>Moves the heap's end to <paramref name="newTop"/> bytes past HeapBase. Returns false
    /// if that exceeds the heap's maximum. Bytes never mapped before read as zero; bytes trimmed
    /// and mapped again keep what they held (as memory that malloc reuses does). Either way the
    /// contents are a function of the call sequence, so runs stay deterministic, and trimming costs
    /// nothing (clearing 64 KiB at every trim dominated the W3/W4 workloads).</summary>
    public bool SetHeapTop(ulong newTop)
    {
        if (newTop > _heapMax) return false;
        if (newTop > (ulong)_heap.LongLength)
        {
            ulong cap = HeapCapacity;
            while (cap < newTop) cap = Math.Min(Math.Max(cap * 2, 1UL << 16), _heapMax);
            SetHeapArray(cap);
            GrowWriteMaps();
        }
        if (newTop > _heapTouched)
        {
            // First mapping of these bytes since ResetHeap: a fresh process reads zeros there. With
            // write tracking on, only pages written since they were last zeroed are cleared
            // (ZeroStale); without it, every byte an earlier run may have used.
            if (_heapTouched < _heapStale)
            {
                if (_dirty is not null) ZeroStale(_heapTouched, Math.Min(newTop, _heapStale));
                else _heap.AsSpan((int)_heapTouched, (int)(Math.Min(newTop, _heapStale) - _heapTouched)).Clear();
            }
            _heapTouched = newTop;
        }
        _heapTop = newTop;
        return true;
    }

    /// <summary>Replaces the heap's backing array by a pinned one of <paramref name="capacity"/> bytes
    /// holding the old contents, and points _heapBase at it (SM1). The pinned object heap is
    /// collected like the large object heap, where an array of the default 1 MiB lived before.</summary>
    private void SetHeapArray(ulong capacity)
    {
        byte[] next = GC.AllocateArray<byte>((int)capacity, pinned: true);
        _heap.AsSpan(0, (int)Math.Min((ulong)_heap.LongLength, capacity)).CopyTo(next);
        _heap = next;
        _heapBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(next));
    }

    /// <summary>Drops the whole heap (a fresh process). Regions other than the heap stay mapped.
    /// After it the heap reads exactly as in a new SimMemory: every byte reads zero when first
    /// mapped again. The clearing is lazy (SetHeapTop clears stale bytes as it maps them), so a
    /// reset costs nothing and a run pays only for the heap it uses, not for what an earlier run
    /// used.</summary>
    public void ResetHeap()
    {
        FoldIntoDirty();
        if (_heapTouched > _heapStale) _heapStale = _heapTouched;
        _heapTop = 0;
        _heapTouched = 0;
        _allWritten = true;   // a new process: no earlier comparison covers anything
    }

    // ------------------------------------------------------------------ regions

    /// <summary>Maps a new zeroed region of <paramref name="length"/> bytes at the next free slot.</summary>
    public SimRegion MapRegion(string name, ulong length) => MapRegion(name, new byte[length], null);

    /// <summary>Maps <paramref name="backing"/> (possibly shared with another SimMemory) at
    /// <paramref name="at"/>, or at the next free slot if null.</summary>
    public SimRegion MapRegion(string name, byte[] backing, ulong? at)
    {
        ulong @base = at ?? _nextRegionBase;
        ulong length = (ulong)backing.LongLength;
        if (length == 0) throw new ArgumentException("a region must not be empty", nameof(backing));
        if (@base < RegionBase && (@base < HeapBase + _heapMax)) throw new ArgumentException("region overlaps the heap or static data", nameof(at));
        foreach (SimRegion r in _regions)
        {
            if (@base < r.End && r.Base < @base + length)
                throw new ArgumentException($"region {name} at 0x{@base:x} overlaps {r.Name}", nameof(at));
        }
        var region = new SimRegion(name, @base, backing);
        int i = 0;
        while (i < _regions.Count && _regions[i].Base < @base) i++;
        _regions.Insert(i, region);
        ulong end = (@base + length + RegionAlign) & ~(RegionAlign - 1);
        if (end > _nextRegionBase) _nextRegionBase = end;
        return region;
    }

    public void UnmapRegion(SimRegion region)
    {
        if (region == _static || !_regions.Remove(region))
            throw new ArgumentException($"region {region.Name} is not mapped here", nameof(region));
    }

    // ------------------------------------------------------------------ static data

    /// <summary>The address of a NUL-terminated copy of <paramref name="s"/> in static data; the
    /// same string always gets the same address (like a string literal in .rodata).</summary>
    public ulong InternString(string s)
    {
        if (_interned.TryGetValue(s, out ulong addr)) return addr;
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        ulong need = (ulong)bytes.Length + 1;
        if (_staticUsed + need > StaticSize) throw new InvalidOperationException("static data region is full");
        addr = StaticBase + _staticUsed;
        bytes.CopyTo(_static.Backing.AsSpan((int)_staticUsed));
        _static.Backing[_staticUsed + (ulong)bytes.Length] = 0;
        _staticUsed = (_staticUsed + need + 7) & ~7UL;
        _interned.Add(s, addr);
        return addr;
    }

    // ------------------------------------------------------------------ access: hot path

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref byte At(ulong address, ulong length, SimAccess access)
    {
        ulong off = address - HeapBase;
        if (off <= _heapTop && length <= _heapTop - off)
        {
            if (access != SimAccess.Read && _written is not null) MarkWritten(off, length);
            return ref Unsafe.AsRef<byte>(_heapBase + off);
        }
        return ref Slow(address, length, access);
    }

    /// <summary>As At for a read: never marks the bytes written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref byte AtRead(ulong address, ulong length) => ref At(address, length, SimAccess.Read);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ref byte Slow(ulong address, ulong length, SimAccess access)
    {
        foreach (SimRegion r in _regions)
        {
            if (r.Contains(address, length))
                return ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(r.Backing), (nint)(address - r.Base));
        }
        throw new SimFaultException(address, length, access);
    }

    /// <summary>True if every byte of [address, address+length) is mapped.</summary>
    public bool IsMapped(ulong address, ulong length)
    {
        ulong off = address - HeapBase;
        if (off <= _heapTop && length <= _heapTop - off) return true;
        foreach (SimRegion r in _regions)
            if (r.Contains(address, length)) return true;
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte ReadU8(ulong address)
    {
        // One byte: in the heap exactly when its offset is below the top (At's two tests in one).
        ulong off = address - HeapBase;
        return off < _heapTop ? _heapBase[off] : At(address, 1, SimAccess.Read);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort ReadU16(ulong address) => Unsafe.ReadUnaligned<ushort>(ref At(address, 2, SimAccess.Read));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadU32(ulong address) => Unsafe.ReadUnaligned<uint>(ref At(address, 4, SimAccess.Read));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadU64(ulong address) => Unsafe.ReadUnaligned<ulong>(ref At(address, 8, SimAccess.Read));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU8(ulong address, byte value)
    {
        ulong off = address - HeapBase;
        if (off < _heapTop && _written is null) _heapBase[off] = value;
        else At(address, 1, SimAccess.Write) = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU16(ulong address, ushort value) => Unsafe.WriteUnaligned(ref At(address, 2, SimAccess.Write), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU32(ulong address, uint value) => Unsafe.WriteUnaligned(ref At(address, 4, SimAccess.Write), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU64(ulong address, ulong value) => Unsafe.WriteUnaligned(ref At(address, 8, SimAccess.Write), value);

    /// <summary>Hot-path access for allocators: a reference to the byte at HeapBase. Together with
    /// HeapSize it lets a caller bounds-check an address once and then address the heap directly
    /// (what At does per access). Valid only until the heap next grows or shrinks, which any
    /// SimHeap call may do; callers re-read it after every malloc/free/realloc. Write tracking
    /// cannot see what is written through it, so it counts the whole mapped heap as written.</summary>
    public ref byte HeapBaseRef
    {
        get
        {
            if (_written is not null)
            {
                _allWritten = true;
                if (_heapTop > 0) MarkWritten(0, _heapTop);   // and dirty, for ZeroStale
            }
            return ref Unsafe.AsRef<byte>(_heapBase);
        }
    }

    /// <summary>As HeapBaseRef, for callers that report every heap byte they write through it
    /// (NoteHeapWrite), so write tracking stays exact: the AllocSet fast paths.</summary>
    internal ref byte HeapBaseRefReporting => ref Unsafe.AsRef<byte>(_heapBase);

    /// <summary>True while heap write tracking is on: a caller that writes through
    /// HeapBaseRefReporting several times may test this once and then call NoteHeapWrite.</summary>
    internal bool TracksWrites
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _written is not null;
    }

    /// <summary>Reports a write made through HeapBaseRefReporting (a no-op unless tracking is on).
    /// The caller has already checked that the range lies in the mapped heap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void NoteHeapWrite(ulong address, ulong length)
    {
        if (_written is not null && length != 0) MarkWritten(address - HeapBase, length);
    }

    // ------------------------------------------------------------------ access: bulk

    /// <summary>A writable view of [address, address+length). Valid until the heap next grows. The
    /// bytes count as written whatever <paramref name="access"/> says (it only names the access in
    /// a fault), because the caller can write through the span.</summary>
    public Span<byte> Span(ulong address, ulong length, SimAccess access = SimAccess.Write)
    {
        if (length == 0) return System.Span<byte>.Empty;
        if (length > int.MaxValue) throw new SimFaultException(address, length, access);
        ref byte at = ref At(address, length, access);
        if (access == SimAccess.Read) MarkWrittenAt(address, length);
        return MemoryMarshal.CreateSpan(ref at, (int)length);
    }

    public ReadOnlySpan<byte> ReadSpan(ulong address, ulong length)
    {
        if (length == 0) return ReadOnlySpan<byte>.Empty;
        if (length > int.MaxValue) throw new SimFaultException(address, length, SimAccess.Read);
        return MemoryMarshal.CreateReadOnlySpan(ref AtRead(address, length), (int)length);
    }

    /// <summary>memset. A run in the (pinned) heap goes to NativeFill, which hands long ones to the
    /// C library's memset; anything else fills through Span.</summary>
    public void Fill(ulong address, ulong length, byte value)
    {
        Span<byte> span = Span(address, length);
        ulong off = address - HeapBase;
        if (off < _heapTop && length <= _heapTop - off) NativeFill.Fill(_heapBase + off, span.Length, value);
        else span.Fill(value);
    }

    /// <summary>memmove (overlapping ranges are handled).</summary>
    public void Copy(ulong destination, ulong source, ulong length)
    {
        if (length == 0) return;
        ReadOnlySpan<byte> src = ReadSpan(source, length);
        Span<byte> dst = Span(destination, length);
        src.CopyTo(dst);
    }

    public void ReadBytes(ulong address, Span<byte> destination) => ReadSpan(address, (ulong)destination.Length).CopyTo(destination);

    public void WriteBytes(ulong address, ReadOnlySpan<byte> source) => source.CopyTo(Span(address, (ulong)source.Length));

    // ------------------------------------------------------------------ atomics support

    /// <summary>A reference to an aligned 32-bit word in a fixed region (never the heap, whose array
    /// moves when it grows), for the production sync runtime's Interlocked operations.</summary>
    public ref uint AtomicRef32(ulong address)
    {
        if ((address & 3) != 0) throw new SimFaultException(address, 4, SimAccess.Read, $"misaligned 32-bit atomic at 0x{address:x}");
        MarkWrittenAt(address, 4);
        return ref Unsafe.As<byte, uint>(ref At(address, 4, SimAccess.Read));
    }

    /// <summary>As <see cref="AtomicRef32"/>, for an aligned 64-bit word.</summary>
    public ref ulong AtomicRef64(ulong address)
    {
        if ((address & 7) != 0) throw new SimFaultException(address, 8, SimAccess.Read, $"misaligned 64-bit atomic at 0x{address:x}");
        MarkWrittenAt(address, 8);
        return ref Unsafe.As<byte, ulong>(ref At(address, 8, SimAccess.Read));
    }
}
