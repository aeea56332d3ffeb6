// IEventObserver: something that watches a campaign's events as they are written to its EventLog,
// today the progress sink (Report/Progress). It sees exactly the numbers the log gets, so a live
// panel or a periodic line can never disagree with the JSONL a program reads afterwards. Observers
// only display: nothing an observer does may feed back into what the campaign runs.
namespace Harness.Report;

public interface IEventObserver
{
    /// <summary>One event: its name (start, stats, coverage, finding, case, end), the writing
    /// engine, the log's elapsed seconds and the event's fields in the order they were written.</summary>
    void OnEvent(string engine, string eventName, double elapsedSeconds, IReadOnlyList<(string Name, object? Value)> fields);
}
