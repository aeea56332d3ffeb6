// FuzzEngine: the deterministic, coverage-guided, in-process fuzzing loop (libFuzzer/AFL-like).
//
//   1. warm-up: one run of the empty input, discarded, so static initialisers do not count as news;
//   2. seeds: every file of the corpus folders (ordinal order) runs once; inputs that add coverage
//      enter the in-memory corpus, failing ones become findings;
//   3. loop, Execs times: pick a corpus entry (recent ones favoured), mutate it at the operation
//      level (when the target is IStructureAware) or at the byte level, run it; keep it if its
//      bucketed coverage is new; record it as a finding if it fails with a new signature.
// Every decision comes from one Prng seeded with options.Seed; the clock is read only for the
// optional --seconds stop and the exec/s display. Hence same seed + same Execs => same corpus and
// same findings, which the engine tests pin.
using System.Diagnostics;
using Harness.Determinism;

namespace Harness.Fuzzing.Engine;

public sealed class FuzzEngine
{
    private const int RecentWindow = 8;

    private readonly FuzzEngineOptions _options;
    private readonly FuzzExecutor _executor;
    private readonly IStructureAware? _structure;
    private readonly ByteMutator _bytes;
    private readonly TextWriter _log;
    private readonly Prng _rng;
    private readonly List<byte[]> _corpus = new();
    private readonly List<Finding> _findings = new();
    private readonly Dictionary<string, Finding> _bySignature = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = new();
    private long _corpusBytes;
    private long _execs;

    public FuzzEngine(IFuzzTarget target, IReadOnlyList<ICoverageSource> sources, FuzzEngineOptions options, TextWriter log)
    {
        if (sources.Count == 0) throw new ArgumentException("at least one coverage source is needed", nameof(sources));
        _options = options;
        _executor = new FuzzExecutor(target, sources);
        _structure = target as IStructureAware;
        _bytes = new ByteMutator(_structure?.Dictionary);
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
        _executor.Run(ReadOnlySpan<byte>.Empty); // warm-up, discarded

        int seeds = LoadSeeds();
        if (_corpus.Count == 0) Consider(Array.Empty<byte>(), -1, forceKeep: true);
        if (_corpus.Count == 0) _corpus.Add(Array.Empty<byte>()); // even the empty input fails: mutate from it anyway
        Status("INITED");
        long statusAt = 1;
        bool stoppedByTime = false;
        double startLoop = _clock.Elapsed.TotalSeconds;
        for (_execs = 0; _execs < _options.Execs;)
        {
            if (_options.Seconds is double limit && (_execs & 127) == 0 && _clock.Elapsed.TotalSeconds >= limit)
            {
                stoppedByTime = true;
                break;
            }
            byte[] parent = Pick();
            byte[] other = _corpus[_rng.Index(_corpus.Count)];
            byte[] child = _structure is not null && _rng.Chance((ulong)_options.StructureShareOf8, 8)
                ? _structure.MutateStructure(parent, other, _rng, _options.MaxLength)
                : _bytes.Havoc(parent, other, _rng, _options.MaxLength);
            if (child.Length > _options.MaxLength) child = child[.._options.MaxLength];
            long index = _execs++;
            Consider(child, index, forceKeep: false);
            if (_execs == statusAt)
            {
                Status("pulse");
                statusAt = statusAt < _options.StatusEvery ? Math.Min(statusAt * 2, _options.StatusEvery) : statusAt + _options.StatusEvery;
            }
        }
        double seconds = _clock.Elapsed.TotalSeconds - startLoop;
        Status("DONE");
        if (stoppedByTime)
            _log.WriteLine($"stopped by --seconds {_options.Seconds} after {_execs} executions; repeat exactly with --seed {_options.Seed} --execs {_execs}");
        return new FuzzRunResult(_execs, stoppedByTime, seconds, seeds, _corpus.ToList(), _findings.ToList(), _executor.Edges, _executor.Features);
    }

    private int LoadSeeds()
    {
        int count = 0;
        foreach (string dir in _options.CorpusDirs)
        {
            var problems = new List<string>();
            List<CorpusFile> files = CorpusFolder.Load(dir, _options.MaxLength, problems);
            foreach (string p in problems) _log.WriteLine($"corpus: {p}");
            foreach (CorpusFile f in files)
            {
                Consider(f.Data, -1, forceKeep: false);
                count++;
            }
            _log.WriteLine($"corpus: {files.Count} inputs read from {dir}, {problems.Count} problems");
        }
        return count;
    }

    // Runs one input; keeps it in the corpus when it adds coverage, records it when it fails.
    private void Consider(byte[] input, long execIndex, bool forceKeep)
    {
        FuzzOutcome outcome = _executor.Run(input);
        if (outcome.IsFailure)
        {
            RecordFinding(outcome, input, execIndex);
            return;
        }
        Novelty n = _executor.Evaluate(commit: true);
        if (!n.IsNew && !forceKeep) return;
        _corpus.Add(input);
        _corpusBytes += input.Length;
        if (_options.OutDir is not null) CorpusFolder.Save(Path.Combine(_options.OutDir, "corpus"), input);
    }

    private void RecordFinding(FuzzOutcome outcome, byte[] input, long execIndex)
    {
        if (_bySignature.TryGetValue(outcome.Signature, out Finding? known))
        {
            known.Hits++;
            return;
        }
        var finding = new Finding(outcome, input, execIndex);
        _bySignature.Add(outcome.Signature, finding);
        _findings.Add(finding);
        _log.WriteLine($"#{_execs} FINDING {outcome.Signature} at op {outcome.OpIndex}: {outcome.Reason}");
        if (_options.OutDir is null) return;
        var artifact = FindingWriter.ToArtifact(_executor.Target, _options.Seed, _options.TargetConfig, outcome, input);
        finding.ArtifactPath = FindingWriter.Write(Path.Combine(_options.OutDir, "findings"), artifact, input, out string raw);
        finding.RawPath = raw;
        _log.WriteLine($"  artifact: {finding.ArtifactPath}");
        _log.WriteLine($"  reproduce: harness repro {finding.ArtifactPath}");
    }

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
        long rate = s > 0 ? (long)(_executor.Executions / s) : 0;
        _log.WriteLine($"#{_execs}\t{label} cov: {_executor.Edges} ft: {_executor.Features} corp: {_corpus.Count}/{FormatBytes(_corpusBytes)} exec/s: {rate} findings: {_findings.Count} ({_executor.EdgesBySource})");
    }

    private static string FormatBytes(long b) => b < 10_000 ? $"{b}b" : b < 10_000_000 ? $"{b / 1024}Kb" : $"{b / (1024 * 1024)}Mb";
}
