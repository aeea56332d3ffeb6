// clock-sweep (issue 13, scenario 9; spec §12.2-12.4, §19.4 F4/F5): three backends read pairs of
// blocks of a relation twice the size of a four-buffer pool and hold both pins at once (pin the
// first, pin the second, check both, release both: up to six pins for four buffers), so the pool
// is fully pinned in some schedules and not in others, nearly every read sweeps the clock, and the
// hand wraps every few ticks. After
// every op the backend calls StrategySyncStart as the bgwriter does and checks what it reports.
//
// The oracles watch the sweep through each backend's seam: every backend's runtime is wrapped by
// a SweepObserver, which sees each clock ticket (the fetch-add on nextVictimBuffer), each wrap
// fold (a successful CAS on it), each start of a StrategyGetBuffer call (its one fetch-add on
// numBufferAllocs; no rings here) and, after a ticket, the state word the backend's header lock
// returned for that buffer: the very value StrategyGetBuffer decides on. The observer does not
// decide anything and adds no scheduling point (its bookkeeping runs inside the step it watches).
//
// 1. Hand and passes (F4). Every tick adds one to nextVictimBuffer. A fold by the backend whose
//    ticket was a nonzero multiple of NBuffers replaces the value e it finds by e mod NBuffers and
//    counts one pass, so the position completePasses*NBuffers + nextVictimBuffer (what
//    StrategySyncStart reports as passes*NBuffers + result) moves by NBuffers*(1 - floor(e/N)).
//    When the fold finds e in [N, 2N) that is nothing; but a folder delayed while the others tick
//    the hand to 2N or beyond takes away two or more passes' worth and counts one (and a folder
//    whose pass someone else's fold already took counts one for nothing). So the position is not
//    the tick count in PostgreSQL: it is ticks - N * lost, lost = the sum over completed folds of
//    floor(e/N) - 1, and it can go backwards (across a fold that found e >= 2N) and stay behind
//    for good. That is the exact check made at every StrategySyncStart (with the ticks and folds
//    as of its read of the hand under the spinlock: folds take the spinlock too, ticks do not),
//    plus: the position never decreases between two reports unless such a fold came between; and
//    at the end completePasses is the number of folds, no fold is pending and the hand is at most
//    NBuffers (a hand beyond that has an unfolded wrap ticket).
// 2. "no unpinned buffers available" (F5). PostgreSQL's guarantee is about what the failing
//    backend saw: trycounter starts at NBuffers, is reset by every usage-count decrement and
//    drops by one per pinned buffer, so the ERROR means the backend's last NBuffers looks in this
//    call (each under the buffer's header lock) all found a pinned buffer. It does not mean the
//    pool was fully pinned, nor that every buffer was pinned at some moment of the call: the other
//    backends take tickets from the same hand, so the failing backend's NBuffers looks may land on
//    the same pinned buffers while an unpinned one is ticked (and decremented, or taken) only by
//    others. Checking "all pinned" would raise false alarms on PostgreSQL, and so would the spec's
//    shortcut (§19.4 F5: never raised while fewer than NBuffers are pinned throughout the call):
//    the instance counts ERRORs raised while some buffer had refcount 0 (ErrorsWithUnpinnedBuffer)
//    and while some buffer was pinned by nobody during the whole failing call
//    (ErrorsWithABufferNeverPinned), to show both happen. The check is exactly the
//    guarantee: at the ERROR, the backend has looked at NBuffers or more buffers in this call and
//    the last NBuffers state words its header lock returned all have refcount > 0.
// 3. Every pinned buffer still holds its block, valid, with the block's bytes (the pages are only
//    read); the pool walk (BufMgrCheck) at the end.
//
// A backend that gets the ERROR aborts (AbortCurrentTransaction releases the pin it held) and goes
// on with its next op.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class ClockSweepScenario : BufferScenarioInstance
{
    public const int NBuffers = 4, RelPages = 8;
    public const string NoUnpinned = "no unpinned buffers available";

    private readonly SweepObserver _obs;
    /// <summary>Each backend's pair of blocks per op (drawn once; the same every iteration).</summary>
    private readonly (int First, int Second)[][] _plan;

    public ClockSweepScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : this(config, new SweepObserver(config.Backends, NBuffers), rt, canary)
    {
    }

    private ClockSweepScenario(ScenarioConfig config, SweepObserver obs, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary)
        : base(config, obs.Wrap(rt), NBuffers, RelPages, canary)
    {
        Reach = new ReachHits([BuffersReach.ClockSweepGaveUp]);
        _obs = obs;
        _obs.Bind(Pool);
        _plan = new (int, int)[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            Prng prng = DataPrng(b);
            _plan[b] = new (int, int)[config.Ops];
            for (int op = 0; op < config.Ops; op++)
            {
                int first = config.MixSeed == 0 ? (2 * b + op) % RelPages : prng.Index(RelPages);
                int second = config.MixSeed == 0 ? (first + RelPages / 2) % RelPages : (first + 1 + prng.Index(RelPages - 1)) % RelPages;
                _plan[b][op] = (first, second);
            }
        }
    }

    /// <summary>The observer's view of the last iteration (counts for tests and reports).</summary>
    public SweepObserver Observer => _obs;

    /// <summary>Of those, the ones raised while some buffer had refcount 0 (legitimate in PostgreSQL).</summary>
    public int ErrorsWithUnpinnedBuffer { get; private set; }

    /// <summary>Of those, the ones raised although some buffer was pinned by nobody at any moment
    /// of the failing call (so fewer than NBuffers were pinned throughout it).</summary>
    public int ErrorsWithABufferNeverPinned { get; private set; }

    /// <summary>Over every iteration of this instance: iterations with an ERROR, with an ERROR while
    /// a buffer was unpinned, with one while a buffer stayed unpinned the whole call, and with a
    /// pass lost to a late fold.</summary>
    public int IterationsWithError { get; private set; }
    public int IterationsWithErrorWhileUnpinned { get; private set; }
    public int IterationsWithErrorBufferNeverPinned { get; private set; }
    public int IterationsWithLostPass { get; private set; }

    protected override void OnReset()
    {
        _obs.Reset();
        ErrorsWithUnpinnedBuffer = 0;
        ErrorsWithABufferNeverPinned = 0;
    }

    protected override void Body(int me)
    {
        foreach ((int first, int second) in _plan[me])
        {
            try
            {
                int a = Read(me, first);
                CheckPage(me, a, first);
                int b = Read(me, second);
                CheckPage(me, b, second);
                CheckPage(me, a, first);
                B[me].ReleaseBuffer(b);
                B[me].ReleaseBuffer(a);
            }
            catch (PgErrorException e) when (e.Message == NoUnpinned)
            {
                NoUnpinnedErrors++;
                if (AnyBufferUnpinned()) ErrorsWithUnpinnedBuffer++;
                if (_obs.NeverPinnedInCall(me) > 0) ErrorsWithABufferNeverPinned++;
                string? wrong = _obs.CheckNoUnpinnedError(me);
                Check(wrong is null, "no-unpinned-false", $"backend {me}: {NoUnpinned}, but {wrong}");
                B[me].AbortCurrentTransaction();
            }
            int result = Freelist.StrategySyncStart(B[me].Backend, Pool.Strategy, out uint passes, out _);
            string? bad = _obs.CheckSyncStart(me, result, passes);
            Check(bad is null, "clock-position", $"backend {me}: StrategySyncStart reported passes {passes}, result {result}: {bad}");
        }
    }

    private void CheckPage(int me, int buffer, int page)
    {
        CheckStillPinned(me, buffer, page, "while it holds two pins");
        ulong v = ValueIn(me, buffer);
        Check(v == InitialValue(page), "wrong-page", $"backend {me} pins block {page} in buffer {buffer}, which holds {v}, not the block's {InitialValue(page)}");
    }

    private bool AnyBufferUnpinned()
    {
        for (int i = 0; i < NBuffers; i++)
            if (BUF_STATE_GET_REFCOUNT(StateOf(i)) == 0) return true;
        return false;
    }

    protected override void OnCheckFinal()
    {
        if (NoUnpinnedErrors > 0)
        {
            IterationsWithError++;
            Reached(BuffersReach.ClockSweepGaveUp);
        }
        if (ErrorsWithUnpinnedBuffer > 0) IterationsWithErrorWhileUnpinned++;
        if (ErrorsWithABufferNeverPinned > 0) IterationsWithErrorBufferNeverPinned++;
        if (_obs.Lost > 0) IterationsWithLostPass++;
        StrategyControl sc = Pool.Strategy;
        string? bad = _obs.CheckQuiescent(sc.CompletePasses(Pool.InitMemory), sc.NextVictimBuffer(Pool.InitMemory));
        Check(bad is null, "clock-position", $"at the end: {bad}");
    }

    /// <summary>Watches the clock sweep through the backends' seams (see the file header) and
    /// holds the oracles' arithmetic, which tests feed directly too.</summary>
    public sealed class SweepObserver
    {
        private readonly int _n;
        private ulong _nextVictimAddr = ulong.MaxValue, _allocsAddr = ulong.MaxValue;
        private ulong[] _stateAddrs = [];
        private SimMemory? _mem;
        /// <summary>Per backend, the buffers seen pinned (refcount > 0 in the published state word)
        /// at some moment of its current StrategyGetBuffer call.</summary>
        private readonly bool[][] _pinnedInCall;
        /// <summary>Per backend, this StrategyGetBuffer call's looks: the buffer ticked and the
        /// state word its header lock returned (null until it is locked).</summary>
        private readonly List<(int Buf, uint? State)>[] _looks;
        /// <summary>Per backend, its last read of the hand: ticks, lost passes and absorbing folds then.</summary>
        private readonly (long Ticks, long Lost, int Absorbing, long Seq)[] _atRead;
        private long _reads;
        private long _lastReportSeq = -1, _lastReportPosition;
        private int _lastReportAbsorbing;

        public SweepObserver(int backends, int nbuffers)
        {
            _n = nbuffers;
            _looks = new List<(int, uint?)>[backends];
            for (int i = 0; i < backends; i++) _looks[i] = [];
            _atRead = new (long, long, int, long)[backends];
            _pinnedInCall = new bool[backends][];
            for (int i = 0; i < backends; i++) _pinnedInCall[i] = new bool[nbuffers];
        }

        /// <summary>Clock tickets drawn (fetch-adds on nextVictimBuffer).</summary>
        public long Ticks { get; private set; }
        /// <summary>Completed wrap folds.</summary>
        public long Folds { get; private set; }
        /// <summary>Sum over completed folds of floor(e/N) - 1 (passes the position lost).</summary>
        public long Lost { get; private set; }
        /// <summary>Folds that found the hand at 2N or beyond (the position may go back across one).</summary>
        public int Absorbing { get; private set; }
        /// <summary>Wrap tickets drawn whose fold has not completed.</summary>
        public int PendingWraps { get; private set; }

        /// <summary>A test's hook: added to the ticks the oracles compare with (0: the true count).</summary>
        public long TickSkew { get; set; }

        public IReadOnlyList<ISyncRuntime> Wrap(IReadOnlyList<ISyncRuntime> inner) =>
            inner.Select((rt, i) => (ISyncRuntime)new Seam(rt, this, i)).ToList();

        public void Bind(BufferPool pool)
        {
            _nextVictimAddr = pool.Strategy.NextVictimBufferAddr;
            _allocsAddr = pool.Strategy.NumBufferAllocsAddr;
            _stateAddrs = Enumerable.Range(0, pool.NBuffers).Select(i => pool.Descriptors.GetBufferDescriptor(i).StateAddr).ToArray();
            _mem = pool.InitMemory;
        }

        public void Reset()
        {
            Ticks = Folds = Lost = 0;
            Absorbing = PendingWraps = 0;
            _reads = 0;
            _lastReportSeq = -1;
            _lastReportPosition = 0;
            _lastReportAbsorbing = 0;
            foreach (var l in _looks) l.Clear();
            foreach (bool[] p in _pinnedInCall) Array.Clear(p);
            Array.Clear(_atRead);
        }

        // ---- what the seams report (inside the step that did it)

        internal void OnFetchAdd(int backend, ulong addr, uint old)
        {
            if (addr == _allocsAddr)
            {
                _looks[backend].Clear(); // a new StrategyGetBuffer call
                for (int i = 0; i < _n; i++) _pinnedInCall[backend][i] = BUF_STATE_GET_REFCOUNT(_mem!.ReadU32(_stateAddrs[i])) > 0;
            }
            else if (addr == _nextVictimAddr)
            {
                Ticks++;
                _looks[backend].Add(((int)(old % (uint)_n), null));
                if (old >= _n && old % (uint)_n == 0) PendingWraps++;
            }
        }

        internal void OnFetchOr(int backend, ulong addr, uint or, uint old)
        {
            if ((or & BM_LOCKED) == 0 || (old & BM_LOCKED) != 0) return;
            List<(int Buf, uint? State)> looks = _looks[backend];
            if (looks.Count == 0) return;
            (int buf, uint? state) = looks[^1];
            if (state is null && _stateAddrs[buf] == addr) looks[^1] = (buf, old);
        }

        /// <summary>A store or CAS that may have published a new refcount (a pin, an unpin, an
        /// UnlockBufHdr): note who is pinned now.</summary>
        internal void OnStateChange(ulong addr)
        {
            int buf = Array.IndexOf(_stateAddrs, addr);
            if (buf < 0 || BUF_STATE_GET_REFCOUNT(_mem!.ReadU32(addr)) == 0) return;
            foreach (bool[] p in _pinnedInCall) p[buf] = true;
        }

        /// <summary>The buffers nobody pinned at any moment of <paramref name="backend"/>'s current
        /// call (the spec's F5 shortcut would call an ERROR then wrong; PostgreSQL can raise it).</summary>
        public int NeverPinnedInCall(int backend) => _pinnedInCall[backend].Count(p => !p);

        internal void OnCompareExchange(ulong addr, uint replaced, bool success)
        {
            if (success) OnStateChange(addr);
            if (!success || addr != _nextVictimAddr) return;
            Folds++;
            PendingWraps--;
            long whole = replaced / (uint)_n;
            Lost += whole - 1;
            if (whole >= 2) Absorbing++;
        }

        internal void OnReadHand(int backend, ulong addr)
        {
            if (addr == _nextVictimAddr) _atRead[backend] = (Ticks, Lost, Absorbing, _reads++);
        }

        // ---- the oracles

        /// <summary>Oracle 2 at an ERROR of <paramref name="backend"/>: null if its last N looks in
        /// this call all found a pinned buffer, else what is wrong.</summary>
        public string? CheckNoUnpinnedError(int backend) => CheckLooks(_looks[backend], _n);

        public static string? CheckLooks(IReadOnlyList<(int Buf, uint? State)> looks, int n)
        {
            if (looks.Count < n) return $"it looked at only {looks.Count} buffers in this call (NBuffers is {n})";
            for (int i = looks.Count - n; i < looks.Count; i++)
            {
                (int buf, uint? state) = looks[i];
                if (state is not uint s) return $"look {i} (buffer {buf + 1}) never took the header lock";
                if (BUF_STATE_GET_REFCOUNT(s) == 0)
                    return $"look {i} of the call's {looks.Count} (buffer {buf + 1}, within the last {n}) found it unpinned (state 0x{s:x8}, usage {BUF_STATE_GET_USAGECOUNT(s)})";
            }
            return null;
        }

        /// <summary>Oracle 1 at a StrategySyncStart of <paramref name="backend"/>.</summary>
        public string? CheckSyncStart(int backend, int result, uint passes)
        {
            (long ticks, long lost, int absorbing, long seq) = _atRead[backend];
            long position = (long)passes * _n + result;
            string? bad = CheckPosition(position, result, ticks + TickSkew, lost, _n);
            if (bad is not null) return bad;
            // reports are checked in the order their reads took the spinlock where they can be:
            // compare with the latest earlier read already checked
            if (seq > _lastReportSeq)
            {
                if (_lastReportSeq >= 0 && absorbing == _lastReportAbsorbing && position < _lastReportPosition)
                    return $"the position went back from {_lastReportPosition} to {position} with no fold of a hand at 2N or beyond in between";
                _lastReportSeq = seq;
                _lastReportPosition = position;
                _lastReportAbsorbing = absorbing;
            }
            return null;
        }

        public static string? CheckPosition(long position, int result, long ticks, long lost, int n)
        {
            if (result < 0 || result >= n) return $"result {result} is not a buffer index";
            long expected = ticks - (long)n * lost;
            return position == expected ? null
                : $"position passes*N + result = {position}, but {ticks} ticks less {lost} pass(es) lost to late folds make {expected}";
        }

        /// <summary>Oracle 1 at the end of an iteration, from the shared words.</summary>
        public string? CheckQuiescent(uint completePasses, uint nextVictimBuffer)
        {
            if (PendingWraps != 0) return $"{PendingWraps} wrap ticket(s) never folded";
            if (completePasses != Folds) return $"completePasses is {completePasses}, but {Folds} folds completed";
            if (nextVictimBuffer > _n) return $"nextVictimBuffer is {nextVictimBuffer} (> NBuffers {_n}) with no fold pending";
            return CheckPosition((long)completePasses * _n + nextVictimBuffer, (int)(nextVictimBuffer % (uint)_n), Ticks + TickSkew, Lost, _n);
        }
    }

    /// <summary>A backend's runtime with the observer listening: every operation goes to the
    /// explorer's runtime unchanged; the observer is told after the ones it watches.</summary>
    private sealed class Seam : ForwardingSyncRuntime
    {
        private readonly SweepObserver _obs;
        private readonly int _backend;

        public Seam(ISyncRuntime inner, SweepObserver obs, int backend) : base(inner)
        {
            _obs = obs;
            _backend = backend;
        }

        public override uint AtomicRead32(ulong addr)
        {
            uint v = base.AtomicRead32(addr);
            _obs.OnReadHand(_backend, addr);
            return v;
        }
        public override void AtomicWrite32(ulong addr, uint value)
        {
            base.AtomicWrite32(addr, value);
            _obs.OnStateChange(addr);
        }
        public override bool AtomicCompareExchange32(ulong addr, ref uint expected, uint newval)
        {
            uint replaced = expected;
            bool ok = base.AtomicCompareExchange32(addr, ref expected, newval);
            _obs.OnCompareExchange(addr, replaced, ok);
            return ok;
        }
        public override uint AtomicFetchAdd32(ulong addr, uint add)
        {
            uint old = base.AtomicFetchAdd32(addr, add);
            _obs.OnFetchAdd(_backend, addr, old);
            return old;
        }
        public override uint AtomicFetchOr32(ulong addr, uint or)
        {
            uint old = base.AtomicFetchOr32(addr, or);
            _obs.OnFetchOr(_backend, addr, or, old);
            return old;
        }
    }
}
