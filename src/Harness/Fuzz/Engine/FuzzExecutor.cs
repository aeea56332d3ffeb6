// FuzzExecutor: runs one input through a target with its coverage sources cleared first, and
// judges the resulting maps against the campaign's virgin maps. Shared by the engine, corpus
// minimization and crash minimization, so all three see coverage the same way. The parallel
// engine gives each worker its own executor (its own target and sources) over one shared set of
// virgin maps: workers only read them (HasNews, Capture), the main thread alone commits.
//
// A target that reports ReachGoals (IReachReporter) has its hits recorded after every execution in
// the executor's own tally (one per worker, so workers never share one), which the engine adds up.
//
// A target must never throw (IFuzzTarget contract); if one does anyway, the exception becomes a
// crash outcome here instead of ending the campaign.
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed class FuzzExecutor
{
    private readonly VirginMap[] _virgin;

    public FuzzExecutor(IFuzzTarget target, IReadOnlyList<ICoverageSource> sources)
        : this(target, sources, sources.Select(s => new VirginMap(s.Size)).ToArray())
    {
    }

    /// <summary>An executor judging against <paramref name="virgin"/> maps it shares with other executors (one per source, same sizes).</summary>
    public FuzzExecutor(IFuzzTarget target, IReadOnlyList<ICoverageSource> sources, VirginMap[] virgin)
    {
        if (virgin.Length != sources.Count) throw new ArgumentException($"{sources.Count} sources but {virgin.Length} virgin maps", nameof(virgin));
        for (int i = 0; i < sources.Count; i++)
            if (virgin[i].Size != sources[i].Size)
                throw new ArgumentException($"source {sources[i].Name} has {sources[i].Size} bytes, its virgin map {virgin[i].Size}", nameof(virgin));
        Target = target;
        Sources = sources;
        _virgin = virgin;
        _reporter = target as IReachReporter;
        if (_reporter is not null) Reach = new ReachTally($"fuzz:{target.Name}", _reporter.Reach.Goals);
    }

    private readonly IReachReporter? _reporter;

    /// <summary>The goals this executor's runs reached (null: the target declares none).</summary>
    public ReachTally? Reach { get; }

    public IFuzzTarget Target { get; }

    public IReadOnlyList<ICoverageSource> Sources { get; }

    /// <summary>Executions run so far through this executor.</summary>
    public long Executions { get; private set; }

    /// <summary>Edges seen so far, over all sources.</summary>
    public int Edges => _virgin.Sum(v => v.Edges);

    /// <summary>Cells of all sources' maps together (the denominator of afl's bitmap_cvg).</summary>
    public int EdgeMapSize => Sources.Sum(s => s.Size);

    /// <summary>(edge, bucket) features seen so far, over all sources.</summary>
    public int Features => _virgin.Sum(v => v.Features);

    /// <summary>Edges seen so far per source, "il=123 features=45".</summary>
    public string EdgesBySource => string.Join(" ", Sources.Select((s, i) => $"{s.Name}={_virgin[i].Edges}"));

    public Outcome Run(ReadOnlySpan<byte> input)
    {
        foreach (ICoverageSource s in Sources) s.Reset();
        Executions++;
        Outcome outcome;
        try
        {
            outcome = Target.Execute(input);
        }
        catch (Exception e)
        {
            outcome = new Outcome(OutcomeKind.Crash, -1, $"engine/{e.GetType().Name}",
                $"target {Target.Name} threw {e.GetType().Name}: {e.Message}");
        }
        if (_reporter is not null) Reach!.Record(_reporter.Reach);
        return outcome;
    }

    /// <summary>Novelty of the maps left by the last Run; with commit, they become "seen".</summary>
    public Novelty Evaluate(bool commit)
    {
        int edges = 0, buckets = 0;
        for (int i = 0; i < Sources.Count; i++)
        {
            Novelty n = _virgin[i].Evaluate(Sources[i].Current, commit);
            edges += n.NewEdges;
            buckets += n.NewBuckets;
        }
        return new Novelty(edges, buckets);
    }

    /// <summary>Whether the maps left by the last Run have anything new; reads the virgin maps only.</summary>
    public bool HasNews()
    {
        for (int i = 0; i < Sources.Count; i++)
            if (_virgin[i].HasNews(Sources[i].Current)) return true;
        return false;
    }

    /// <summary>The non-zero cells of the maps left by the last Run, one capture per source, for a later <see cref="Commit"/>.</summary>
    public SparseTrace[] Capture()
    {
        var traces = new SparseTrace[Sources.Count];
        for (int i = 0; i < Sources.Count; i++) traces[i] = VirginMap.Capture(Sources[i].Current);
        return traces;
    }

    /// <summary>Evaluate(commit: true) of captured maps: the same result as right after the Run they came from.</summary>
    public Novelty Commit(SparseTrace[] traces)
    {
        if (traces.Length != Sources.Count) throw new ArgumentException($"{traces.Length} captures for {Sources.Count} sources", nameof(traces));
        int edges = 0, buckets = 0;
        for (int i = 0; i < Sources.Count; i++)
        {
            Novelty n = _virgin[i].Evaluate(traces[i], commit: true);
            edges += n.NewEdges;
            buckets += n.NewBuckets;
        }
        return new Novelty(edges, buckets);
    }

    /// <summary>The bucketed features of the maps left by the last Run, as ascending integers.</summary>
    public List<int> CurrentFeatures()
    {
        var list = new List<int>();
        int offset = 0;
        foreach (ICoverageSource s in Sources)
        {
            VirginMap.FeaturesOf(s.Current, offset, list);
            offset += s.Size;
        }
        return list;
    }
}
