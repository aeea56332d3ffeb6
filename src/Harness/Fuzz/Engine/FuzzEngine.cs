// FuzzEngine: the deterministic, coverage-guided, in-process fuzzing loop (libFuzzer/AFL-like),
// batched so that W workers (threads, each with its own target instance) execute in parallel.
//
//   1. warm-up: every worker runs the empty input once, discarded, so static initialisers and a
//      target's first-run set-up do not count as news;
//   2. seeds: every file of the corpus folders (ordinal order) runs once; inputs that add coverage
//      enter the in-memory corpus, failing ones become findings;
//   3. loop, Execs times, in batches of BatchSize: the main thread generates the batch's candidates
//      in order from the one Prng and the corpus as it stands at the batch start (pick an entry,
//      recent ones favoured; mutate it at the operation level when the target is IStructureAware,
//      else at the byte level); candidate j executes on worker j mod W; then the main thread applies
//      the results in candidate order: findings (new signatures recorded), novelty with commit,
//      corpus keep and save (the file itself is written by CorpusWriter's thread), status lines.
//
// Workers judge novelty against the virgin maps as they stood at the batch start (nobody writes
// them while workers run) and capture the maps of the candidates that were new then; the apply
// phase commits those captures in order, so "new" means exactly what it means sequentially: new
// after all earlier candidates were committed. Every decision comes from the Prng seeded with
// options.Seed and from which worker ran which candidates, never from timing: same seed + same
// Execs + same Workers => same corpus and same findings, which the engine tests pin. The clock is
// read only for the optional --seconds stop (between batches), the exec/s display and the phase
// times (PhaseTimes: generate, batch, apply, busy per worker), which are reported, never read back.
//
// With a sync directory (options.Sync, `--sync-dir`), kept entries are also written to the
// worker's AFL-style queue, and after the seeds and then every Sync.ImportEvery executions (between
// batches) other workers' new queue entries run once each, as a batch, and stay when they add
// features, exactly like seeds. Those imports depend on other processes, so such a run is not
// repeatable from its seed; without a sync directory nothing of this runs or is written.
using System.Diagnostics;
using Allocator.Common;
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed partial class FuzzEngine
{
    private const int RecentWindow = 8;

    private readonly FuzzEngineOptions _options;
    private readonly Func<int, FuzzWorkerSetup> _createWorker;
    private readonly TextWriter _log;
    private readonly Prng _rng;
    private readonly List<byte[]> _corpus = new();
    private readonly List<Finding> _findings = new();
    private readonly Dictionary<string, Finding> _bySignature = new(StringComparer.Ordinal);
    private readonly WallClock _clock = new();
    private FuzzExecutor[] _executors = [];
    private IStructureAware? _structure;
    private ByteMutator _bytes = null!;
    private PhaseTimes _phases = new(1);
    private CorpusWriter? _corpusWriter;
    private long _corpusBytes;
    private long _execs;

    /// <summary>A single-worker engine on one target and its sources (options.Workers must be 1).</summary>
    public FuzzEngine(IFuzzTarget target, IReadOnlyList<ICoverageSource> sources, FuzzEngineOptions options, TextWriter log)
        : this(SingleWorker(target, sources, options), options, log)
    {
    }

    /// <summary>An engine with options.Workers workers, worker i built by <paramref name="createWorker"/>(i) (index 0 first).</summary>
    public FuzzEngine(Func<int, FuzzWorkerSetup> createWorker, FuzzEngineOptions options, TextWriter log)
    {
        if (options.Workers < 1 || options.Workers > FuzzEngineOptions.MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(options), $"Workers must be 1..{FuzzEngineOptions.MaxWorkers}, not {options.Workers}");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchSize must be positive");
        _createWorker = createWorker;
        _options = options;
        _log = log;
        _rng = new Prng(options.Seed);
    }

    /// <summary>Coverage sources for a target: its own feature map if it has one, plus the IL map when asked.</summary>
    public static IReadOnlyList<ICoverageSource> SourcesFor(IFuzzTarget target, bool includeIlMap)
    {
        var list = new List<ICoverageSource>();
        if (includeIlMap) list.Add(new CoverageMapSource());
        if (target is ITargetFeatures tf) list.Add(tf.Features);
        if (list.Count == 0) list.Add(new CoverageMapSource());
        return list;
    }

    public FuzzRunResult Run()
    {
        _clock.Start();
        CreateWorkers();
        _phases = new PhaseTimes(_options.Workers);
        using var gang = new WorkerGang(_options.Workers);
        using CorpusWriter? writer = _corpusWriter = _options.OutDir is null ? null : new CorpusWriter(Path.Combine(_options.OutDir, "corpus"));
        gang.RunOnAll(w => _executors[w].Run(ReadOnlySpan<byte>.Empty)); // warm-up, discarded
        foreach (FuzzExecutor ex in _executors) ex.Reach?.Clear();

        _options.Events?.Write("start", StartFields());
        OpenSync();
        int seeds = LoadSeeds(gang);
        Import(gang);
        if (_corpus.Count == 0) ExecuteAndApply(gang, [new FuzzCandidate(Array.Empty<byte>(), -1)], forceKeep: true);
        if (_corpus.Count == 0) _corpus.Add(Array.Empty<byte>()); // even the empty input fails: mutate from it anyway
        Status("INITED");
        long statusAt = 1;
        long importAt = _options.Sync?.ImportEvery ?? long.MaxValue;
        bool stoppedByTime = false;
        double startLoop = _clock.Elapsed.TotalSeconds;
        _phases.LoopStarted();
        for (_execs = 0; _execs < _options.Execs;)
        {
            if (_options.Seconds is double limit && _clock.Elapsed.TotalSeconds >= limit)
            {
                stoppedByTime = true;
                break;
            }
            long t0 = WallClock.Timestamp;
            var batch = new FuzzCandidate[(int)Math.Min(_options.BatchSize, _options.Execs - _execs)];
            for (int j = 0; j < batch.Length; j++) batch[j] = new FuzzCandidate(NextCandidate(), _execs + j);
            long t1 = WallClock.Timestamp;
            Execute(gang, batch, _phases);
            long t2 = WallClock.Timestamp;
            foreach (FuzzCandidate c in batch)
            {
                _execs++;
                Apply(c, forceKeep: false);
                if (_execs == statusAt)
                {
                    Status("pulse");
                    statusAt = statusAt < _options.StatusEvery ? Math.Min(statusAt * 2, _options.StatusEvery) : statusAt + _options.StatusEvery;
                }
            }
            _phases.Add(t1 - t0, t2 - t1, WallClock.Timestamp - t2);
            if (_options.StopAtFirstFinding && _findings.Count > 0) break;
            if (_execs >= importAt)
            {
                Import(gang);
                importAt += _options.Sync!.ImportEvery;
            }
        }
        writer?.Complete(); // every kept entry on disk before DONE is reported (and inside the exec/s time)
        _phases.LoopEnded();
        double seconds = _clock.Elapsed.TotalSeconds - startLoop;
        Status("DONE");
        _options.Events?.Write("end", EndFields(stoppedByTime, seeds));
        if (stoppedByTime)
            _log.WriteLine($"stopped by --seconds {_options.Seconds} after {_execs} executions; repeat exactly with --seed {_options.Seed} --execs {_execs} --workers {_options.Workers}");
        return new FuzzRunResult(_execs, stoppedByTime, seconds, seeds, _corpus.ToList(), _findings.ToList(), _executors[0].Edges, _executors[0].Features, _options.Workers, Reach(), _phases);
    }

    /// <summary>Every worker's goal counts added up (null: the target declares no goals). Called
    /// between batches only, when no worker is running.</summary>
    private ReachTally? Reach()
    {
        if (_executors[0].Reach is not { } first) return null;
        var sum = new ReachTally(first.Owner, first.Goals);
        foreach (FuzzExecutor ex in _executors) sum.Add(ex.Reach!);
        return sum;
    }

    private static Func<int, FuzzWorkerSetup> SingleWorker(IFuzzTarget target, IReadOnlyList<ICoverageSource> sources, FuzzEngineOptions options)
    {
        if (options.Workers != 1)
            throw new ArgumentException($"{options.Workers} workers need one target each: use the constructor taking a worker factory", nameof(options));
        return i => i == 0 ? new FuzzWorkerSetup(target, sources) : throw new InvalidOperationException("single-worker engine");
    }

    // Worker 0's target also mutates; every worker's sources must match worker 0's (one shared set of virgin maps).
    private void CreateWorkers()
    {
        var setups = new FuzzWorkerSetup[_options.Workers];
        for (int w = 0; w < setups.Length; w++)
        {
            setups[w] = _createWorker(w);
            if (setups[w].Sources.Count == 0) throw new ArgumentException("at least one coverage source is needed");
            for (int v = 0; v < w; v++)
            {
                if (ReferenceEquals(setups[v].Target, setups[w].Target)) throw new ArgumentException($"workers {v} and {w} share one target instance");
                foreach (ICoverageSource s in setups[w].Sources)
                    if (s is not CoverageMapSource && setups[v].Sources.Contains(s)) throw new ArgumentException($"workers {v} and {w} share the coverage source {s.Name}");
            }
            if (w > 0 && !setups[w].Sources.Select(s => (s.Name, s.Size)).SequenceEqual(setups[0].Sources.Select(s => (s.Name, s.Size))))
                throw new ArgumentException($"worker {w}'s coverage sources differ from worker 0's");
        }
        // SharpFuzz's probes write one map from every thread: parallel workers would see each other's edges.
        if (setups.Length > 1 && setups[0].Sources.Any(s => s is CoverageMapSource) && InstrumentedRun.IlCoverageAvailable)
            throw new InvalidOperationException(InstrumentedRun.WhyNoIlMapForWorkers(setups.Length));
        VirginMap[] virgin = setups[0].Sources.Select(s => new VirginMap(s.Size)).ToArray();
        _executors = setups.Select(s => new FuzzExecutor(s.Target, s.Sources, virgin)).ToArray();
        _structure = setups[0].Target as IStructureAware;
        _bytes = new ByteMutator(_structure?.Dictionary);
    }

    private int LoadSeeds(WorkerGang gang)
    {
        int count = 0;
        foreach (string dir in _options.CorpusDirs)
        {
            var problems = new List<string>();
            List<CorpusFile> files = CorpusFolder.Load(dir, _options.MaxLength, problems);
            foreach (string p in problems) _log.WriteLine($"corpus: {p}");
            for (int start = 0; start < files.Count; start += _options.BatchSize)
            {
                var batch = files.Skip(start).Take(_options.BatchSize).Select(f => new FuzzCandidate(f.Data, -1)).ToArray();
                ExecuteAndApply(gang, batch, forceKeep: false);
            }
            count += files.Count;
            _log.WriteLine($"corpus: {files.Count} inputs read from {dir}, {problems.Count} problems");
        }
        return count;
    }

    private byte[] NextCandidate()
    {
        byte[] parent = Pick();
        byte[] other = _corpus[_rng.Index(_corpus.Count)];
        byte[] child = _structure is not null && _rng.Chance((ulong)_options.StructureShareOf8, 8)
            ? _structure.MutateStructure(parent, other, _rng, _options.MaxLength)
            : _bytes.Havoc(parent, other, _rng, _options.MaxLength);
        return child.Length > _options.MaxLength ? child[.._options.MaxLength] : child;
    }

    private void ExecuteAndApply(WorkerGang gang, FuzzCandidate[] batch, bool forceKeep)
    {
        Execute(gang, batch, phases: null);
        foreach (FuzzCandidate c in batch) Apply(c, forceKeep);
    }

    // Candidate j on worker j mod W; the virgin maps are read-only until every worker is done.
    // With phases, each worker adds its own busy time (read by the main thread after the barrier).
    private void Execute(WorkerGang gang, FuzzCandidate[] batch, PhaseTimes? phases)
    {
        int workers = gang.Count;
        gang.RunOnAll(w =>
        {
            long start = WallClock.Timestamp;
            FuzzExecutor ex = _executors[w];
            for (int j = w; j < batch.Length; j += workers)
            {
                FuzzCandidate c = batch[j];
                c.Outcome = ex.Run(c.Input);
                if (!c.Outcome.IsFailure && ex.HasNews()) c.Traces = ex.Capture();
            }
            phases?.AddBusy(w, WallClock.Timestamp - start);
        });
    }

    // Records a failure, or keeps the input in the corpus when it adds coverage (or is forced).
    private void Apply(FuzzCandidate c, bool forceKeep)
    {
        if (c.Outcome.IsFailure)
        {
            RecordFinding(c.Outcome, c.Input, c.ExecIndex);
            return;
        }
        bool isNew = c.Traces is not null && _executors[0].Commit(c.Traces).IsNew;
        c.Traces = null;
        if (!isNew && !forceKeep) return;
        _corpus.Add(c.Input);
        _corpusBytes += c.Input.Length;
        string? saved = _corpusWriter?.Save(c.Input);
        if (_options.Sync is { } sync)
        {
            if (c.Origin is not null) _imported++;
            sync.Export(c.Input, c.Origin ?? (c.ExecIndex < 0 ? "orig:seed" : $"execs:{c.ExecIndex},op:mutate,+cov"));
            _lastFindUnix = WallClock.UnixSeconds;
        }
        _options.Events?.Write("coverage", ("exec", c.ExecIndex), ("bytes", c.Input.Length), ("corpus", _corpus.Count),
            ("edges", _executors[0].Edges), ("features", _executors[0].Features), ("file", saved is null ? null : Path.GetFileName(saved)));
    }

    private void RecordFinding(Outcome outcome, byte[] input, long execIndex)
    {
        if (_bySignature.TryGetValue(outcome.Signature, out Finding? known))
        {
            known.Hits++;
            return;
        }
        var finding = new Finding(outcome, input, execIndex);
        _bySignature.Add(outcome.Signature, finding);
        _findings.Add(finding);
        _log.WriteLine($"#{_execs} FINDING {outcome.Signature} at op {outcome.Step}: {outcome.Reason}");
        if (_options.OutDir is null)
        {
            FindingEvent(finding);
            return;
        }
        var config = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var kv in _options.TargetConfig) config[kv.Key] = kv.Value;
        config[FindingWriter.WorkersKey] = _options.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var artifact = FindingWriter.ToArtifact(_executors[0].Target, _options.Seed, config, outcome, input);
        finding.ArtifactPath = FindingWriter.Write(Path.Combine(_options.OutDir, "findings"), artifact, input, out string raw);
        finding.RawPath = raw;
        _log.WriteLine($"  artifact: {finding.ArtifactPath}");
        _log.WriteLine($"  reproduce: harness repro {finding.ArtifactPath}");
        FindingEvent(finding);
    }

    private void FindingEvent(Finding f) =>
        _options.Events?.Write("finding", ("signature", f.Outcome.Signature), ("kind", f.Outcome.Kind.Name()), ("step", f.Outcome.Step),
            ("reason", f.Outcome.Reason), ("exec", f.ExecIndex), ("artifact", f.ArtifactPath),
            ("repro", f.ArtifactPath is null ? null : $"harness repro {f.ArtifactPath}"));

    // Recent entries are the frontier (they just found something); half the picks go there.
    private byte[] Pick()
    {
        int n = _corpus.Count;
        if (n > RecentWindow && _rng.NextBool()) return _corpus[n - 1 - _rng.Index(RecentWindow)];
        return _corpus[_rng.Index(n)];
    }

    private void Status(string label)
    {
        double s = _clock.Elapsed.TotalSeconds;
        long executions = _executors.Sum(e => e.Executions);
        long rate = s > 0 ? (long)(executions / s) : 0;
        FuzzExecutor main = _executors[0];
        _options.Events?.Write("stats", StatsFields(label, executions, rate));
        WriteSyncStats(executions, rate);
        _log.WriteLine($"#{_execs}\t{label} cov: {main.Edges} ft: {main.Features} corp: {_corpus.Count}/{FormatBytes(_corpusBytes)} exec/s: {rate} findings: {_findings.Count} ({main.EdgesBySource})");
    }

    private static string FormatBytes(long b) => b < 10_000 ? $"{b}b" : b < 10_000_000 ? $"{b / 1024}Kb" : $"{b / (1024 * 1024)}Mb";
}
