// DsaRunner: runs a DsaOp list against the dsa.c port (DsaArea on a DsmControl with 2-3 backends)
// and the DsaModel, checking after every op:
//   - an allocation's result against the model's region (DsaModel.Expect): no success where it must
//     fail, no OOM where it must succeed, the ERROR for an invalid size; NO_OOM returns Invalid where
//     a plain request raises "out of memory"; the pointer is fresh, aligned, overlaps nothing live;
//     DSA_ALLOC_ZERO memory reads as zeros;
//   - contents: every live allocation holds the pattern of its last write, read through the acting
//     backend (checking) or just the allocation the op touched (checking off);
//   - refcnt == backends attached + pinned (DSA12), pin/unpin raise their ERRORs exactly when the
//     model says, total_segment_size stays within the limit (DSA9);
//   - with checking on, DsaCheck (DSA1-DSA14, with FPM1-FPM7 of every segment's FreePageManager)
//     given the model's live set, every attached backend's private view, and the previous snapshot.
// Known findings are recognised, not failed (unless their fix is on): D1's leaked 56-byte span
// objects (each backend records them; the run keeps the union, since a detached backend's object is
// gone) and F1's lost FreePageManager pages (at most one per FreePageManager Get, so at most two per
// segment per allocation; they never come back). The run counts both.
// Assert failures, FATALs, unexpected ERRORs and faults end the run with their own outcome kinds.
using Allocator.Common;
using Allocator.Dsa;
using Allocator.Shmem;
using Allocator.Sim;
using Harness.Core;
using Models.Dsa;
using static Allocator.Dsa.DsaSizeClasses;

namespace Harness.Systems.Dsa.Oracle;

public sealed record DsaRunResult(Outcome Outcome, int LeakedSpanObjects, ulong LostPages, int Skipped, int Ooms)
{
    public bool Passed => !Outcome.IsFailure;
}

/// <summary>What one op did, for a fuzz target's features.</summary>
/// <param name="Result">0 done, 1 OOM (Invalid or "out of memory"), 2 an expected ERROR, 3 skipped.</param>
public readonly record struct DsaStepInfo(DsaOp Op, int Result, int Segments, int Live, bool Leaked);

public sealed class DsaRunner : IReachReporter
{
    private readonly DsaWorkload _w;

    /// <param name="reach">Where the runs' reach goals go (a fuzz target makes a runner per input and keeps one set of hits).</param>
    public DsaRunner(DsaWorkload workload, ReachHits? reach = null)
    {
        Reach = reach ?? new(DsaReach.AreaGoals);
        _w = workload;
    }

    public DsaWorkload Workload => _w;

    /// <summary>The reach goals (DsaReach.AreaGoals) the current run hit.</summary>
    public ReachHits Reach { get; }

    /// <summary>The area as the last run left it (for `harness dsa` and `harness show dsa`).</summary>
    public DsaArea? Area { get; private set; }

    public DsaRunResult Run(IReadOnlyList<DsaOp> ops, TextWriter? trace = null, Action<DsaStepInfo>? onStep = null)
    {
        var e = new Execution(_w, trace, onStep, Reach);
        DsaRunResult r = e.Run(ops);
        Area = e.AnyAttached;
        return r;
    }

    private sealed class Execution
    {
        private const int TrancheId = 100;
        private readonly DsaWorkload _w;
        private readonly TextWriter? _trace;
        private readonly Action<DsaStepInfo>? _onStep;
        private readonly ReachHits _reach;
        private readonly DsaLayout _l;
        private readonly DsaOptions _options;
        private readonly DsmBackend[] _b;
        private readonly DsaArea?[] _areas;
        private readonly DsaModel _model;
        private readonly uint _handle;
        private readonly HashSet<ulong> _leaked = new();
        private readonly Dictionary<ulong, ulong> _lost = new();
        private DsaSnapshot? _snap;
        private bool _pinned;
        private bool _walkedLastOp;
        private int _skipped, _ooms, _result;

