// BufferScenarioInstance: the common frame of the buffer manager's concurrency scenarios. One
// BufferPool per instance, tiny (a few 1 KiB buffers), reset in place every iteration over a new
// SimStorage holding one permanent relation of a few initialised pages and a new SimWal; every
// backend attached again over the explorer's runtime for it (BufferPool.Attach maps the pool's
// segments into the runtime's memory once). Each page keeps the scenario's data where the runner
// keeps it (BufferRunner.OffValue: a 64-bit value; OffHint: a 32-bit hint word), inside the hole an
// initialised page leaves, so writes never disturb the header.
//
// Page history (§20's `pages: Tag -> value`, §19.6 D3): the scenarios record the page reads and
// writes their backends issue (History: invocation before the calls that lead to the access, response
// after it) and the drops that send pages to ⊥; the final check runs the linearizability checker on
// it against PageRegisterModel, whose initial values are what storage holds at the start
// (RegisterInitial). A setup backend's changes in OnReset are recorded too, as operations that end
// before the iteration starts.
//
// The final check runs the scenario's own end-state checks, then the page history's check (a
// failure is not-linearizable at OutcomeKinds.LinearizabilitySite; a search that runs out of its
// state budget is reported, never passed: the explorer classifies it as a timeout at
// "linearizability-budget", a budget that ran out before the check finished), then BufMgrCheck's
// walk of the pool at quiescence (every §19 invariant), failing with the first violation's id as
// the site. The history comes before the pool walk because it is the end-to-end statement (what
// the backends saw); the scenarios' own checks come first because their messages are the most
// specific.
//
// Everything the backends decide with comes from their own code and the scenario's managed state
// (the explorer runs one backend at a time, so managed fields need no locks); no scheduling point
// is added here except where a scenario takes a header lock to look at a state word.
using Allocator.Buffers;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Explore;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Scenarios;

public abstract partial class BufferScenarioInstance : ScenarioInstance
{
    public const int BlckSz = 1024;

    /// <summary>The scenarios' relation (permanent, so writes obey WAL-before-data and hints log
    /// full-page images).</summary>
    public static readonly BufferRelation Rel = new(new RelFileLocator(1663, 5, 16384), Permanent: true);

    protected readonly IReadOnlyList<ISyncRuntime> Rt;
    protected readonly BufferPool Pool;
    /// <summary>The backends of the current iteration (attached again by every Reset).</summary>
    protected readonly BufMgr[] B;
    protected readonly int Pages;
    protected SimStorage Storage = null!;

    /// <summary>This iteration's page reads, writes and drops (cleared by Reset).</summary>
    protected readonly PageRegisterHistory History = new();

    private readonly byte[][] _initialPages;
    private readonly Action[] _bodies;
    private readonly PageRegisterModel _pageModel;

    protected BufferScenarioInstance(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes, int nbuffers, int pages, BufferCanary canary,
        BufferAllocVariant allocVariant = BufferAllocVariant.V17)
        : base(config)
    {
        Rt = runtimes;
        Pages = pages;
        // one spare proc slot (procno = Backends) for a setup backend, as PostgreSQL keeps auxiliary slots
        Pool = new BufferPool(new BufferPoolOptions(NBuffers: nbuffers, BlckSz: BlckSz, MaxBackends: config.Backends, DataChecksums: true)
        {
            Canary = canary,
            AllocVariant = allocVariant,
        }, new SimStorage(BlckSz, checksumsEnabled: true), new SimWal());
        Pool.NameObjects(runtimes[0]);
        B = new BufMgr[config.Backends];
        _initialPages = new byte[pages][];
        for (int p = 0; p < pages; p++)
        {
            var page = new byte[BlckSz];
            PageHeader.PageInit(page);
            BitConverter.TryWriteBytes(page.AsSpan(BufferRunner.OffValue, 8), InitialValue(p));
            PageChecksum.SetInplace(page, (uint)p);
            _initialPages[p] = page;
        }
        _pageModel = new PageRegisterModel(RegisterInitial);
        _bodies = new Action[config.Backends];
        for (int i = 0; i < config.Backends; i++)
        {
            int me = i;
            _bodies[i] = () => Body(me);
        }
    }

    public override Action[] Bodies => _bodies;

    /// <summary>The planted bug this instance's pool runs (None: PostgreSQL).</summary>
    public BufferCanary Canary => Pool.Options.Canary;

    protected abstract void Body(int me);

    /// <summary>The value page <paramref name="page"/> holds on disk at the start.</summary>
    protected static ulong InitialValue(int page) => 1000UL * (ulong)(page + 1);

    /// <summary>The page register's initial value for history key <paramref name="key"/>: what
    /// storage holds for that block at the start. Keys are the scenario relation's page numbers;
    /// a scenario with more relations gives their pages other keys and overrides this.</summary>
    protected virtual ulong RegisterInitial(int key) => InitialValue(key);

