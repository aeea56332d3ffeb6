// FreePageModel: the reference model of a FreePageManager (spec §8, §11): the set of pages the user
// has given back and not taken again, one bit per page. It shares no code with the port.
//
// What it can decide on its own: which pages must be held by the manager, the maximal free runs,
// and best fit. What it cannot: where the btree lives. PostgreSQL stores its btree and recycle list
// in free pages, so the runs a Get can use are the maximal runs of (free pages minus the manager's
// own pages). Callers pass those pages (observed from the port's structure) as `reserved`; given
// them, the model decides:
//   - Get(n) succeeds exactly when some run of free-minus-reserved has >= n pages (n > 0);
//   - best fit: the run taken is one of the smallest such runs, and the allocation is its first n
//     pages (PostgreSQL breaks ties by freelist order, so the model accepts any of them);
//   - the port's free runs are exactly these runs, and its largest is their largest.
namespace Models.Dsa;

public sealed class FreePageModel
{
    private readonly bool[] _free;
    private long _count;

    public FreePageModel(ulong pages)
    {
        _free = new bool[pages];
    }

    public ulong Pages => (ulong)_free.LongLength;

    /// <summary>Pages put and not got.</summary>
    public long FreeCount => _count;

    public bool IsFree(ulong page) => page < Pages && _free[page];

    /// <summary>The free pages in ascending order.</summary>
    public IEnumerable<ulong> FreePages()
    {
        for (ulong p = 0; p < Pages; p++)
            if (_free[p]) yield return p;
    }

    /// <summary>The user gives back [first, first+n): none of it may be free already.</summary>
    public void Put(ulong first, ulong n)
    {
        for (ulong p = first; p < first + n; p++)
        {
            if (p >= Pages || _free[p]) throw new InvalidOperationException($"model: page {p} put while free or out of range");
        }
        for (ulong p = first; p < first + n; p++) _free[p] = true;
        _count += (long)n;
    }

    /// <summary>The manager handed out [first, first+n): the pages that were not free (empty if all were).</summary>
    public List<ulong> Take(ulong first, ulong n)
    {
        var notFree = new List<ulong>();
        for (ulong p = first; p < first + n; p++)
        {
            if (p >= Pages || !_free[p]) notFree.Add(p);
            else
            {
                _free[p] = false;
                _count--;
            }
        }
        return notFree;
    }

    /// <summary>Pages the manager no longer holds though nobody got them (a known PostgreSQL loss,
    /// accepted by the caller): they leave the model.</summary>
    public void Forget(IEnumerable<ulong> pages)
    {
        foreach (ulong p in pages)
        {
            if (p < Pages && _free[p])
            {
                _free[p] = false;
                _count--;
            }
        }
    }

    /// <summary>The maximal runs of free pages not in <paramref name="reserved"/>, in page order.</summary>
    public List<(ulong First, ulong Npages)> Runs(IReadOnlySet<ulong> reserved) => Runs(reserved, new List<(ulong, ulong)>());

    /// <summary>Runs, appended to <paramref name="runs"/> (a caller's reused list); returns it.</summary>
    public List<(ulong First, ulong Npages)> Runs(IReadOnlySet<ulong> reserved, List<(ulong First, ulong Npages)> runs)
    {
        ulong p = 0;
        while (p < Pages)
        {
            if (!_free[p] || reserved.Contains(p))
            {
                p++;
                continue;
            }
            ulong start = p;
            while (p < Pages && _free[p] && !reserved.Contains(p)) p++;
            runs.Add((start, p - start));
        }
        return runs;
    }

    public static ulong Largest(IReadOnlyList<(ulong First, ulong Npages)> runs) =>
        runs.Count == 0 ? 0 : runs.Max(r => r.Npages);

    /// <summary>Where a best-fit Get(n) may start: the first page of each smallest run of at least
    /// n pages; empty when Get(n) must fail (always for n == 0).</summary>
    public static List<ulong> BestFitStarts(IReadOnlyList<(ulong First, ulong Npages)> runs, ulong n)
    {
        if (n == 0) return new List<ulong>();
        ulong best = ulong.MaxValue;
        foreach ((_, ulong len) in runs)
            if (len >= n && len < best) best = len;
        return runs.Where(r => r.Npages == best).Select(r => r.First).ToList();
    }
}