        public Execution(DsaWorkload w, TextWriter? trace, Action<DsaStepInfo>? onStep, ReachHits reach)
        {
            _w = w;
            _reach = reach;
            _trace = trace;
            _onStep = onStep;
            _l = w.Layout;
            _options = new DsaOptions
            {
                FixSuperblockSpanLeak = w.FixSuperblockSpanLeak,
                Fpm = new FpmOptions { FixRootPageLeak = w.FixRootPageLeak, Canary = w.FpmCanary },
                FuzzCanary = w.Canary,
            };
            // Room in the DSM control for far more segments than the limit allows (144 slots).
            var control = new DsmControl(new DsmControlOptions(MaxBackends: 16, Seed: 1));
            _b = new DsmBackend[w.Backends];
            _areas = new DsaArea?[w.Backends];
            for (int i = 0; i < w.Backends; i++) _b[i] = control.Attach(i);
            _areas[0] = DsaArea.dsa_create_ext(_b[0], TrancheId, w.InitSegmentSize, _l.P.DSA_MAX_SEGMENT_SIZE, _l, _options);
            _handle = _areas[0]!.dsa_get_handle();
            _areas[0]!.dsa_set_size_limit(w.Limit);
            for (int i = 1; i < w.Backends; i++) _areas[i] = DsaArea.dsa_attach(_b[i], _handle, _l, _options);
            _model = new DsaModel(new DsaModelGeometry(_l.P.DSA_OFFSET_WIDTH, _l.P.DSA_MAX_SEGMENT_SIZE, w.InitSegmentSize, _l.P.DSA_MAX_SEGMENT_SIZE), w.Limit);
        }

        public DsaArea? AnyAttached => _areas.FirstOrDefault(a => a is not null);

        private int Attached => _areas.Count(a => a is not null);

        public DsaRunResult Run(IReadOnlyList<DsaOp> ops)
        {
            _trace?.WriteLine($"# {_w}");
            Outcome o = After(-1, "setup", null);
            for (int i = 0; i < ops.Count && !o.IsFailure; i++)
            {
                int leakedBefore = _leaked.Count;
                _result = 0;
                o = Step(i, ops[i]);
                _onStep?.Invoke(new DsaStepInfo(ops[i], _result, _snap?.Segments.Count ?? 0, _model.Count, _leaked.Count != leakedBefore));
            }
            ulong lost = _lost.Values.Aggregate(0UL, (a, b) => a + b);
            if (!o.IsFailure) _trace?.WriteLine($"ok: {_model.Count} live, {_leaked.Count} span object(s) leaked (D1), {lost} page(s) lost (F1), {_ooms} OOM, {_skipped} skipped");
            return new DsaRunResult(o, _leaked.Count, lost, _skipped, _ooms);
        }

        private Outcome Skip(int step, string why)
        {
            _trace?.WriteLine($"{step}: skipped: {why}");
            _skipped++;
            _result = 3;
            return Outcome.Ok;
        }

        /// <summary>The backend that does an op: the one named, or the lowest attached.</summary>
        private (int, DsaArea?) Actor(DsaOp op)
        {
            int b = op.Backend % _w.Backends;
            if (_areas[b] is { } a) return (b, a);
            for (int i = 0; i < _areas.Length; i++) if (_areas[i] is { } x) return (i, x);
            return (b, null);
        }

        private Outcome Step(int step, DsaOp op)
        {
            string text = DsaOpText.Instance.Format(op);
            (int b, DsaArea? a) = Actor(op);
            if (op.Code == DsaOpCode.Attach)
            {
                b = op.Backend % _w.Backends;
                if (_areas[b] is not null) return Skip(step, $"{text}: backend {b} is attached");
                _trace?.WriteLine($"{step}: {text}");
                Outcome? t = Guard(step, "attach", () => _areas[b] = DsaArea.dsa_attach(_b[b], _handle, _l, _options));
                return t ?? After(step, "attach", _areas[b]);
            }
            if (a is null) return Skip(step, $"{text}: no backend is attached");
            if (b != op.Backend % _w.Backends) _trace?.WriteLine($"{step}: backend {op.Backend % _w.Backends} is detached: b{b} does it");
            switch (op.Code)
            {
                case DsaOpCode.Alloc:
                    return Alloc(step, op, a, text);
                case DsaOpCode.Free:
                case DsaOpCode.Write:
                case DsaOpCode.Read:
                    return OnLive(step, op, a, text);
                case DsaOpCode.Trim:
                    _trace?.WriteLine($"{step}: {text}");
                    return Guard(step, "trim", a.dsa_trim) ?? After(step, "trim", a);
                case DsaOpCode.Limit:
                    return Limit(step, op, a, text);
                case DsaOpCode.Detach:
                    if (Attached == 1 && !_pinned) return Skip(step, $"{text}: the last reference of an unpinned area (it would be destroyed)");
                    _trace?.WriteLine($"{step}: {text}");
                    foreach (ulong dp in a.LeakedSpanObjects) _leaked.Add(dp);
                    Outcome? d = Guard(step, "detach", a.dsa_detach);
                    _areas[b] = null;
                    return d ?? After(step, "detach", AnyAttached);
                case DsaOpCode.Pin:
                case DsaOpCode.Unpin:
                    return Pin(step, op.Code == DsaOpCode.Pin, a, text);
                default:
                    return Skip(step, $"{text}: unknown op");
            }
        }

