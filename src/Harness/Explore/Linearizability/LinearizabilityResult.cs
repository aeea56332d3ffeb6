// LinearizabilityResult: the checker's answer for a whole history. For NotLinearizable and Unknown,
// Key is the first key (in ascending order) that was not shown linearizable, Operations its number
// of operations and LongestPrefix how many of them the longest linearization found placed; the
// Explanation names the operations (bounded in length). StatesExplored counts every search state
// entered over all keys checked (the budget's unit), for reports and benchmarks.
namespace Harness.Explore.Linearizability;

public sealed record LinearizabilityResult(
    LinearizabilityVerdict Verdict, int Key, string Explanation, long StatesExplored, int Operations = 0, int LongestPrefix = 0)
{
    public bool Ok => Verdict == LinearizabilityVerdict.Linearizable;

    /// <summary>The site a scenario reports an undecided check at: not a failure of the system
    /// under test, a budget of the oracle that ran out (explorers classify it as a timeout).</summary>
    public const string UnknownSite = "linearizability-budget";

    /// <summary>For a scenario's end-state check: NotLinearizable throws a ScenarioCheckException at
    /// OutcomeKinds.LinearizabilitySite (not-linearizable); Unknown throws
    /// LinearizabilityUnknownException (the explorer reports it as a timeout: a budget ran out, the
    /// check did not finish), so an undecided history is never passed silently.</summary>
    public void ThrowIfNotLinearizable()
    {
        switch (Verdict)
        {
            case LinearizabilityVerdict.NotLinearizable:
                throw new ScenarioCheckException(Core.OutcomeKinds.LinearizabilitySite, Explanation);
            case LinearizabilityVerdict.Unknown:
                throw new LinearizabilityUnknownException(Explanation);
        }
    }
}

/// <summary>A linearizability check ran out of its state budget (verdict Unknown).</summary>
public sealed class LinearizabilityUnknownException(string message) : Exception(message);
