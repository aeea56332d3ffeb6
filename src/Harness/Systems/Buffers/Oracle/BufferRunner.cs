// BufferRunner: runs a BufferOp sequence against the buffer-manager port (src/Allocator/Buffers)
// and the reference model (Models.Buffers.BufferModel) side by side, one whole operation at a time
// on one host thread (SequentialSyncRuntime), and classifies what happened.
//
// Per operation it checks:
//   * the port's result against the model's prediction: page values and hints read under a lock,
//     the ERRORs a call must raise ("no unpinned buffers available", a read beyond the end), the
//     answer of a conditional cleanup lock, the buffer a pin lands in (one buffer per page, and a
//     pinned buffer keeps its tag: M1, B14);
//   * the backends' private pin counts against the pins the model says they hold (a lost or extra
//     pin is a leak at the operation that made it);
//   * in checking mode, BufMgrCheck's walk of the whole pool (§19 invariants) after every operation.
// ERRORs from injected storage faults are accepted where the model cannot predict them: the
// operation fails, the backend's transaction aborts (the resource owner releases its pins and
// locks, §16.5), and the model drops that backend's pins and locks. A simulated power loss (the
// Crash op, or a crash or torn write injected at an I/O) discards the pool, replays the flushed WAL
// and checks every page on disk against the model's crash candidates.
//
// Operations whose preconditions a correct caller would not meet (a lock that would wait on
// another backend, a truncate of a pinned relation, a pin index of a backend with no pins) are
// skipped and counted; they cannot wait in a sequential run.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Sim;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Core;
using Models.Buffers;

namespace Harness.Systems.Buffers.Oracle;

public sealed record BufferRunOptions(BufferWorkload Workload, bool Checking = true, BufferCanary Canary = BufferCanary.None)
{
    /// <summary>In checking mode, walk the pool after every k-th operation (and at the end and
    /// before every crash); 1 = after every operation.</summary>
    public int CheckEvery { get; init; } = 1;

    /// <summary>Also run the replacement-policy oracle (BufferRunner.Policy) after every operation;
    /// operations it does not follow are skipped.</summary>
    public bool Policy { get; init; }
}

public readonly record struct BufferRunResult(Outcome Outcome, int Executed, int Skipped, int Errors, int Crashes);

/// <summary>What became of one operation (fuzzing feedback).</summary>
public enum BufferOpResult : byte { Done, Skipped, Error, Crash }

public sealed partial class BufferRunner : IReachReporter
{
    /// <summary>Where the runner keeps its data in each page: a 64-bit value and a 32-bit hint,
    /// just after the page header (inside the hole an initialised page leaves).</summary>
    public const int OffValue = PageHeader.SizeOfPageHeaderData;
    public const int OffHint = OffValue + 8;

    private readonly BufferRunOptions _options;
    private BufferWorkload _w;
    private BufferWorkload W => _w;

    // per run
    private BufferModel _model = null!;
    private SimStorage _storage = null!;
    private SimWal _wal = null!;
    private StorageFaults _faults = null!;
    private BufferPool? _pool;
    private BufMgr[] _backends = null!;
    private BufMgr _aux = null!;
    private List<int>[] _buffers = null!;   // per backend: the port buffer of each model pin, same order
    private BufferAccessStrategy?[][] _strategies = null!;
    private TextWriter? _trace;
    private int _skipped, _errors, _crashes;

    public BufferRunner(BufferRunOptions options)
    {
        options.Workload.Check();
        _options = options;
        _w = options.Workload;
    }

    public BufferRunOptions Options => _options;

    /// <summary>The reach goals (BuffersReach.RunnerGoals) the current run hit (shared when a target keeps several runners).</summary>
    public ReachHits Reach { get; set; } = new(BuffersReach.RunnerGoals);

    /// <summary>The pool of the last run (for views after a run).</summary>
    public BufferPool? Pool => _pool;

    public BufferRunResult Run(IReadOnlyList<BufferOp> ops, TextWriter? trace = null, Action<BufferOp, BufferOpResult>? observe = null) =>
        Run(ops, trace, observe, endOfRun: true);

    /// <summary>Runs <paramref name="ops"/> and stops there, every pin and lock still held (the pool
    /// as it was after the last op, for `harness buffers`); the end-of-run commits are not made.</summary>
    public BufferRunResult RunPrefix(IReadOnlyList<BufferOp> ops, TextWriter? trace = null) => Run(ops, trace, null, endOfRun: false);

    /// <summary>Runs <paramref name="ops"/> with other initial relation sizes (same backends, pool and
    /// block size as the runner's workload: the pool is kept between runs).</summary>
    public BufferRunResult Run(BufferWorkload workload, IReadOnlyList<BufferOp> ops, TextWriter? trace = null, Action<BufferOp, BufferOpResult>? observe = null)
    {
        BufferWorkload shape = _options.Workload;
        if (workload.Backends != shape.Backends || workload.NBuffers != shape.NBuffers || workload.BlckSz != shape.BlckSz)
            throw new ArgumentException($"workload {workload} does not fit this runner's pool ({shape})", nameof(workload));
        workload.Check();
        _w = workload;
        try
        {
            return Run(ops, trace, observe, endOfRun: true);
        }
        finally
        {
            _w = shape;
        }
    }

