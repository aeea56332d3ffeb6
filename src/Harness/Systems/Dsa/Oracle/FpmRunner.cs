// FpmRunner: runs an FpmOp list against the FreePageManager port and the FreePageModel, checking
// after every op:
//   - a Get succeeds exactly when the model (free pages minus the manager's own btree and recycled
//     pages, observed before the op) has a run that long; it returns the first page of one of the
//     smallest such runs (best fit), every page of which the model had free (FPM9 too);
//   - afterwards the port's free runs equal the model's maximal runs around the manager's pages,
//     and its cached largest equals the model's largest;
//   - with checking on, FreePageManagerCheck (FPM1-FPM7, FPM1 against the model's page set).
// PostgreSQL's root-page leak (finding F1 in FreePageManager.Btree.cs) is recognised, not failed:
// after a Get, if the only pages the manager lost are the root page of a one-key root it had before
// the op, the model forgets them and the run counts a leak. With the fix on, no loss is accepted.
// Assert failures, FATALs and faults in the port end the run with their own outcome kinds.
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Sim;
using Harness.Core;
using Models.Dsa;

namespace Harness.Systems.Dsa.Oracle;

public sealed record FpmRunResult(Outcome Outcome, int LeakedPages, int OneKeyRootsAfterGet)
{
    public bool Passed => !Outcome.IsFailure;
}

/// <summary>What one op did, for a fuzz target's features: whether a Get succeeded (puts count as
/// done), and the tree's depth and recycle-list length after it.</summary>
public readonly record struct FpmStepInfo(FpmOp Op, bool Done, uint Depth, uint Recycled, bool Lost);

public sealed class FpmRunner : IReachReporter
{
    /// <summary>The simulated memory of a run: the manager needs none of its heap.</summary>
    internal const ulong HeapMax = 1 << 16;
    internal const int HeapInitial = 4096;

    private readonly FpmWorkload _w;
    private readonly FpmRunScratch _scratch;

    /// <param name="reach">Where the runs' reach goals go (a fuzz target makes a runner per input and keeps one set of hits).</param>
    /// <param name="scratch">Memory and collections to reuse (a fuzz target passes its own to every
    /// runner it makes); null: the runner's own.</param>
    public FpmRunner(FpmWorkload workload, ReachHits? reach = null, FpmRunScratch? scratch = null)
    {
        Reach = reach ?? new(DsaReach.FpmGoals);
        _w = workload;
        _scratch = scratch ?? new FpmRunScratch();
    }

    public FpmWorkload Workload => _w;

    /// <summary>The reach goals (DsaReach.FpmGoals) the current run hit.</summary>
    public ReachHits Reach { get; }

    public FpmRunResult Run(IReadOnlyList<FpmOp> ops, TextWriter? trace = null, Action<FpmStepInfo>? onStep = null) =>
        new Execution(_w, trace, onStep, Reach, _scratch).Run(ops);

    private sealed class Execution
    {
        private readonly FpmWorkload _w;
        private readonly TextWriter? _trace;
        private readonly SimMemory _m;
        private readonly FpmRunScratch _scratch;
        private readonly FreePageManager _fpm;
        private readonly FreePageModel _model;
        private readonly List<(ulong First, ulong N)> _held = new();
        private FpmSnapshot _before;
        private int _leaked;
        private int _oneKeyRoots;
        private bool _inSetup;

        private readonly Action<FpmStepInfo>? _onStep;
        private readonly ReachHits _reach;
        private bool _lastDone;

        public Execution(FpmWorkload w, TextWriter? trace, Action<FpmStepInfo>? onStep, ReachHits reach, FpmRunScratch scratch)
        {
            _w = w;
            _reach = reach;
            _trace = trace;
            _onStep = onStep;
            _scratch = scratch;
            (_m, SimRegion region) = scratch.MapZeroed("fpm", w.Pages * FpmLayout.FPM_PAGE_SIZE);
            var options = new FpmOptions { FixRootPageLeak = w.FixRootPageLeak, Canary = w.Canary };
            _fpm = FreePageManager.Initialize(_m, region.Base, region.Base, FpmLayout.For(w.Profile, extraAsserts: w.Checking), options);
            _model = new FreePageModel(w.Pages);
            _before = FreePageManagerCheck.Walk(_fpm, scratch.Errors(), new FpmCheckOptions { Scratch = scratch.Check });
        }

        public FpmRunResult Run(IReadOnlyList<FpmOp> ops)
        {
            Outcome o = Setup();
            for (int i = 0; i < ops.Count && !o.IsFailure; i++)
            {
                int leakedBefore = _leaked;
                _lastDone = true;
                o = Step(i, ops[i]);
                _onStep?.Invoke(new FpmStepInfo(ops[i], _lastDone, _fpm.btree_depth, _fpm.btree_recycle_count, _leaked != leakedBefore));
            }
            if (!o.IsFailure) _trace?.WriteLine($"ok: {_leaked} page(s) lost to F1, {_oneKeyRoots} one-key root(s) after Get (F2)");
            return new FpmRunResult(o, _leaked, _oneKeyRoots);
        }