        private Outcome Alloc(int step, DsaOp op, DsaArea a, string text)
        {
            if (op.Size == 0) return Skip(step, $"{text}: dsa_allocate(0) is a contract violation (Assert)");
            (ulong total, int freeSlots, ulong firstFree) = SegmentsBefore();
            DsaExpect expect = _model.Expect(op.Size, op.Flags, total, freeSlots, firstFree);
            ulong dp = 0;
            string? error = null;
            Outcome? thrown = Guard(step, "alloc", () => dp = a.dsa_allocate_extended(op.Size, op.Flags), e => error = e);
            if (thrown is { } t) return t;
            bool noOom = (op.Flags & DSA_ALLOC_NO_OOM) != 0;
            _trace?.WriteLine($"{step}: {text} -> {(error is not null ? "ERROR " + error : dp == 0 ? "Invalid" : Dp(dp))} (model: {expect})");

            if (expect == DsaExpect.Invalid)
            {
                if (error is not null && error.StartsWith("invalid DSA memory alloc request size", StringComparison.Ordinal))
                {
                    _result = 2;
                    return After(step, "alloc", a);
                }
                return Mismatch(step, "alloc/invalid-size", $"{text}: expected ERROR invalid DSA memory alloc request size, got {(error ?? Dp(dp))}");
            }
            if (error is not null)
            {
                if (error != "out of memory") return new Outcome(OutcomeKind.Crash, step, "alloc/error", $"{text}: ERROR {error}");
                if (noOom) return Mismatch(step, "alloc/no-oom-error", $"{text}: DSA_ALLOC_NO_OOM raised ERROR out of memory instead of returning Invalid");
            }
            if (dp == 0)
            {
                if (error is null && !noOom) return Mismatch(step, "alloc/invalid-without-no-oom", $"{text}: returned Invalid without DSA_ALLOC_NO_OOM");
                _ooms++;
                _reach.Hit(DsaReach.AllocOutOfMemory);
                _result = 1;
                if (expect == DsaExpect.MustSucceed)
                    return Mismatch(step, "alloc/oom-must-succeed", $"{text}: out of memory, but a fresh segment fits it (total {total}, limit {_model.Limit}, {freeSlots} free slots)");
                return After(step, "alloc", a);
            }
            if (expect == DsaExpect.MustFail)
                return Mismatch(step, "alloc/must-fail", $"{text}: succeeded, but live {_model.LiveBytes()} bytes plus this exceed the capacity (total {total}, limit {_model.Limit})");
            if (op.Size > DsaSizeClasses.MaxClassSize) _reach.Hit(DsaReach.LargeObject);
            byte seed = (op.Flags & DSA_ALLOC_ZERO) != 0 ? (byte)0 : (byte)(1 + step % 255);
            string? wrong = _model.Allocated(dp, op.Size, 0);
            if (wrong is not null) return Mismatch(step, "alloc/pointer", wrong);
            if ((op.Flags & DSA_ALLOC_ZERO) != 0)
            {
                Outcome? z = Verify(step, a, b: -1, dp, full: true);
                if (z is not null) return z.Value with { Site = "alloc/zero" };
            }
            else
            {
                Outcome? w = Guard(step, "write", () => Write(a, dp, seed));
                if (w is not null) return w.Value;
            }
            return After(step, "alloc", a, dp);
        }

        private Outcome OnLive(int step, DsaOp op, DsaArea a, string text)
        {
            if (_model.Count == 0) return Skip(step, $"{text}: nothing is live");
            ulong dp = _model.Pointers[(int)((uint)op.Index % (uint)_model.Count)];
            _trace?.WriteLine($"{step}: {text} = {Dp(dp)} ({_model.SizeOf(dp)} bytes)");
            switch (op.Code)
            {
                case DsaOpCode.Free:
                    Outcome? f = Guard(step, "free", () => a.dsa_free(dp));
                    if (f is not null) return f.Value;
                    _model.Freed(dp);
                    return After(step, "free", a);
                case DsaOpCode.Write:
                    Outcome? w = Guard(step, "write", () => Write(a, dp, op.Seed));
                    return w ?? After(step, "write", a, dp);
                default:
                    return Verify(step, a, -1, dp, full: false) ?? After(step, "read", a, dp);
            }
        }

