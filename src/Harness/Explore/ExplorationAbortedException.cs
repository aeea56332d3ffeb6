// ExplorationAbortedException: thrown out of every parked scheduling point when the explorer ends
// an iteration early (a failure elsewhere, a deadlock, the step bound), so that each simulated
// backend unwinds its stack and its dedicated thread can be reused. Simulated code must never
// swallow it: a catch-all in scenario code has to rethrow it (use IsAbort in an exception filter).
namespace Harness.Explore;

public sealed class ExplorationAbortedException : Exception
{
    public static readonly ExplorationAbortedException Instance = new();

    private ExplorationAbortedException() : base("exploration iteration aborted") { }

    /// <summary>For exception filters: <c>catch (Exception e) when (!ExplorationAbortedException.IsAbort(e))</c>.</summary>
    public static bool IsAbort(Exception e) => e is ExplorationAbortedException;
}
