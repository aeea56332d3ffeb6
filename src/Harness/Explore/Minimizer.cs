// Minimizer: shrinks a failing schedule by removing preemptions while the same failure signature
// (kind and site) holds. Replays are lenient: a decision marked Stay, missing, or no longer
// possible becomes "keep running the previous backend, else the lowest enabled".
//   1. Prefix: the shortest prefix of the decision list that, followed by non-preemptive
//      scheduling, still fails the same way (later switches of a random schedule rarely matter).
//   2. One at a time, latest first: replace a remaining preemptive decision by Stay; keep the
//      re-recorded schedule if it fails the same way with fewer preemptions. Repeat until no single
//      preemption can go or the run budget is spent.
// The result is usually the few context switches that matter, so the readable trace is short.
using Harness.Explore.Scenarios;
using Harness.Explore.Strategies;

namespace Harness.Explore;

public static class Minimizer
{
    public const int DefaultRunBudget = 400;

    /// <returns>The minimized trace (null if nothing could be removed) and the replays spent.</returns>
    public static (ScheduleTrace? Trace, int Runs) Minimize(Explorer explorer, IScenario scenario, ScenarioConfig config, ExploreOptions options,
        ScheduleTrace failing, ExplorationFailure failure, int runBudget = DefaultRunBudget)
    {
        ScheduleTrace current = failing;
        bool improved = false;
        int runs = 0;

        bool Try(int[] candidate)
        {
            IterationResult r = explorer.RunOnce(scenario, config, new ReplayStrategy(candidate, lenient: true), options);
            runs++;
            if (r.Failure?.Signature != failure.Signature || explorer.Engine.Trace.Preemptions >= current.Preemptions) return false;
            current = explorer.Engine.Trace.Snapshot();
            improved = true;
            return true;
        }

        int[] all = current.DecisionList();
        for (int p = 0; p < all.Length && runs < runBudget; p++)
        {
            if (Try(all[..p])) break;
        }

        bool changed = true;
        while (changed && runs < runBudget)
        {
            changed = false;
            for (int d = current.Decisions - 1; d >= 0 && runs < runBudget; d--)
            {
                if (!current.IsPreemption(d)) continue;
                int[] candidate = current.DecisionList();
                candidate[d] = ReplayStrategy.Stay;
                if (Try(candidate))
                {
                    changed = true;
                    break;
                }
            }
        }
        return (improved ? current : null, runs);
    }
}
