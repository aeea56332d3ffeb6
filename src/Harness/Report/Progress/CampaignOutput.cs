// CampaignOutput: where a long command's three outputs go, decided in one place: the JSONL event
// log (a file, or stdout with `--events -`), the progress display (ProgressSink, observing the log),
// and the command's own lines for people (Out). With the log on stdout, stdout carries the log
// alone: the command's lines and the plain progress lines go to stderr and no live panel is drawn,
// so a program reading stdout reads only JSON.
namespace Harness.Report.Progress;

public sealed class CampaignOutput : IDisposable
{
    private CampaignOutput(EventLog events, ProgressSink progress)
    {
        Events = events;
        Progress = progress;
    }

    public EventLog Events { get; }

    public ProgressSink Progress { get; }

    /// <summary>Where the command writes its lines for people.</summary>
    public TextWriter Out => Progress.Out;

    /// <param name="eventsPath">The log's file, or EventLog.StdoutPath for stdout.</param>
    /// <param name="progress">--progress as given (null: auto).</param>
    public static CampaignOutput Open(string engine, string eventsPath, string? progress, TextWriter stdout, TextWriter stderr)
    {
        bool logOnStdout = eventsPath == EventLog.StdoutPath;
        var events = logOnStdout ? new EventLog(stdout, engine) : new EventLog(eventsPath, engine);
        ProgressSink sink = ProgressSink.Open(progress, logOnStdout ? stderr : stdout, stderr, machineOutputOnStdout: logOnStdout);
        events.Observer = sink;
        return new CampaignOutput(events, sink);
    }

    public void Dispose()
    {
        Progress.Dispose();
        Events.Dispose();
    }
}