        private Outcome Limit(int step, DsaOp op, DsaArea a, string text)
        {
            ulong total = 0;
            Outcome? g = Guard(step, "limit", () => total = a.dsa_get_total_size());
            if (g is not null) return g.Value;
            ulong limit = (DsaLimitKind)(op.Index % 5) switch
            {
                DsaLimitKind.Below => total - FpmLayout.FPM_PAGE_SIZE,
                DsaLimitKind.Equal => total,
                DsaLimitKind.Above => total + FpmLayout.FPM_PAGE_SIZE,
                DsaLimitKind.Initial => _w.Limit,
                _ => total + (1 << 20),
            };
            limit = Math.Min(limit, Math.Max(DsaWorkload.MaxLimit, _w.Limit));
            _trace?.WriteLine($"{step}: {text}: total {total}, limit {limit}");
            Outcome? s = Guard(step, "limit", () => a.dsa_set_size_limit(limit));
            if (s is not null) return s.Value;
            _model.SetLimit(limit, total);
            return After(step, "limit", a);
        }

        private Outcome Pin(int step, bool pin, DsaArea a, string text)
        {
            if (!pin && !_pinned && Attached + (_pinned ? 1 : 0) <= 1)
                return Skip(step, $"{text}: unpinning the only reference asserts refcnt > 1");
            string? expected = pin ? (_pinned ? "dsa_area already pinned" : null) : (_pinned ? null : "dsa_area not pinned");
            string? error = null;
            _trace?.WriteLine($"{step}: {text}{(expected is null ? "" : $" (expect ERROR {expected})")}");
            Outcome? t = Guard(step, text, () => { if (pin) a.dsa_pin(); else a.dsa_unpin(); }, e => error = e);
            if (t is not null) return t.Value;
            if (error != expected)
                return Mismatch(step, pin ? "pin/error" : "unpin/error", $"{text}: expected {(expected is null ? "no ERROR" : "ERROR " + expected)}, got {(error is null ? "none" : "ERROR " + error)}");
            if (error is null) _pinned = pin;
            else _result = 2;
            return After(step, pin ? "pin" : "unpin", a);
        }

        // ------------------------------------------------------------------ contents

        private void Write(DsaArea a, ulong dp, byte seed)
        {
            ulong p = a.dsa_get_address(dp);
            foreach (ulong j in DsaModel.Probes(_model.SizeOf(dp))) a.M.WriteU8(p + j, DsaModel.Expected(seed, j));
            _model.Written(dp, seed);
        }

        /// <summary>Reads an allocation through <paramref name="a"/>: its probes, or with
        /// <paramref name="full"/> every byte up to 64 KiB (a fresh DSA_ALLOC_ZERO object).</summary>
        private Outcome? Verify(int step, DsaArea a, int b, ulong dp, bool full)
        {
            ulong size = _model.SizeOf(dp);
            byte seed = _model.SeedOf(dp);
            ulong p = 0;
            Outcome? g = Guard(step, "get_address", () => p = a.dsa_get_address(dp));
            if (g is not null) return g;
            IEnumerable<ulong> at = full ? Enumerable.Range(0, (int)Math.Min(size, 65536)).Select(i => (ulong)i).Concat(DsaModel.Probes(size)) : DsaModel.Probes(size);
            try
            {
                foreach (ulong j in at)
                {
                    byte got = a.M.ReadU8(p + j), want = DsaModel.Expected(seed, j);
                    if (got != want)
                        return Mismatch(step, "content", $"backend {a.Dsm.MyProcNumber}: {Dp(dp)}+{j} ({size} bytes) reads 0x{got:x2}, expected 0x{want:x2}");
                }
            }
            catch (SimFaultException e)
            {
                return new Outcome(OutcomeKind.Fault, step, "content/fault", $"backend {a.Dsm.MyProcNumber} reading {Dp(dp)}: {e.Message}");
            }
            _ = b;
            return null;
        }

        // ------------------------------------------------------------------ after every op

        private (ulong Total, int FreeSlots, ulong FirstFree) SegmentsBefore()
        {
            DsaSnapshot s = _snap!;
            int max = _l.P.DSA_MAX_SEGMENTS;
            ulong first = 1;
            while (first < (ulong)max && s.Handles.ContainsKey(first)) first++;
            return (s.TotalSegmentSize, max - s.Handles.Count, first);
        }

