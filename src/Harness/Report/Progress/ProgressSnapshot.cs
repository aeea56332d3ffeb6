// ProgressSnapshot: what a status display shows of a running campaign at one moment, in the same
// vocabulary for every engine (fuzz, explore, check, gate, cmin, a sync worker). A number the
// engine does not have is null and is shown as "-" (a property run has no edges, a gate no corpus),
// never invented. Built by ProgressState from the event stream; read by the renderers.
namespace Harness.Report.Progress;

public sealed record ProgressSnapshot
{
    /// <summary>The writing engine (fuzz, explore, check, gate, cmin).</summary>
    public string Engine { get; init; } = "";

    /// <summary>What runs: the target, scenario, system or suite list, from the start event.</summary>
    public string Title { get; init; } = "";

    public double ElapsedSeconds { get; init; }

    /// <summary>Work done so far (executions, iterations, cases, inputs) and its unit.</summary>
    public long Done { get; init; }

    public string Unit { get; init; } = "";

    /// <summary>The count budget when the run has one (null: unlimited or unknown).</summary>
    public long? Budget { get; init; }

    /// <summary>Done per second as the engine last reported it (display only).</summary>
    public double? Rate { get; init; }

    public long? Corpus { get; init; }
    public long? Edges { get; init; }
    public long? Features { get; init; }
    public long? Schedules { get; init; }
    public long Findings { get; init; }

    /// <summary>Cases that failed (gate, check); null for engines without cases.</summary>
    public long? Failed { get; init; }

    /// <summary>Elapsed seconds at the last new coverage (corpus entry); null before any.</summary>
    public double? LastNewSeconds { get; init; }

    /// <summary>Share of repeatable executions in percent when the engine measures it (AFL's stability).</summary>
    public double? Stability { get; init; }

    /// <summary>Imported entries from other workers of a sync directory (null when not syncing).</summary>
    public long? Imported { get; init; }

    /// <summary>True after the end event.</summary>
    public bool Finished { get; init; }
}
