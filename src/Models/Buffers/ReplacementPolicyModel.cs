// ReplacementPolicyModel: the reference model of PostgreSQL 17's buffer replacement policy
// (freelist.c: StrategyGetBuffer, ClockSweepTick, the free list, StrategyNotifyBgWriter; bufmgr.c:
// PinBuffer's usage-count rule with and without a ring, BufferAlloc / GetVictimBuffer,
// StrategyRejectBuffer's use, EvictUnpinnedBuffer, FlushBuffer's WAL flush), written from the
// PostgreSQL sources with plain arrays and lists, sharing no code with the port. BufferModel says
// what a caller sees; this model says which buffer does the work: it predicts which buffer a miss
// takes, every buffer's tag, refcount, usage count and dirty bit, each ring's slots and current
// slot, the clock hand (nextVictimBuffer, completePasses), numBufferAllocs, the free list head,
// bgwprocno and the bgwriter wake-ups.
//
// Scope: one operation at a time, to completion (no other backend runs inside an operation), which
// is what makes every prediction exact: the clock hand, the free list and the usage counts are only
// ever touched by the operation in progress. The operations followed are the ones whose effect on
// the policy is simple to state: pin (read, with or without a ring), unpin, dirtying a page with or
// without a WAL record, flushing one buffer, evicting one, extending a relation by a block, the
// commit's WAL flush, a backend's abort, and the bgwriter asking / ceasing to be woken. The
// bgwriter's own writing round (BgBufferSync), checkpoints, relation drops (StrategyFreeBuffer),
// hint-bit WAL and crashes are not followed.
//
// WAL: a record is numbered 1, 2, ... in insertion order; a page's LSN is its last record's number
// (0: none, an unlogged page or one read from disk, whose records are durable by the write-ahead
// rule). XLogNeedsFlush(lsn) is lsn > flushed; flushing up to a record flushes every earlier one.
//
// Invariants (checked by Check):
//   1. refcount(b) = number of backends with a private pin on b; 0 <= usage(b) <= 5.
//   2. A buffer without a tag has usage 0, is clean and unpinned-or-being-filled; tags are unique.
//   3. The free list holds distinct buffer ids; the clock hand is at most NBuffers (a sequential run
//      folds it at the first request past a pass).
namespace Models.Buffers;

/// <summary>What a pin request did: the buffer (0-based id), whether it was a hit, the usage count
/// it left, the ERROR it raised (null: none), and whether a bulk-read ring rejected a dirty buffer
/// on the way.</summary>
public readonly record struct PolicyPin(int BufferId, bool Hit, int Usage, string? Error, bool RingRejected);

public sealed class ReplacementPolicyModel
{
    /// <summary>BM_MAX_USAGE_COUNT.</summary>
    public const int MaxUsageCount = 5;

    public const string NoUnpinnedBuffers = "no unpinned buffers available";

    private sealed class Buf
    {
        public PageKey? Tag;
        public int RefCount;
        public int Usage;
        public bool Dirty;
        public long Lsn;   // WAL record number of the page's last change (0: none needing a flush)
    }

    private readonly Buf[] _bufs;
    private readonly Dictionary<int, int>[] _privatePins;   // per backend: buffer id -> pin count
    private readonly List<int> _freeList = new();
    private readonly PolicyRing?[][] _rings;                // per backend, per RingKind
    private readonly List<int> _wakes = new();
    private long _walInserted, _walFlushed;

    /// <param name="blcksz">The pool's page size, which ring sizes are converted with.</param>
    public ReplacementPolicyModel(int nbuffers, int backends, int blcksz)
    {
        BlckSz = blcksz;
        if (nbuffers < 16) throw new ArgumentOutOfRangeException(nameof(nbuffers), "PostgreSQL's minimum pool is 16 buffers");
        NBuffers = nbuffers;
        _bufs = new Buf[nbuffers];
        for (int i = 0; i < nbuffers; i++)
        {
            _bufs[i] = new Buf();
            // StrategyInitialize: every buffer on the free list, in id order
            _freeList.Add(i);
        }
        _privatePins = new Dictionary<int, int>[backends];
        _rings = new PolicyRing?[backends][];
        for (int b = 0; b < backends; b++)
        {
            _privatePins[b] = new Dictionary<int, int>();
            _rings[b] = new PolicyRing?[4];
        }
        Bgwprocno = -1;
    }

    public int NBuffers { get; }
    public int BlckSz { get; }

    /// <summary>The free-running clock hand (folded back below NBuffers at each completed pass).</summary>
    public uint NextVictimBuffer { get; private set; }
    public uint CompletePasses { get; private set; }
    public uint NumBufferAllocs { get; private set; }
    public int Bgwprocno { get; private set; }

    /// <summary>The proc numbers whose latch StrategyGetBuffer set, in order.</summary>
    public IReadOnlyList<int> Wakes => _wakes;

    /// <summary>firstFreeBuffer: the head of the free list, -1 when empty.</summary>
    public int FirstFreeBuffer => _freeList.Count == 0 ? -1 : _freeList[0];