    /// <summary>The page operations recorded in the current (or last) iteration.</summary>
    public IReadOnlyList<HistoryOp> PageHistory => History.Ops;

    /// <summary>Whether the final check runs the page-history check (on by default; off only to
    /// measure what it costs, bench/Allocator.Bench/Buffers/PageHistoryCheckBenchmarks.cs).</summary>
    public bool CheckPageHistory { get; set; } = true;

    /// <summary>The page-history check's search budget (states); a history it cannot decide within
    /// it fails the iteration as a timeout at "linearizability-budget". The default is far above
    /// what these histories (tens of operations) need.</summary>
    public long PageCheckMaxStates { get; set; } = LinearizabilityChecker.DefaultMaxStates;

    /// <summary>The last iteration's page-history verdict (null before the first final check).</summary>
    public LinearizabilityResult? LastPageCheck { get; private set; }

    /// <summary>Search states the page-history checks entered since this instance was made (the
    /// checker's own counter, for reports).</summary>
    public long PageCheckStates { get; private set; }

    /// <summary>The page's bytes as they are on disk at the start.</summary>
    protected ReadOnlySpan<byte> InitialPage(int page) => _initialPages[page];

    public override void Reset()
    {
        Storage = new SimStorage(BlckSz, checksumsEnabled: true);
        Storage.Create(Rel.Locator, ForkNumber.MAIN_FORKNUM);
        for (int p = 0; p < Pages; p++) Storage.Extend(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)p, _initialPages[p]);
        Pool.Reset(Storage, new SimWal());
        for (int i = 0; i < B.Length; i++) B[i] = Pool.Attach(i, Rt[i]);
        History.Clear();
        History.Notes = Lanes is null ? null : Note;
        NoUnpinnedErrors = 0;
        OnReset();
    }

    /// <summary>Scenario state, and any setup done before the backends run (by a setup backend
    /// over a sequential runtime, never by the explored ones).</summary>
    protected virtual void OnReset() { }

    /// <summary>The setup backend's proc number (the spare slot), under which its page operations are recorded.</summary>
    protected int SetupProc => B.Length;

    /// <summary>A backend for setup in the spare proc slot, over a sequential runtime (it runs
    /// before the iteration, alone). Attach it in OnReset; it stays attached until the next Reset.</summary>
    protected BufMgr AttachSetupBackend() => Pool.Attach(B.Length, mem => new SequentialSyncRuntime(mem));

    public override IEnumerable<(ulong Obj, string Mode)> HeldBy(int backend)
    {
        BufMgr? b = B[backend];
        if (b is null) yield break;
        for (int h = 0; h < b.Backend.LWLocks.NumHeld; h++)
        {
            var e = b.Backend.LWLocks.Held(h);
            yield return (e.Lock.StateAddr, LWLockBackend.ModeName(e.Mode));
        }
    }

    public override void CheckFinal()
    {
        OnCheckFinal();
        if (CheckPageHistory)
        {
            LinearizabilityResult lin = History.Check(_pageModel, PageCheckMaxStates);
            LastPageCheck = lin;
            PageCheckStates += lin.StatesExplored;
            lin.ThrowIfNotLinearizable();
        }
        List<string> errors = BufMgrCheck.Check(Pool, Pool.Backends, quiescent: true, r => r == Rel.Locator);
        if (errors.Count > 0)
        {
            string first = errors[0];
            int colon = first.IndexOf(':', StringComparison.Ordinal);
            throw new ScenarioCheckException(colon > 0 ? first[..colon] : "BufMgrCheck", string.Join("; ", errors));
        }
    }

    /// <summary>The scenario's own end-state checks (before the pool walk).</summary>
    protected virtual void OnCheckFinal() { }

    // ---- helpers for bodies and checks

    /// <summary>Each backend's block choices from <paramref name="firstBackend"/> on, drawn once from
    /// its data stream (the same every iteration). The default mix: backend b walks the blocks from b
    /// in steps of two, so the backends' blocks collide and cycle through more blocks than there are
    /// buffers.</summary>
    protected int[][] BlockPlan(int firstBackend)
    {
        var plan = new int[Config.Backends][];
        for (int b = firstBackend; b < Config.Backends; b++)
        {
            Allocator.Common.Prng prng = DataPrng(b);
            plan[b] = Enumerable.Range(0, Config.Ops).Select(op => Config.MixSeed == 0 ? (b + 2 * op) % Pages : prng.Index(Pages)).ToArray();
        }
        return plan;
    }

    protected static BufferTag TagOf(int page) => new(Rel.Locator.SpcOid, Rel.Locator.DbOid, Rel.Locator.RelNumber, ForkNumber.MAIN_FORKNUM, (uint)page);

    protected int Read(int me, int page) => B[me].ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, (uint)page);

    /// <summary>PostgreSQL's ERROR when a sweep finds every buffer pinned.</summary>
    public const string NoUnpinnedBuffers = "no unpinned buffers available";

    /// <summary>Ops that ended in "no unpinned buffers available" in the last iteration (all backends).</summary>
    public int NoUnpinnedErrors { get; protected set; }

    /// <summary>ReadBuffer, or null when it raised "no unpinned buffers available" (possible with as
    /// many pinners as buffers, as in PostgreSQL): the backend aborts as a real one does at an ERROR,
    /// the op is skipped and counted.</summary>
    protected int? ReadOrNoUnpinned(int me, int page)
    {
        try
        {
            return Read(me, page);
        }
        catch (Allocator.Common.PgErrorException e) when (e.Message == NoUnpinnedBuffers)
        {
            NoUnpinnedErrors++;
            B[me].AbortCurrentTransaction();
            return null;
        }
    }

    /// <summary>One read-modify-write of a page's value, as an access method updates a tuple:
    /// ReadBuffer, exclusive content lock, value + 1, MarkBufferDirty, unlock, release. The read
    /// (invoked before ReadBuffer, seen under the lock) and the write (invoked after the read,
    /// responding after the release) go to the page history; <paramref name="wrote"/> hears the new
    /// value as soon as it is in the page, and <paramref name="checkPinned"/>(buffer, when) runs at
    /// each point where the scenario checks what its pin holds. False when ReadBuffer raised "no
    /// unpinned buffers available".</summary>
    protected bool UpdatePage(int me, int page, Action<ulong> wrote, Action<int, string> checkPinned)
    {
        long invoke = History.Invoke();
        if (ReadOrNoUnpinned(me, page) is not int buffer) return false;
        checkPinned(buffer, "after ReadBuffer");
        B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        checkPinned(buffer, "after the exclusive content lock");
        ulong seen = ValueIn(me, buffer);
        History.Read(me, page, invoke, seen);
        long invokeWrite = History.Invoke();
        ulong v = seen + 1;
        WriteValue(me, buffer, v);
        wrote(v);
        B[me].MarkBufferDirty(buffer);
        checkPinned(buffer, "after MarkBufferDirty");
        B[me].LockBuffer(buffer, BufferLockMode.BUFFER_LOCK_UNLOCK);
        checkPinned(buffer, "after unlocking");
        B[me].ReleaseBuffer(buffer);
        History.Write(me, page, invokeWrite, v);
        return true;
    }

    /// <summary>The value in buffer <paramref name="buffer"/>'s page, read through the backend's own memory.</summary>
    protected ulong ValueIn(int me, int buffer) => B[me].Backend.Memory.ReadU64(B[me].BufferGetPage(buffer) + BufferRunner.OffValue);

    protected void WriteValue(int me, int buffer, ulong value) => B[me].Backend.Memory.WriteU64(B[me].BufferGetPage(buffer) + BufferRunner.OffValue, value);

    /// <summary>A backend's pinned buffer still holds <paramref name="page"/>: its tag (readable
    /// without a lock while we pin it) and BM_TAG_VALID | BM_VALID in its state.</summary>
    protected void CheckStillPinned(int me, int buffer, int page, string when)
    {
        BufferTag tag = B[me].BufferGetTag(buffer);
        Check(tag == TagOf(page), "pinned-buffer-evicted", $"backend {me} pins buffer {buffer} for block {page} but {when} its tag is {tag.RelPath()} block {tag.BlockNum}");
        uint s = Pool.InitMemory.ReadU32(Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer).StateAddr);
        Check((s & (BM_TAG_VALID | BM_VALID)) == (BM_TAG_VALID | BM_VALID), "pinned-buffer-evicted",
            $"backend {me} pins buffer {buffer} for block {page} but {when} its state is 0x{s:x8} (not tag-valid and valid)");
    }

    /// <summary>The buffer holding <paramref name="page"/> valid at quiescence, or -1 (buf id).</summary>
    protected int ResidentBufId(int page)
    {
        BufferTag want = TagOf(page);
        for (int i = 0; i < Pool.NBuffers; i++)
        {
            BufferDesc d = Pool.Descriptors.GetBufferDescriptor(i);
            uint s = Pool.InitMemory.ReadU32(d.StateAddr);
            if ((s & BM_VALID) != 0 && BufferDescriptors.ReadTag(Pool.InitMemory, d) == want) return i;
        }
        return -1;
    }

    protected uint StateOf(int bufId) => Pool.InitMemory.ReadU32(Pool.Descriptors.GetBufferDescriptor(bufId).StateAddr);
}