    private BufferRunResult Run(IReadOnlyList<BufferOp> ops, TextWriter? trace, Action<BufferOp, BufferOpResult>? observe, bool endOfRun)
    {
        _trace = trace;
        _skipped = _errors = _crashes = 0;
        _faults = new StorageFaults();
        _storage = new SimStorage(W.BlckSz, checksumsEnabled: true, _faults);
        _wal = new SimWal();
        _model = new BufferModel(W.NBuffers, W.Backends, BufferWorkload.ModelRelations, W.InitialBlocks);
        CreateRelations();
        StartPool();
        StartPolicy();
        trace?.WriteLine($"# {W}");
        int i = 0;
        try
        {
            for (; i < ops.Count; i++)
            {
                BufferOp op = Normalise(ops[i]);
                int skipped = _skipped, errors = _errors, crashes = _crashes;
                RunOp(i, op);
                observe?.Invoke(op, _crashes != crashes ? BufferOpResult.Crash : _errors != errors ? BufferOpResult.Error
                    : _skipped != skipped ? BufferOpResult.Skipped : BufferOpResult.Done);
                if (_options.Checking && (i + 1) % _options.CheckEvery == 0)
                {
                    CheckPool(i, op);
                    CheckWalBeforeData(i, op);
                }
                CheckPins(i, op);
                CheckPolicy(i, op);
            }
            if (endOfRun) EndOfRun(ops.Count);
        }
        catch (RunFailure f)
        {
            if (trace is not null)
            {
                trace.WriteLine($"FAILED at step {f.Outcome.Step}: {f.Outcome}");
                trace.WriteLine(PgBufferCache.Format(PgBufferCache.Rows(_pool!), onlyUsed: true));
            }
            return new BufferRunResult(f.Outcome, i, _skipped, _errors, _crashes);
        }
        return new BufferRunResult(Outcome.Ok, ops.Count, _skipped, _errors, _crashes);
    }

    /// <summary>Backends and relation/database indices wrapped into range.</summary>
    private BufferOp Normalise(BufferOp op) => op with
    {
        Backend = (int)((uint)op.Backend % (uint)W.Backends),
        Rel = op.Code is BufferOpCode.DropDatabase or BufferOpCode.FlushDatabase
            ? (int)((uint)op.Rel % (uint)BufferWorkload.DbOids.Length)
            : (int)((uint)op.Rel % BufferWorkload.RelationCount),
    };

    // ------------------------------------------------------------------ setup

    private void CreateRelations()
    {
        var page = new byte[W.BlckSz];
        for (int r = 0; r < BufferWorkload.RelationCount; r++)
        {
            RelFileLocator loc = BufferWorkload.Relations[r].Locator;
            _storage.Create(loc, ForkNumber.MAIN_FORKNUM);
            for (uint blk = 0; blk < W.InitialBlocks[r]; blk++)
            {
                Array.Clear(page);
                PageHeader.PageInit(page);
                PageChecksum.SetInplace(page, blk);
                _storage.Extend(loc, ForkNumber.MAIN_FORKNUM, blk, page);
            }
        }
    }

    private void StartPool()
    {
        // One pool per runner, reset in place for each run and after each crash: what a restarted
        // postmaster builds, without the cost of building it.
        if (_pool is null)
        {
            var options = new BufferPoolOptions(NBuffers: W.NBuffers, BlckSz: W.BlckSz, MaxBackends: W.Backends + 1, DataChecksums: true)
            {
                Canary = _options.Canary,
            };
            _pool = new BufferPool(options, _storage, _wal);
        }
        else
        {
            _pool.Reset(_storage, _wal);
        }
        _backends = new BufMgr[W.Backends];
        _buffers = new List<int>[W.Backends];
        _strategies = new BufferAccessStrategy?[W.Backends][];
        for (int b = 0; b < W.Backends; b++)
        {
            _backends[b] = _pool!.Attach(b, mem => new SequentialSyncRuntime(mem));
            _buffers[b] = new List<int>();
            _strategies[b] = new BufferAccessStrategy?[4];
        }
        _aux = _pool!.Attach(W.Backends, mem => new SequentialSyncRuntime(mem));
    }

    private BufferAccessStrategy? Strategy(int backend, int kind)
    {
        if (kind == 0) return null;
        BufferAccessStrategyType type = kind switch
        {
            1 => BufferAccessStrategyType.BAS_BULKREAD,
            2 => BufferAccessStrategyType.BAS_BULKWRITE,
            _ => BufferAccessStrategyType.BAS_VACUUM,
        };
        return _strategies[backend][kind] ??= BufferAccessStrategy.GetAccessStrategy(type, _pool!.Descriptors, _pool.BlckSz);
    }

    // ------------------------------------------------------------------ failures

    private sealed class RunFailure : Exception
    {
        public RunFailure(Outcome outcome) : base(outcome.Reason) => Outcome = outcome;
        public Outcome Outcome { get; }
    }

    private static RunFailure Fail(OutcomeKind kind, int step, string site, string reason) => new(new Outcome(kind, step, site, reason));

    private static string Name(BufferOp op) => op.Code switch
    {
        BufferOpCode.ReadZero => "read-zero",
        BufferOpCode.DropDatabase => "drop-database",
        BufferOpCode.FlushRelation => "flush-relation",
        BufferOpCode.FlushDatabase => "flush-database",
        BufferOpCode.BgWriter => "bgwriter",
        _ => op.Code.ToString().ToLowerInvariant(),
    };

    private void Trace(int step, BufferOp op, string result) => _trace?.WriteLine($"{step,4}: {op,-40} -> {result}");

    private void Skip(int step, BufferOp op, string why)
    {
        _skipped++;
        Trace(step, op, $"skipped ({why})");
    }
}