    public PageKey? Tag(int id) => _bufs[id].Tag;
    public int RefCount(int id) => _bufs[id].RefCount;
    public int Usage(int id) => _bufs[id].Usage;
    public bool Dirty(int id) => _bufs[id].Dirty;

    /// <summary>The ring of <paramref name="backend"/> for <paramref name="kind"/>, if it made one.</summary>
    public PolicyRing? Ring(int backend, RingKind kind) => _rings[backend][(int)kind];

    /// <summary>The buffer holding <paramref name="page"/>, or -1 (the mapping table's view).</summary>
    public int Lookup(PageKey page)
    {
        for (int i = 0; i < NBuffers; i++)
            if (_bufs[i].Tag == page) return i;
        return -1;
    }

    public int PrivatePins(int backend, int id) => _privatePins[backend].GetValueOrDefault(id);

    // ------------------------------------------------------------------ operations

    /// <summary>ReadBuffer of <paramref name="page"/> by <paramref name="backend"/> with ring
    /// <paramref name="kind"/> (null: no strategy). On "no unpinned buffers available" the backend
    /// still holds its pins; the caller's Abort drops them, as the port's transaction abort does.</summary>
    public PolicyPin Read(int backend, PageKey page, RingKind? kind)
    {
        PolicyRing? ring = kind is RingKind k ? GetRing(backend, k) : null;
        int hit = Lookup(page);
        if (hit >= 0)
        {
            PinBuffer(backend, hit, ring is not null);
            return new PolicyPin(hit, true, _bufs[hit].Usage, null, false);
        }
        return Allocate(backend, page, ring);
    }

    /// <summary>ExtendBufferedRel by one block: a victim (no ring), tagged with the new page, dirtied
    /// by the caller's initialisation (a WAL record when <paramref name="logged"/>).</summary>
    public PolicyPin Extend(int backend, PageKey newPage, bool logged)
    {
        PolicyPin r = Allocate(backend, newPage, null);
        if (r.Error is null) Modify(r.BufferId, logged);
        return r;
    }

    /// <summary>ReleaseBuffer: the backend's last pin lowers the shared refcount (usage unchanged).</summary>
    public void Unpin(int backend, int id)
    {
        Dictionary<int, int> pins = _privatePins[backend];
        int n = pins[id];
        if (n > 1)
        {
            pins[id] = n - 1;
            return;
        }
        pins.Remove(id);
        _bufs[id].RefCount--;
    }

    /// <summary>A change under the content lock: MarkBufferDirty, and for a WAL-logged page a new
    /// record whose number becomes the page's LSN. The usage count is not touched.</summary>
    public void Modify(int id, bool logged)
    {
        _bufs[id].Dirty = true;
        if (logged) _bufs[id].Lsn = ++_walInserted;
    }

    /// <summary>FlushBuffer (FlushOneBuffer, a victim's or an eviction's write): WAL up to the page's
    /// LSN first, then the page; clean afterwards. A clean buffer is left alone.</summary>
    public void Flush(int id)
    {
        Buf b = _bufs[id];
        if (!b.Dirty) return;
        _walFlushed = Math.Max(_walFlushed, b.Lsn);
        b.Dirty = false;
    }

    /// <summary>The commit record's flush: every record so far is durable.</summary>
    public void FlushAllWal() => _walFlushed = _walInserted;

    /// <summary>Commit or abort: every pin of <paramref name="backend"/> is dropped.</summary>
    public void ReleaseAll(int backend)
    {
        foreach (int id in _privatePins[backend].Keys) _bufs[id].RefCount--;
        _privatePins[backend].Clear();
    }

    /// <summary>EvictUnpinnedBuffer: an unpinned tagged buffer is written if dirty and loses its tag
    /// and usage count; it is not put on the free list. False if pinned or untagged.</summary>
    public bool Evict(int id)
    {
        Buf b = _bufs[id];
        if (b.Tag is null || b.RefCount != 0) return false;
        Flush(id);
        b.Tag = null;
        b.Usage = 0;
        return true;
    }

    /// <summary>StrategyNotifyBgWriter: the bgwriter asks (a proc number) or stops asking (-1) to be
    /// woken by the next allocation.</summary>
    public void NotifyBgWriter(int procno) => Bgwprocno = procno;

    // ------------------------------------------------------------------ the policy

    private PolicyRing GetRing(int backend, RingKind kind) =>
        _rings[backend][(int)kind] ??= new PolicyRing(kind, NBuffers, BlckSz);

    /// <summary>PinBuffer: the backend's first pin raises the refcount and the usage count (by one up
    /// to the maximum without a ring; with a ring only from 0 to 1, so ring buffers stay cheap to
    /// evict). A backend that already pins the buffer only counts one more private pin.</summary>
    private void PinBuffer(int backend, int id, bool withRing)
    {
        Dictionary<int, int> pins = _privatePins[backend];
        if (pins.TryGetValue(id, out int n))
        {
            pins[id] = n + 1;
            return;
        }
        pins[id] = 1;
        Buf b = _bufs[id];
        b.RefCount++;
        if (!withRing) b.Usage = Math.Min(b.Usage + 1, MaxUsageCount);
        else if (b.Usage == 0) b.Usage = 1;
    }