        private Outcome After(int step, string what, DsaArea? acting, ulong touched = 0)
        {
            foreach (DsaArea? x in _areas) if (x is not null) foreach (ulong dp in x.LeakedSpanObjects) _leaked.Add(dp);
            DsaArea? checker = acting ?? AnyAttached;
            if (checker is null)
            {
                _walkedLastOp = false;
                return Outcome.Ok;
            }
            var errors = new List<string>();
            bool alloc = what == "alloc";
            DsaSnapshot before = _snap ?? new DsaSnapshot();
            DsaSnapshot now;
            try
            {
                now = DsaCheck.Walk(checker, errors, new DsaCheckOptions
                {
                    Live = _model.LiveSizes(),
                    LimitLowered = _model.LimitLowered,
                    // F1 is checked below (PostgreSQL loses at most one page per Get); with the fix, none
                    CheckLostPages = _w.FixRootPageLeak,
                    KnownLeakedSpanObjects = _leaked,
                    Previous = _snap,
                    PreviousIsOneOperation = _walkedLastOp,
                }, _areas.OfType<DsaArea>());
            }
            catch (SimFaultException e)
            {
                return new Outcome(OutcomeKind.Fault, step, "check/fault", e.Message);
            }
            _walkedLastOp = true;
            if (step >= 0 && _snap is not null && now.Handles.Count != before.Handles.Count)
                _reach.Hit(now.Handles.Count > before.Handles.Count ? DsaReach.SegmentAdded : DsaReach.SegmentFreed);
            _snap = now;
            if (_w.Checking && errors.Count > 0) return Violation(step, errors);

            // F1: lost pages are counted, at most one per FreePageManager Get (two Gets per
            // allocation: a block of spans and a superblock), and never come back
            foreach ((ulong i, ulong n) in now.LostPages)
            {
                ulong was = _lost.TryGetValue(i, out ulong k) ? k : 0;
                if (!_w.FixRootPageLeak && (n > was + (alloc ? 2UL : 0UL)))
                    return Violation(step, [$"DSA3: segment {i}: {n} page(s) owned by nobody, {n - was} new in one {what}, more than F1 explains"]);
                if (n > was)
                {
                    _trace?.WriteLine($"{step}: F1: segment {i} lost {n - was} page(s) to the FreePageManager's root-page leak");
                    _lost[i] = n;
                }
            }
            if (step >= 0 && _snap is not null && before.TotalSegmentSize != 0 && _model.CheckTotal(before.TotalSegmentSize, now.TotalSegmentSize) is { } over)
                return Mismatch(step, $"{what}/total", over);

            int expectRefcnt = Attached + (_pinned ? 1 : 0);
            if (checker.refcnt != expectRefcnt)
                return Mismatch(step, $"{what}/refcnt", $"refcnt is {checker.refcnt}, expected {expectRefcnt} ({Attached} attached{(_pinned ? ", pinned" : "")})");

            if (_w.Checking)
            {
                foreach (ulong dp in _model.Pointers)
                    if (Verify(step, checker, -1, dp, full: false) is { } bad) return bad;
            }
            else if (touched != 0 && _model.Pointers.Contains(touched) && Verify(step, checker, -1, touched, full: false) is { } bad)
            {
                return bad;
            }
            return Outcome.Ok;
        }

        private string Dp(ulong dp) => $"{_l.P.DSA_EXTRACT_SEGMENT_NUMBER(dp)}:0x{_l.P.DSA_EXTRACT_OFFSET(dp):x}";

        private static Outcome Mismatch(int step, string site, string reason) => new(OutcomeKind.ModelMismatch, step, site, reason);

        private Outcome Violation(int step, List<string> errors)
        {
            foreach (string e in errors) _trace?.WriteLine($"  {e}");
            string id = errors[0].Split(':')[0];
            return new Outcome(OutcomeKind.InvariantFailed, step, $"check/{id}", errors[0] + (errors.Count > 1 ? $" (+{errors.Count - 1} more)" : ""));
        }

        /// <summary>Runs a port call; ERRORs go to <paramref name="onError"/> when given (the caller
        /// decides whether one was expected), everything else becomes an outcome.</summary>
        private static Outcome? Guard(int step, string what, Action action, Action<string>? onError = null)
        {
            try
            {
                action();
                return null;
            }
            catch (AssertionFailureException e)
            {
                return new Outcome(OutcomeKind.InvariantFailed, step, $"{what}/assert", e.Message);
            }
            catch (PgFatalException e)
            {
                return new Outcome(OutcomeKind.Crash, step, $"{what}/fatal", e.Message);
            }
            catch (SimFaultException e)
            {
                return new Outcome(OutcomeKind.Fault, step, $"{what}/fault", e.Message);
            }
            catch (PgErrorException e) when (onError is not null)
            {
                onError(e.Message);
                return null;
            }
            catch (PgErrorException e)
            {
                return new Outcome(OutcomeKind.Crash, step, $"{what}/error", e.Message);
            }
        }
    }
}
