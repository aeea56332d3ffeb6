// FuzzEngineOptions: everything that decides what an in-process fuzzing run does. Seed, Execs and
// Workers fix the run completely (same seed, execution count, worker count and target config: same
// corpus, same findings); Seconds can only stop it earlier (between batches), and the run then
// reports the count it reached.
namespace Harness.Fuzz.Engine;

public sealed record FuzzEngineOptions
{
    /// <summary>The seed of the mutation PRNG (printed first by `harness fuzz`).</summary>
    public ulong Seed { get; init; }

    /// <summary>Mutated executions to run after the seed inputs (the budget that decides what runs).</summary>
    public long Execs { get; init; } = 100_000;

    /// <summary>Optional wall-clock stop; null for none. Never changes what runs, only where it stops.</summary>
    public double? Seconds { get; init; }

    /// <summary>Longest input the engine creates or loads (bytes).</summary>
    public int MaxLength { get; init; } = 4096;

    /// <summary>Print a status line every this many executions (after the first powers of two).</summary>
    public long StatusEvery { get; init; } = 50_000;

    /// <summary>Seed corpus folders, read in the given order (files in ordinal order within each).</summary>
    public IReadOnlyList<string> CorpusDirs { get; init; } = Array.Empty<string>();

    /// <summary>Where new corpus entries (OUT/corpus) and findings (OUT/findings) go; null keeps them in memory.</summary>
    public string? OutDir { get; init; }

    /// <summary>Target configuration recorded in artifacts (ops-max, canary...), so a replay runs the same target.</summary>
    public IReadOnlyDictionary<string, string> TargetConfig { get; init; } = new Dictionary<string, string>();

    /// <summary>Executing workers (threads, each with its own target instance): 1..MaxWorkers.
    /// Candidate j of a batch runs on worker j mod Workers, so results depend on it.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Most workers a run may use (a bound, not a tuning: each is a thread with its own target).</summary>
    public const int MaxWorkers = 16;

    /// <summary>Candidates generated from one corpus state and executed together (an engine
    /// constant, not a CLI option: it changes what runs, so it stays fixed unless a test says otherwise).</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    public const int DefaultBatchSize = 64;

    /// <summary>Stop after the batch in which the first finding appeared (time-to-bug runs). A count
    /// decides it (the batch boundary), so the run is still repeatable from its seed.</summary>
    public bool StopAtFirstFinding { get; init; }

    /// <summary>Where the run's JSONL events go (start, stats, coverage, finding, end); null for none.
    /// Written to, never read: it cannot change what runs.</summary>
    public Harness.Report.EventLog? Events { get; init; }

    /// <summary>A sync directory shared with other workers (in-process and afl-fuzz): kept entries are
    /// exported to it and other workers' entries imported every Sync.ImportEvery executions. Null
    /// (the default) touches nothing; with one, the run depends on what other processes wrote, so it
    /// is no longer repeatable from its seed (the start event says so).</summary>
    public Harness.Fuzz.Sync.SyncWorker? Sync { get; init; }

    /// <summary>Out of 8: how often an operation-level mutation is used when the target is structure-aware.</summary>
    public int StructureShareOf8 { get; init; } = 5;
}