    /// <summary>BufferAlloc's miss: GetVictimBuffer, then the new tag with usage count 1.</summary>
    private PolicyPin Allocate(int backend, PageKey page, PolicyRing? ring)
    {
        bool rejected = false;
        int id;
        for (;;)
        {
            id = StrategyGetBuffer(ring, out bool fromRing);
            if (id < 0) return new PolicyPin(-1, false, 0, NoUnpinnedBuffers, rejected);
            // PinBuffer_Locked: a pin without a usage bump
            _privatePins[backend][id] = 1;
            Buf b = _bufs[id];
            b.RefCount++;
            if (b.Dirty)
            {
                // StrategyRejectBuffer: a bulk read does not flush WAL to reuse its own ring buffer;
                // the slot is emptied and another victim is sought
                if (ring is { Kind: RingKind.BulkRead } && fromRing && b.Lsn > _walFlushed && ring.Slots[ring.Current] == id + 1)
                {
                    ring.ClearCurrent();
                    Unpin(backend, id);
                    rejected = true;
                    continue;
                }
                Flush(id);
            }
            // InvalidateVictimBuffer: the old identity goes
            b.Tag = null;
            b.Usage = 0;
            break;
        }
        Buf v = _bufs[id];
        v.Tag = page;
        v.Usage = 1;
        v.Lsn = 0;
        return new PolicyPin(id, false, 1, null, rejected);
    }

    /// <summary>StrategyGetBuffer: the ring's next buffer if unpinned with usage at most 1; else wake
    /// the bgwriter if it asked, count the allocation, then the free list, then the clock sweep
    /// (decrementing usage counts; NBuffers pinned buffers in a row since the last decrement is the
    /// ERROR, returned as -1). Free-list and clock victims are put in the ring's current slot.</summary>
    private int StrategyGetBuffer(PolicyRing? ring, out bool fromRing)
    {
        fromRing = false;
        if (ring is not null)
        {
            int bufnum = ring.Advance();
            if (bufnum != 0)
            {
                Buf rb = _bufs[bufnum - 1];
                if (rb.RefCount == 0 && rb.Usage <= 1)
                {
                    fromRing = true;
                    return bufnum - 1;
                }
            }
        }

        if (Bgwprocno != -1)
        {
            _wakes.Add(Bgwprocno);
            Bgwprocno = -1;
        }
        NumBufferAllocs++;

        while (_freeList.Count > 0)
        {
            int id = _freeList[0];
            _freeList.RemoveAt(0);
            if (_bufs[id].RefCount == 0 && _bufs[id].Usage == 0)
            {
                ring?.Put(id + 1);
                return id;
            }
        }

        int trycounter = NBuffers;
        for (;;)
        {
            int id = ClockSweepTick();
            Buf c = _bufs[id];
            if (c.RefCount == 0)
            {
                if (c.Usage != 0)
                {
                    c.Usage--;
                    trycounter = NBuffers;
                }
                else
                {
                    ring?.Put(id + 1);
                    return id;
                }
            }
            else if (--trycounter == 0)
            {
                return -1;
            }
        }
    }

    /// <summary>ClockSweepTick: take the hand's value; the request that lands on NBuffers folds the
    /// hand back (to 1: its own ticket was 0 of the new pass) and counts a completed pass.</summary>
    private int ClockSweepTick()
    {
        uint ticket = NextVictimBuffer++;
        uint n = (uint)NBuffers;
        if (ticket >= n)
        {
            ticket %= n;
            if (ticket == 0)
            {
                NextVictimBuffer %= n;
                CompletePasses++;
            }
        }
        return (int)ticket;
    }

    /// <summary>The model's own invariants (see the header); empty when they hold.</summary>
    public List<string> Check()
    {
        var errors = new List<string>();
        var tags = new HashSet<PageKey>();
        for (int i = 0; i < NBuffers; i++)
        {
            Buf b = _bufs[i];
            int pinners = _privatePins.Count(p => p.ContainsKey(i));
            if (b.RefCount != pinners) errors.Add($"1: buffer {i} refcount {b.RefCount}, {pinners} backends pin it");
            if (b.Usage < 0 || b.Usage > MaxUsageCount) errors.Add($"1: buffer {i} usage {b.Usage}");
            if (b.Tag is null && (b.Usage != 0 || b.Dirty)) errors.Add($"2: untagged buffer {i} has usage {b.Usage}, dirty {b.Dirty}");
            if (b.Tag is PageKey t && !tags.Add(t)) errors.Add($"2: page {t} in two buffers");
        }
        if (_freeList.Distinct().Count() != _freeList.Count) errors.Add("3: a buffer twice on the free list");
        // the hand may rest at NBuffers (the next request folds it), never beyond
        if (NextVictimBuffer > (uint)NBuffers) errors.Add($"3: clock hand {NextVictimBuffer} not folded");
        return errors;
    }
}
