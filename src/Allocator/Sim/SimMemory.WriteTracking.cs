// SimMemory.WriteTracking: which heap bytes may have changed, in epochs, so that a checker that
// compared memory against a model at the start of the last epoch can skip bytes nobody could have
// written since (the fuzz oracle's per-operation content comparison, which otherwise rescans every
// live chunk after every operation).
//
// Soundness: every way to change a heap byte marks it. Writes through WriteU8..U64 (At with a write
// access) mark their page, Span() marks its whole range (the caller may write through it, whatever
// access it names), lazy zeroing in SetHeapTop marks what it clears, and the two raw accesses mark
// everything: HeapBaseRef (the allocator fast paths address the heap directly) and a heap
// AtomicRef. ResetHeap marks everything too. Only ReadSpan and the ReadU* accessors do not mark.
// Marks are kept per page of 2^WritePageShift bytes, so a page counts as written if any byte of it
// was. Off unless TrackHeapWrites() was called: the allocator's own hot paths then pay one null test.
//
// Epochs: BeginWriteEpoch() ends the current epoch and starts a new one. WrittenInLastEpoch asks
// about the epoch that just ended, so a checker that calls BeginWriteEpoch before it compares also
// sees, next time, whatever its own comparison (or the port code it calls while comparing) wrote.
using System.Runtime.CompilerServices;

namespace Allocator.Sim;

public sealed partial class SimMemory
{
    /// <summary>log2 of the write-tracking page size (256 bytes).</summary>
    public const int WritePageShift = 8;

    private ulong[]? _written;          // current epoch: bit p set = heap page p may have been written
    private ulong[]? _writtenLast;      // the epoch that ended at the last BeginWriteEpoch
    private bool _allWritten;           // current epoch: any heap byte may have been written
    private bool _allWrittenLast;
    private int _markLo = int.MaxValue; // current epoch: words [_markLo, _markHi] hold every set bit
    private int _markHi = -1;
    private int _markLoLast = int.MaxValue, _markHiLast = -1;

    /// <summary>Epochs begun since tracking started (0: none).</summary>
    public long WriteEpoch { get; private set; }

    /// <summary>Starts tracking heap writes; the epoch in progress counts everything as written.</summary>
    public void TrackHeapWrites()
    {
        if (_written is not null) return;
        int words = WordsFor((ulong)_heap.LongLength);
        _written = new ulong[words];
        _writtenLast = new ulong[words];
        _allWritten = true;
    }

    /// <summary>Ends the current epoch and starts the next (see the file comment).</summary>
    public void BeginWriteEpoch()
    {
        if (_written is null || _writtenLast is null) throw new InvalidOperationException("heap write tracking is off");
        (_written, _writtenLast) = (_writtenLast, _written);
        if (_markHiLast >= _markLoLast) Array.Clear(_written, _markLoLast, _markHiLast - _markLoLast + 1);
        (_markLoLast, _markHiLast) = (_markLo, _markHi);
        (_markLo, _markHi) = (int.MaxValue, -1);
        _allWrittenLast = _allWritten;
        _allWritten = false;
        WriteEpoch++;
    }

    /// <summary>False only if no byte of [address, address+length) can have changed during the epoch
    /// that ended at the last BeginWriteEpoch: the range lies in the mapped heap and none of its
    /// pages was marked. Conservative (true) when tracking is off or nothing is known.</summary>
    public bool WrittenInLastEpoch(ulong address, ulong length)
    {
        if (_writtenLast is null || _allWrittenLast || WriteEpoch == 0) return true;
        if (length == 0) return false;
        ulong off = address - HeapBase;
        if (off > _heapTop || length > _heapTop - off) return true;
        ulong first = off >> WritePageShift, last = (off + length - 1) >> WritePageShift;
        int fw = (int)(first >> 6), lw = (int)(last >> 6);
        if (lw >= _writtenLast.Length) return true;
        for (int w = fw; w <= lw; w++)
        {
            ulong bits = _writtenLast[w];
            if (w == fw) bits &= ~0UL << (int)(first & 63);
            if (w == lw && (last & 63) != 63) bits &= (1UL << (int)((last & 63) + 1)) - 1;
            if (bits != 0) return true;
        }
        return false;
    }

    private static int WordsFor(ulong heapBytes) => (int)((heapBytes >> WritePageShift) + 63 >> 6) + 1;

    private void GrowWriteMaps()
    {
        if (_written is null || _writtenLast is null) return;
        int words = WordsFor((ulong)_heap.LongLength);
        if (words <= _written.Length) return;
        Array.Resize(ref _written, words);
        Array.Resize(ref _writtenLast, words);
    }

    /// <summary>Marks [address, address+length) written if it lies in the mapped heap.</summary>
    private void MarkWrittenAt(ulong address, ulong length)
    {
        if (_written is null || length == 0) return;
        ulong off = address - HeapBase;
        if (off <= _heapTop && length <= _heapTop - off) MarkWritten(off, length);
    }

    /// <summary>Marks heap offsets [off, off+length) written (length > 0, inside the mapped heap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkWritten(ulong off, ulong length)
    {
        ulong[]? map = _written;
        if (map is null) return;
        ulong first = off >> WritePageShift, last = (off + length - 1) >> WritePageShift;
        if (first == last)
        {
            int w = (int)(first >> 6);
            map[w] |= 1UL << (int)(first & 63);
            if (w < _markLo) _markLo = w;
            if (w > _markHi) _markHi = w;
        }
        else MarkPages(map, first, last);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void MarkPages(ulong[] map, ulong first, ulong last)
    {
        int fw = (int)(first >> 6), lw = (int)(last >> 6);
        if (fw < _markLo) _markLo = fw;
        if (lw > _markHi) _markHi = lw;
        for (int w = fw; w <= lw; w++)
        {
            ulong bits = ~0UL;
            if (w == fw) bits &= ~0UL << (int)(first & 63);
            if (w == lw && (last & 63) != 63) bits &= (1UL << (int)((last & 63) + 1)) - 1;
            map[w] |= bits;
        }
    }

}