        /// <summary>The starting state, built with Puts that are checked once at the end (failures
        /// there are at step -1); checking each of the fragmented start's hundreds of puts would
        /// cost more than the ops themselves.</summary>
        private Outcome Setup()
        {
            _inSetup = true;
            Outcome o = BuildStart();
            _inSetup = false;
            _trace?.WriteLine($"start {_w.Start.ToString().ToLowerInvariant()}: {_model.FreeCount} of {_w.Pages - 1} pages free, {_held.Count} allocation(s) held");
            // The empty start is Initialize alone, before any public op: FPM7 does not hold yet
            // (contiguous_pages_dirty starts true), so there is nothing to check.
            if (o.IsFailure || _w.Start == FpmStart.Empty) return o;
            return After(-1, "setup", afterGet: false);
        }

        private Outcome BuildStart()
        {
            ulong first = 1, n = _w.Pages - 1;
            switch (_w.Start)
            {
                case FpmStart.Empty:
                    _held.Add((first, n));
                    return Outcome.Ok;
                case FpmStart.Full:
                    return Put(-1, first, n);
                default:
                    // Every other page free in the first half, then 2 held / 3 free.
                    ulong p = first, half = first + n / 2, end = first + n;
                    while (p < end)
                    {
                        ulong heldLen = p < half ? 1UL : 2UL, freeLen = p < half ? 1UL : 3UL;
                        heldLen = Math.Min(heldLen, end - p);
                        _held.Add((p, heldLen));
                        p += heldLen;
                        if (p >= end) break;
                        freeLen = Math.Min(freeLen, end - p);
                        Outcome o = Put(-1, p, freeLen);
                        if (o.IsFailure) return o;
                        p += freeLen;
                    }
                    return Outcome.Ok;
            }
        }

        private Outcome Step(int step, FpmOp op)
        {
            if (op.Code == FpmOpCode.Get) return Get(step, op.N);
            if (_held.Count == 0)
            {
                _trace?.WriteLine($"{step}: put with nothing held: skipped");
                return Outcome.Ok;
            }
            int i = (int)((uint)op.Index % (uint)_held.Count);
            (ulong f, ulong n) = _held[i];
            ulong off = op.Offset % n;
            ulong len = op.Length == 0 ? n - off : 1 + (op.Length - 1) % (n - off);
            _held.RemoveAt(i);
            if (off > 0) _held.Insert(i, (f, off));
            if (off + len < n) _held.Add((f + off + len, n - off - len));
            return Put(step, f + off, len);
        }

        private Outcome Put(int step, ulong first, ulong n)
        {
            if (!_inSetup) _trace?.WriteLine($"{step}: put {first}({n})");
            try
            {
                _fpm.Put(first, n);
            }
            catch (Exception e) when (Guarded(e))
            {
                return Caught(step, "put", e);
            }
            _model.Put(first, n);
            if (_inSetup) return Outcome.Ok;
            Outcome o = After(step, "put", afterGet: false);
            // the run now holding the freed pages starts before them: joined onto the previous run
            if (!o.IsFailure && _before.Runs.Any(r => r.First < first && r.First + r.Npages >= first + n)) _reach.Hit(DsaReach.FpmMergedWithPrevious);
            return o;
        }

        private Outcome Get(int step, ulong n)
        {
            List<(ulong, ulong)> runs = _model.Runs(_scratch.Reserved(_before), _scratch.GetRuns());
            List<ulong> starts = FreePageModel.BestFitStarts(runs, n);
            bool ok;
            ulong first;
            try
            {
                ok = _fpm.Get(n, out first);
            }
            catch (Exception e) when (Guarded(e))
            {
                return Caught(step, "get", e);
            }
            _lastDone = ok;
            if (!ok) _reach.Hit(DsaReach.FpmGetRefused);
            _trace?.WriteLine($"{step}: get {n} -> {(ok ? first.ToString(System.Globalization.CultureInfo.InvariantCulture) : "false")}");

            if (ok != (starts.Count > 0))
                return new Outcome(OutcomeKind.ModelMismatch, step, "get/result",
                    ok ? $"Get({n}) succeeded, but the largest usable run was {FreePageModel.Largest(runs)}"
                       : $"Get({n}) failed, but a run of {FreePageModel.Largest(runs)} pages was usable");
            if (ok)
            {
                if (!starts.Contains(first))
                    return new Outcome(OutcomeKind.ModelMismatch, step, "get/best-fit",
                        $"Get({n}) returned page {first}; best fit starts at {string.Join(" or ", starts.Take(4))}");
                List<ulong> notFree = _model.Take(first, n);
                if (notFree.Count > 0)
                    return new Outcome(OutcomeKind.ModelMismatch, step, "get/not-free", $"Get({n}) returned page {notFree[0]}, which was not free");
                _held.Add((first, n));
            }
            if (_w.Checking)
            {
                List<string> fpm9 = FreePageManagerCheck.CheckGet(_before, n, ok, first);
                if (fpm9.Count > 0) return Violation(step, fpm9);
            }
            return After(step, "get", afterGet: true);
        }

