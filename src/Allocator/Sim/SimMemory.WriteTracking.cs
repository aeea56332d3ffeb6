// SimMemory.WriteTracking: which heap bytes may have changed, in epochs, so that a checker that
// compared memory against a model at the start of the last epoch can skip bytes nobody could have
// written since (the fuzz oracle's per-operation content comparison, which otherwise rescans every
// live chunk after every operation).
//
// Soundness: every way to change a heap byte marks it. Writes through WriteU8..U64 (At with a write
// access) mark their page, Span() marks its whole range (the caller may write through it, whatever
// access it names), an AtomicRef marks its word, HeapBaseRef marks the whole mapped heap (its user
// may write anywhere), and the AllocSet fast paths, which address the heap through
// HeapBaseRefReporting, report each object they write (NoteHeapWrite). Lazy zeroing in SetHeapTop
// is reported as a floor (everything from the lowest offset it cleared counts as written), not as
// marks, so that it never feeds the dirty map below. ResetHeap marks everything. Only ReadSpan and
// the ReadU* accessors do not mark.
// Marks are kept per page of 2^WritePageShift bytes, so a page counts as written if any byte of it
// was. Off unless TrackHeapWrites() was called: the allocator's own hot paths then pay one null test.
//
// Epochs: BeginWriteEpoch() ends the current epoch and starts a new one. WrittenInLastEpoch asks
// about the epoch that just ended, so a checker that calls BeginWriteEpoch before it compares also
// sees, next time, whatever its own comparison (or the port code it calls while comparing) wrote.
//
// Dirty pages: every epoch's marks are also folded (when it ends, and at ResetHeap) into a map of
// pages that may hold non-zero bytes. After ResetHeap a fresh process must read zeros wherever it
// maps heap again; SetHeapTop then clears only the dirty pages it maps (ZeroStale) instead of
// everything an earlier run used. It matters when a run maps more than it writes (blocks that
// doubled to a few MiB, with only their headers and the chunks carved so far written); in a
// checking build, CLOBBER_FREED_MEMORY writes every freed block whole, so the gain is smaller.
//
// Invariant Z (what ZeroStale relies on): every heap byte at an offset >= _heapTouched (not mapped
// since ResetHeap) is zero unless its page is marked in _dirty. Writes happen only below the heap's
// top, so they cannot break Z until the next ResetHeap lowers _heapTouched to 0, and by then they
// have been folded into _dirty.
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
    private ulong[]? _dirty;            // bit p set = heap page p may hold a non-zero byte (invariant Z)
    private ulong _zeroFloor = ulong.MaxValue;      // current epoch: lowest offset ZeroStale cleared from
    private ulong _zeroFloorLast = ulong.MaxValue;  // the same for the epoch that just ended

    /// <summary>Epochs begun since tracking started (0: none).</summary>
    public long WriteEpoch { get; private set; }

    /// <summary>Starts tracking heap writes; the epoch in progress counts everything as written.</summary>
    public void TrackHeapWrites()
    {
        if (_written is not null) return;
        int words = WordsFor((ulong)_heap.LongLength);
        _written = new ulong[words];
        _writtenLast = new ulong[words];
        _dirty = new ulong[words];
        _allWritten = true;
        // What was written before tracking began is unknown: every byte used so far counts as dirty.
        ulong used = Math.Max(_heapTouched, _heapStale);
        if (used > 0) SetBits(_dirty, 0, (used - 1) >> WritePageShift);
    }

    /// <summary>Ends the current epoch and starts the next (see the file comment).</summary>
    public void BeginWriteEpoch()
    {
        if (_written is null || _writtenLast is null) throw new InvalidOperationException("heap write tracking is off");
        FoldIntoDirty();
        (_written, _writtenLast) = (_writtenLast, _written);
        if (_markHiLast >= _markLoLast) Array.Clear(_written, _markLoLast, _markHiLast - _markLoLast + 1);
        (_markLoLast, _markHiLast) = (_markLo, _markHi);
        (_markLo, _markHi) = (int.MaxValue, -1);
        _allWrittenLast = _allWritten;
        _allWritten = false;
        _zeroFloorLast = _zeroFloor;
        _zeroFloor = ulong.MaxValue;
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
        if (off + length > _zeroFloorLast) return true;   // reaches bytes lazy zeroing changed
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
        Array.Resize(ref _dirty, words);
    }

    /// <summary>ORs the current epoch's marks into the dirty map (the epoch's map is kept: it is
    /// still the current epoch's record for WrittenInLastEpoch).</summary>
    private void FoldIntoDirty()
    {
        if (_written is null || _dirty is null) return;
        for (int w = _markLo; w <= _markHi; w++) _dirty[w] |= _written[w];
    }

    /// <summary>Makes heap offsets [from, to) read zero, as in a fresh process (see invariant Z):
    /// clears the dirty pages the range touches, from <paramref name="from"/> to the end of each
    /// page, and unmarks them; consecutive dirty pages are cleared in one go. Bytes of such a page
    /// below <paramref name="from"/> are mapped in this run (zeroed when they were mapped, or written
    /// since, which the next fold records), so the page is clean afterwards; bytes past
    /// <paramref name="to"/> are not mapped, so clearing them early is harmless.</summary>
    private void ZeroStale(ulong from, ulong to)
    {
        // Zeroing changes bytes too, but marking them would fold them into _dirty and make every
        // later run clear them again; WrittenInLastEpoch reports them through the floor instead.
        if (from < _zeroFloor) _zeroFloor = from;
        ulong[] dirty = _dirty!;
        ulong first = from >> WritePageShift, last = (to - 1) >> WritePageShift;
        ulong limit = Math.Min(last + 1, (ulong)dirty.Length << 6);
        ulong p = first;
        while (p < limit)
        {
            // Skip clean pages a word at a time, then take the run of dirty pages that starts here.
            ulong word = dirty[p >> 6] >> (int)(p & 63);
            if (word == 0)
            {
                p = (p | 63) + 1;
                continue;
            }
            p += (ulong)System.Numerics.BitOperations.TrailingZeroCount(word);
            if (p >= limit) break;
            // The run's end, a word at a time: the first clear bit at or after p.
            ulong runEnd = p;
            while (runEnd < limit)
            {
                int bit = (int)(runEnd & 63);
                ulong ones = ~dirty[runEnd >> 6] >> bit;   // set where clean, from bit on
                int len = ones == 0 ? 64 - bit : System.Numerics.BitOperations.TrailingZeroCount(ones);
                len = (int)Math.Min((ulong)len, limit - runEnd);
                ulong mask = len == 64 ? ~0UL : ((1UL << len) - 1) << bit;
                dirty[runEnd >> 6] &= ~mask;
                runEnd += (ulong)len;
                if (bit + len < 64) break;   // the run ended inside this word
            }
            ulong lo = Math.Max(p << WritePageShift, from);
            ulong hi = Math.Min(runEnd << WritePageShift, (ulong)_heap.LongLength);
            if (hi > lo) _heap.AsSpan((int)lo, (int)(hi - lo)).Clear();
            p = runEnd;
        }
    }

    private static void SetBits(ulong[] map, ulong first, ulong last)
    {
        for (ulong p = first; p <= last && (int)(p >> 6) < map.Length; p++) map[p >> 6] |= 1UL << (int)(p & 63);
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
