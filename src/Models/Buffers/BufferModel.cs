// BufferModel: the reference model of PostgreSQL's shared buffer manager as a caller sees it
// (pg-bufmgr-locks.md §20), written from the semantics with dictionaries and lists, sharing no code
// with the port. It knows nothing of buffers, descriptors, the clock or the mapping table: only
//   * relations (size in blocks, permanent or not, which database) and each page's value and hint,
//   * which backend pins which page (a list of handles per backend; a page may be pinned twice),
//   * which backend holds which content lock (share or exclusive) on which page,
//   * what a crash may leave behind: for each page, the values written since the last moment the
//     model knows it became durable (a flush, a checkpoint, a commit's WAL flush). The port may
//     make a page durable earlier (a victim write, the bgwriter), so after a crash any value from
//     that list is allowed, and nothing older or newer.
//
// The two predictions that need care:
//   * "no unpinned buffers available": a read of a page nobody pins needs a victim, and there is
//     none exactly when every one of the NBuffers buffers holds a distinct pinned page (§12.2, F5);
//   * after a crash, unlogged relations are empty (ResetUnloggedRelations) and permanent pages hold
//     one of their crash candidates; the hint field is not WAL-logged, so it is unknown until the
//     next hint write.
//
// Protocol: the runner asks Can*/Expect* before running an operation on the port, then applies the
// effect (the Do* methods), or Abort(backend) when the port raised an ERROR the model allows.
namespace Models.Buffers;

/// <summary>A page of one relation's main fork.</summary>
public readonly record struct PageKey(int Rel, uint Block)
{
    public override string ToString() => $"r{Rel}/{Block}";
}

public enum LockMode : byte { None, Share, Exclusive }

/// <summary>A relation the model knows: its database and whether it is WAL-logged.</summary>
public sealed record ModelRelation(int Index, uint DbOid, bool Permanent);

public sealed class BufferModel
{
    private sealed class Page
    {
        public ulong Value;
        public uint? Hint;   // null: unknown (after a crash, until written again)
        public readonly List<ulong> CrashCandidates = new();   // [0] is durable for sure; the rest may be
    }

    private readonly Dictionary<PageKey, Page> _pages = new();
    private readonly uint[] _nblocks;
    private readonly List<PageKey>[] _pins;
    private readonly Dictionary<PageKey, LockMode>[] _locks;

    public BufferModel(int nbuffers, int nbackends, IReadOnlyList<ModelRelation> relations, IReadOnlyList<uint> initialBlocks)
    {
        if (nbuffers < 1) throw new ArgumentOutOfRangeException(nameof(nbuffers));
        if (relations.Count != initialBlocks.Count) throw new ArgumentException("one initial size per relation", nameof(initialBlocks));
        NBuffers = nbuffers;
        Relations = relations;
        _nblocks = new uint[relations.Count];
        _pins = new List<PageKey>[nbackends];
        _locks = new Dictionary<PageKey, LockMode>[nbackends];
        for (int b = 0; b < nbackends; b++)
        {
            _pins[b] = new List<PageKey>();
            _locks[b] = new Dictionary<PageKey, LockMode>();
        }
        for (int r = 0; r < relations.Count; r++)
            for (uint blk = 0; blk < initialBlocks[r]; blk++)
                AddPage(new PageKey(r, blk));
    }

    public int NBuffers { get; }
    public IReadOnlyList<ModelRelation> Relations { get; }
    public int Backends => _pins.Length;

    public uint NBlocks(int rel) => _nblocks[rel];

    public bool Exists(PageKey p) => p.Block < _nblocks[p.Rel];

    public ulong Value(PageKey p) => _pages[p].Value;

    public uint? Hint(PageKey p) => _pages[p].Hint;

    public IReadOnlyList<ulong> CrashCandidates(PageKey p) => _pages[p].CrashCandidates;

    public IReadOnlyList<PageKey> Pins(int backend) => _pins[backend];

    public LockMode LockHeld(int backend, PageKey p) => _locks[backend].GetValueOrDefault(p);

    public int PinCount(int backend, PageKey p) => _pins[backend].Count(x => x == p);

    public bool PinnedByAnyone(PageKey p) => _pins.Any(l => l.Contains(p));

    public bool PinnedByOthers(int backend, PageKey p) => Enumerable.Range(0, Backends).Any(b => b != backend && _pins[b].Contains(p));

    /// <summary>Distinct pages pinned by anyone: each occupies its own buffer.</summary>
    public int PinnedPages => _pins.SelectMany(l => l).Distinct().Count();

    public bool AnyPinIn(Func<ModelRelation, bool> which) =>
        _pins.SelectMany(l => l).Any(p => which(Relations[p.Rel]));

    public bool AnyExclusiveLock => _locks.Any(d => d.Values.Any(m => m == LockMode.Exclusive));

    public bool AnyLockIn(Func<ModelRelation, bool> which) =>
        _locks.Any(d => d.Keys.Any(p => which(Relations[p.Rel])));

    /// <summary>Whether <paramref name="backend"/> would get <paramref name="mode"/> on the page now
    /// (a reader-writer lock: shares coexist, an exclusive holder excludes everyone).</summary>
    public bool CanLock(int backend, PageKey p, LockMode mode)
    {
        for (int b = 0; b < Backends; b++)
        {
            if (b == backend) continue;
            LockMode held = LockHeld(b, p);
            if (held == LockMode.Exclusive || (held == LockMode.Share && mode == LockMode.Exclusive)) return false;
        }
        return true;
    }

