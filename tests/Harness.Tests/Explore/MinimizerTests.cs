// Minimization of a known failure: the no-second-attempt canary with two backends needs exactly two
// preemptions (switch to the second backend while the first holds the lock, so its attempt fails;
// switch back so the holder releases before the second queues; the first backend never blocks
// while holding, so neither switch is free). Found by random exploration with many incidental
// preemptions, it must shrink to exactly those two, with the same failure signature, and the
// minimized schedule must replay to that failure.
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class MinimizerTests
{
    [Fact]
    public void Random_failure_shrinks_to_its_essential_preemptions()
    {
        IScenario s = LockScenarios.Find("canary-no-second-attempt");
        using var explorer = new Explorer();
        FailureReport f = explorer.Run(s, new ExploreRun { Strategy = "random", Seed = 3, Iterations = 500, Backends = 2, Ops = 3 }).FirstFailure!;
        Assert.NotNull(f.MinimizedToken);
        Assert.True(f.MinimizedPreemptions < f.Preemptions, $"{f.Preemptions} -> {f.MinimizedPreemptions}");
        Assert.Equal(2, f.MinimizedPreemptions);
        ScheduleToken t = ScheduleToken.Decode(f.MinimizedToken!);
        IterationResult r = explorer.Replay(s, t);
        Assert.Equal(f.Failure.Signature, r.Failure!.Signature);
    }
}
