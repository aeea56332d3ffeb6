// AllocatorRunner: the port-vs-model oracle. Runs an AllocatorOp list against a fresh simulated
// process (SimMemory + SimHeap + Mcxt after MemoryContextInit) and the reference model
// (src/Models) side by side, compares them, and classifies the first failure as a Outcome.
//
// Per op: the model predicts (Expectation), the port runs inside a catch-all, the outcome class
// and PostgreSQL's exact ERROR text are compared, then the model commits. Every `VerifyEvery` ops
// (and at the end) the whole state is compared (AllocatorRunner.Verify.cs): contents, tree shape,
// isReset/IsEmpty, chunk owners and GetMemoryChunkSpace, accounting relations, callbacks fired,
// CurrentMemoryContext, walker WARNINGs and MemoryContextVerify.
//
// Leak check (end of run): the runner switches to TopMemoryContext, deletes every context the ops
// created, resets TopMemoryContext (ResetOnly: it may hold chunks and blocks from palloc while it
// was current) and frees its own scratch block. PostgreSQL then keeps, on purpose, exactly:
//   * TopMemoryContext and ErrorContext: one malloc block each (8192 bytes each, their keeper);
//   * every AllocSet context on aset.c's recycled-context lists (list 0: (min 0, init 8 KiB),
//     list 1: (0, 1 KiB); at most 100 each): one malloc block each, its keeper chunk.
// The heap must hold exactly baseline(after MemoryContextInit) + those recycled keepers, in blocks
// and in bytes; anything else is a Leak.
//
// Reach goals (MmgrReach) are observed around operations: the heap's live blocks before and after a
// pfree or a reset, its failed-call counters, a create's address against the recycled list.
//
// Speed: one SimMemory and one SimHeap per runner are reused (SimHeap.Reset, which clears only
// what the last run used) so a run allocates neither a heap array nor a live-block table; the
// model uses lists; contents are compared with span SequenceEqual.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner : IReachReporter
{
    /// <summary>Most callbacks one run registers (the records live in the runner's scratch block).</summary>
    public const int CallbacksMax = 64;
    private const ulong ScratchBytes = CallbacksMax * 24 + 64;

    private readonly RunnerOptions _options;
    private readonly SimMemory _memory;
    private readonly SimHeap _heap;
    // The oracle reads WARNINGs only; below that nothing is kept, so the port skips composing its
    // out-of-memory stats dump (ElogSink.Wants), which it would otherwise format on every OOM.
    private readonly ElogSink _log = new() { MinLevel = ElogLevel.Warning };
    private readonly List<int> _fired = new();
    // The invariant walkers' collections, kept across runs although each run builds a new Mcxt.
    private readonly VerifyScratch _verifyScratch = new();

    // Per-run state.
    private Mcxt _mcxt = null!;
    private AllocatorModel _model = null!;
    private ulong _scratch;
    private ulong _callbackFunc;
    private HeapSnapshot _baseline;
    private int _opIndex;
    private AllocatorOp? _op;
    private TextWriter? _trace;
    private readonly List<ModelContext> _scratchContexts = new();

    public AllocatorRunner(RunnerOptions options)
    {
        _options = options;
        _memory = new SimMemory(options.HeapMax, 1 << 16);
        _memory.TrackHeapWrites();   // lets VerifyAll recheck only bytes that may have changed
        _heap = new SimHeap(_memory);
    }

    public RunnerOptions Options => _options;

    /// <summary>The reach goals of the current run (shared when a target runs two runners).</summary>
    public ReachHits Reach { get; set; } = new(MmgrReach.Goals);

    private bool Checking => _options.Mcxt.MemoryContextChecking;

    /// <summary>A failure found by the runner's own comparisons.</summary>
    private sealed class OracleFailure(OutcomeKind kind, string site, string reason) : Exception(reason)
    {
        public OutcomeKind Kind { get; } = kind;
        public string Site { get; } = site;
    }

    /// <summary>The model the last run ended with (for tests and traces).</summary>
    public AllocatorModel? LastModel => _model;

    private SimHeapOptions? _heapOverride;

    /// <summary>Runs the ops with other heap options (the OOM property's FailOnCall).</summary>
    public RunResult RunWithHeap(IReadOnlyList<AllocatorOp> ops, SimHeapOptions heap, TextWriter? trace = null)
    {
        _heapOverride = heap;
        try
        {
            return Run(ops, trace);
        }
        finally
        {
            _heapOverride = null;
        }
    }

    /// <summary>Runs the ops; never throws for anything the port or the ops do.</summary>
    public RunResult Run(IReadOnlyList<AllocatorOp> ops, TextWriter? trace = null)
    {
        _trace = trace;
        int executed = 0, skipped = 0;
        _opIndex = -1;
        _op = null;
        try
        {
            Setup();
        }
        catch (Exception e)
        {
            return new RunResult(new Outcome(OutcomeKind.Crash, -1, "setup", $"setup failed: {OneLine(e)}"), 0, 0, 0, false);
        }
        try
        {
            int every = _options.VerifyEvery, walkEvery = Math.Max(1, _options.WalkEvery), points = 0;
            for (int i = 0; i < ops.Count; i++)
            {
                _opIndex = i;
                _op = ops[i];
                bool ran = Step(ops[i]);
                if (ran) executed++;
                else skipped++;
                if (_aborted) return Finish(Outcome.Ok, executed, skipped);
                if (every > 0 && (i + 1) % every == 0) VerifyAll(walk: ++points % walkEvery == 0);
            }
            _opIndex = ops.Count;
            _op = null;
            VerifyAll(walk: true);
            if (_options.CheckLeaks) CleanupAndCheckLeaks();
            return Finish(Outcome.Ok, executed, skipped);
        }
        catch (OracleFailure f)
        {
            return Finish(new Outcome(f.Kind, _opIndex, f.Site, f.Message), executed, skipped);
        }
        catch (Exception e)
        {
            // Something escaped the per-op classification (the runner's own verification calls
            // into the port, e.g. a walker that faulted): classify it the same way.
            var (cls, what) = Classify(e);
            return Finish(new Outcome(cls, _opIndex, $"{SiteOp()}/{what}", OneLine(e)), executed, skipped);
        }
    }

    private RunResult Finish(Outcome outcome, int executed, int skipped)
    {
        _trace?.WriteLine(outcome.IsFailure ? $"FAIL {outcome.Kind} at op {outcome.Step} [{outcome.Site}]: {outcome.Reason}" : _aborted ? "end: process aborted where PostgreSQL asserts (expected)" : "end: ok");
        return new RunResult(outcome, executed, skipped, _heap.Calls, _aborted);
    }

    private bool _aborted;

    private void Setup()
    {
        _aborted = false;
        _log.Clear();
        _fired.Clear();
        SimHeapOptions heapOptions = (_heapOverride ?? _options.Heap)?.Clone() ?? new SimHeapOptions();
        _heap.Reset(heapOptions);   // a fresh heap (and SimMemory.ResetHeap) without reallocating its tables
        _mcxt = new Mcxt(_memory, _heap, _options.Mcxt, _log, _verifyScratch);
        // Setup must not be hit by scripted failures: they are counted from after it.
        long failOn = heapOptions.FailOnCall, failFrom = heapOptions.FailFromCall;
        heapOptions.FailOnCall = 0;
        heapOptions.FailFromCall = 0;
        _mcxt.MemoryContextInit();
        _baseline = _heap.Snapshot();
        _scratch = _heap.Malloc(ScratchBytes);
        heapOptions.FailOnCall = failOn;
        heapOptions.FailFromCall = failFrom;
        _heap.ResetCounters();
        List<int> fired = _fired;
        _callbackFunc = _mcxt.RegisterCallbackFunction(arg => fired.Add((int)arg));
        _model = new AllocatorModel(new ModelOptions
        {
            Checking = Checking,
            Clobber = _options.Mcxt.ClobberFreedMemory,
            HeapMax = _options.HeapMax,
            TrackFreed = _options.AllowHostile && Checking,
            AssertBuild = _options.Mcxt.AssertChecking,
        });
        _model.Top.Address = _mcxt.TopMemoryContext;
        _model.ErrorContext.Address = _mcxt.ErrorContext;
        SetupAccounting();
    }

    /// <summary>Baseline heap after MemoryContextInit (TopMemoryContext + ErrorContext).</summary>
    public HeapSnapshot Baseline => _baseline;

    // ------------------------------------------------------------------ classification helpers

    private static (OutcomeKind, string) Classify(Exception e) => e switch
    {
        PgErrorException => (OutcomeKind.ModelMismatch, "error"),
        SimFaultException => (OutcomeKind.Fault, "fault"),
        AssertionFailureException => (OutcomeKind.InvariantFailed, "assert"),
        PgFatalException => (OutcomeKind.ModelMismatch, "fatal"),
        _ => (OutcomeKind.Crash, e.GetType().Name),
    };

    internal static string OneLine(Exception e)
    {
        string s = e is PgErrorException pe && pe.Detail is not null ? $"{pe.Message} ({pe.Detail})" : $"{e.GetType().Name}: {e.Message}";
        return s.Replace('\n', ' ');
    }

    private string SiteOp() => _op is null ? "end" : _op.Code.ToString();

    private OracleFailure Fail(OutcomeKind cls, string what, string reason) =>
        new(cls, $"{SiteOp()}/{what}", reason);

    private static string Hex(ulong a) => $"0x{a:x}";
}