        /// <summary>The checks after every op: F1 recognition, the walker, runs and largest against the model.</summary>
        private Outcome After(int step, string what, bool afterGet)
        {
            // One walk does both: the snapshot, and (checking) the walker against the model's pages.
            // Only when F1 is recognised does the model change, and then the walker runs again.
            List<string> errors = _scratch.Errors();
            FpmSnapshot now = FreePageManagerCheck.Walk(_fpm, errors, CheckOptions());
            // The pages the manager holds (its own, and its free runs) as marks by page; only the
            // model's pages (below Pages) are looked up, so anything beyond is left out.
            ulong pages = _model.Pages;
            bool[] held = _scratch.Held(pages);
            foreach (ulong p in _scratch.Reserved(now))
                if (p < pages) held[p] = true;
            foreach ((ulong f, ulong n) in now.Runs)
                for (ulong p = f; p < f + n && p < pages; p++) held[p] = true;
            List<ulong> lost = _scratch.Lost();
            for (ulong p = 0; p < pages; p++)
                if (_model.IsFree(p) && !held[p]) lost.Add(p);
            if (lost.Count > 0 && afterGet && !_w.FixRootPageLeak
                && _before.RootKeys == 1 && lost.Count == 1 && lost[0] == _before.RootPage)
            {
                _trace?.WriteLine($"{step}: F1: the manager lost its old root page {lost[0]}");
                _model.Forget(lost);
                _leaked++;
                errors.Clear();
                now = FreePageManagerCheck.Walk(_fpm, errors, CheckOptions());
            }
            if (afterGet && now.RootKeys == 1) _oneKeyRoots++;
            if (_w.Checking && errors.Count > 0) return Violation(step, errors);
            if (step >= 0 && now.BtreePages.Count != _before.BtreePages.Count)
                _reach.Hit(now.BtreePages.Count > _before.BtreePages.Count ? DsaReach.FpmBtreeSplit : DsaReach.FpmBtreeShrunk);

            List<(ulong, ulong)> expect = _model.Runs(_scratch.Reserved(now), _scratch.Runs());
            if (!expect.SequenceEqual(now.Runs))
            {
                string diff = FirstDifference(expect, now.Runs);
                return new Outcome(OutcomeKind.ModelMismatch, step, $"{what}/runs", $"free runs differ from the model: {diff}");
            }
            ulong largest = FreePageModel.Largest(expect);
            if (_fpm.Largest != largest)
                return new Outcome(OutcomeKind.ModelMismatch, step, $"{what}/largest", $"contiguous_pages is {_fpm.Largest}, the model's largest run is {largest}");
            _before = now;
            return Outcome.Ok;
        }

        private FpmCheckOptions CheckOptions() => new()
        {
            ExpectedFreePages = _w.Checking ? ExpectedFree() : null,
            KnownLostPages = (ulong)_leaked,
            Scratch = _scratch.Check,
        };

        private HashSet<ulong> ExpectedFree()
        {
            HashSet<ulong> set = _scratch.ExpectedFree();
            for (ulong p = 0; p < _model.Pages; p++)
                if (_model.IsFree(p)) set.Add(p);
            return set;
        }

        private static string FirstDifference(List<(ulong First, ulong Npages)> expect, IReadOnlyList<(ulong First, ulong Npages)> actual)
        {
            for (int i = 0; i < Math.Max(expect.Count, actual.Count); i++)
            {
                string e = i < expect.Count ? $"{expect[i].First}({expect[i].Npages})" : "none";
                string a = i < actual.Count ? $"{actual[i].First}({actual[i].Npages})" : "none";
                if (e != a) return $"run {i}: model {e}, port {a}";
            }
            return "none";
        }

        private Outcome Violation(int step, List<string> errors)
        {
            foreach (string e in errors) _trace?.WriteLine($"  {e}");
            string id = errors[0].Split(':')[0];
            return new Outcome(OutcomeKind.InvariantFailed, step, $"check/{id}", errors[0] + (errors.Count > 1 ? $" (+{errors.Count - 1} more)" : ""));
        }

        /// <summary>What a port call may throw and the run classifies (anything else propagates).</summary>
        private static bool Guarded(Exception e) => e is AssertionFailureException or PgFatalException or SimFaultException or PgErrorException;

        private static Outcome Caught(int step, string what, Exception e) => e switch
        {
            AssertionFailureException => new Outcome(OutcomeKind.InvariantFailed, step, $"{what}/assert", e.Message),
            PgFatalException => new Outcome(OutcomeKind.Crash, step, $"{what}/fatal", e.ToString()),
            SimFaultException => new Outcome(OutcomeKind.Fault, step, $"{what}/fault", e.Message),
            _ => new Outcome(OutcomeKind.Crash, step, $"{what}/error", e.ToString()),
        };
    }
}
