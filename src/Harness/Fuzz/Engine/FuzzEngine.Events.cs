// FuzzEngine, the event-log part: the fields of the start, stats and end events of a run (see
// Report/EventLog.cs), with the sync fields only when the run has a sync directory, so a run
// without one writes exactly the events it always wrote.
namespace Harness.Fuzz.Engine;

public sealed partial class FuzzEngine
{
    private (string, object?)[] StartFields()
    {
        var f = new List<(string, object?)>
        {
            ("target", _executors[0].Target.Name), ("seed", _options.Seed), ("execs", _options.Execs), ("seconds", _options.Seconds),
            ("workers", _options.Workers), ("batch", _options.BatchSize), ("max_len", _options.MaxLength),
            ("corpus_dirs", _options.CorpusDirs), ("out", _options.OutDir), ("config", _options.TargetConfig),
        };
        if (_options.Sync is { } s)
            f.AddRange([("sync_dir", s.Dir), ("sync_name", s.Name), ("sync_main", s.Main), ("import_every", s.ImportEvery),
                ("repeatable", false), ("why_not_repeatable", "imports other workers' queue entries as they appear in the sync directory")]);
        return f.ToArray();
    }

    private (string, object?)[] StatsFields(string label, long executions, long rate)
    {
        FuzzExecutor main = _executors[0];
        var f = new List<(string, object?)>
        {
            ("label", label), ("execs", _execs), ("total_execs", executions), ("exec_per_s", rate),
            ("corpus", _corpus.Count), ("corpus_bytes", _corpusBytes), ("edges", main.Edges), ("features", main.Features), ("findings", _findings.Count),
            ("reach", Reach()?.Counts),
        };
        if (_options.Sync is not null) f.Add(("imported", _imported));
        return f.ToArray();
    }

    private (string, object?)[] EndFields(bool stoppedByTime, int seeds)
    {
        var f = new List<(string, object?)>
        {
            ("execs", _execs), ("stopped_by_time", stoppedByTime), ("seed_inputs", seeds), ("corpus", _corpus.Count),
            ("edges", _executors[0].Edges), ("features", _executors[0].Features), ("findings", _findings.Count),
            ("reach", Reach()?.Counts),
            ("repeat", $"harness fuzz {_executors[0].Target.Name} --seed {_options.Seed} --execs {_execs} --workers {_options.Workers}"),
        };
        if (_options.Sync is { } s) f.AddRange([("imported", _imported), ("exported", s.Exported)]);
        f.AddRange(_phases.EventFields());
        return f.ToArray();
    }
}