    /// <summary>The ERROR a pin of <paramref name="p"/> must raise, or null. A buffer is found for the
    /// page before it is read, so a full pool is the first failure; a page beyond the end is then
    /// only an error for a plain read (the zero-and-lock modes and extension never read it).</summary>
    public string? ExpectPinError(int backend, PageKey p, bool mustExist)
    {
        if (!PinnedByAnyone(p) && PinnedPages >= NBuffers) return "no unpinned buffers available";
        if (mustExist && !Exists(p)) return "beyond-eof";
        _ = backend;
        return null;
    }

    // ------------------------------------------------------------------ effects

    public void Pin(int backend, PageKey p)
    {
        if (!Exists(p)) throw new InvalidOperationException($"model: pin of {p} beyond the end");
        _pins[backend].Add(p);
    }

    /// <summary>Drops one pin (the handle at <paramref name="index"/>); a lock on the page goes with
    /// the last pin (the runner unlocks first, as a correct caller must).</summary>
    public PageKey Unpin(int backend, int index)
    {
        PageKey p = _pins[backend][index];
        _pins[backend].RemoveAt(index);
        if (!_pins[backend].Contains(p)) _locks[backend].Remove(p);
        return p;
    }

    public void Lock(int backend, PageKey p, LockMode mode)
    {
        if (!_pins[backend].Contains(p)) throw new InvalidOperationException($"model: lock of unpinned {p}");
        if (!CanLock(backend, p, mode) || LockHeld(backend, p) != LockMode.None) throw new InvalidOperationException($"model: lock of {p} not grantable");
        _locks[backend][p] = mode;
    }

    public void Unlock(int backend, PageKey p) => _locks[backend].Remove(p);

    /// <summary>A write of the page's value under an exclusive lock (WAL-logged if permanent).</summary>
    public void Write(PageKey p, ulong value)
    {
        Page page = _pages[p];
        page.Value = value;
        page.CrashCandidates.Add(value);
    }

    /// <summary>A hint-bit-style write under a share or exclusive lock.</summary>
    public void WriteHint(PageKey p, uint hint) => _pages[p].Hint = hint;

    /// <summary>A new block at the end of the relation: an initialised empty page, pinned.</summary>
    public PageKey Extend(int backend, int rel)
    {
        var p = new PageKey(rel, _nblocks[rel]);
        AddPage(p);
        _pins[backend].Add(p);
        return p;
    }

    /// <summary>The page reached storage with its current value.</summary>
    public void MadeDurable(PageKey p)
    {
        Page page = _pages[p];
        page.CrashCandidates.Clear();
        page.CrashCandidates.Add(page.Value);
    }

    /// <summary>Every page of the relations <paramref name="which"/> selects reached storage (or its WAL did).</summary>
    public void MadeDurable(Func<ModelRelation, bool> which)
    {
        foreach (PageKey p in _pages.Keys.Where(k => which(Relations[k.Rel])).ToList()) MadeDurable(p);
    }

    /// <summary>Truncation to <paramref name="nblocks"/> (0: the relation is dropped and recreated empty).</summary>
    public void Truncate(int rel, uint nblocks)
    {
        if (AnyPinIn(r => r.Index == rel)) throw new InvalidOperationException("model: truncate of a pinned relation");
        for (uint b = nblocks; b < _nblocks[rel]; b++) _pages.Remove(new PageKey(rel, b));
        _nblocks[rel] = Math.Min(_nblocks[rel], nblocks);
    }

    /// <summary>A backend's transaction ended in ERROR (or it committed): its pins and locks are gone.</summary>
    public void Abort(int backend)
    {
        _pins[backend].Clear();
        _locks[backend].Clear();
    }

    /// <summary>The machine crashed: every backend is gone, unlogged relations are reset to empty,
    /// and each permanent page is one of its crash candidates until the runner observes which.</summary>
    public void Crash()
    {
        for (int b = 0; b < Backends; b++) Abort(b);
        foreach (ModelRelation r in Relations.Where(r => !r.Permanent)) Truncate(r.Index, 0);
        foreach (Page page in _pages.Values) page.Hint = null;
    }

    /// <summary>After a crash, the value recovery produced for <paramref name="p"/>: it must be one of
    /// the candidates; it becomes the page's value and its only crash candidate.</summary>
    public bool Recovered(PageKey p, ulong value)
    {
        Page page = _pages[p];
        if (!page.CrashCandidates.Contains(value)) return false;
        page.Value = value;
        page.CrashCandidates.Clear();
        page.CrashCandidates.Add(value);
        return true;
    }

    public IEnumerable<PageKey> AllPages() => _pages.Keys.OrderBy(k => k.Rel).ThenBy(k => k.Block);

    private void AddPage(PageKey p)
    {
        var page = new Page { Value = 0, Hint = 0 };
        page.CrashCandidates.Add(0);
        _pages[p] = page;
        _nblocks[p.Rel] = Math.Max(_nblocks[p.Rel], p.Block + 1);
    }
}
