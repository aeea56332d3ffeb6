// The engine's step check (RunIteration's stepCheck, ScenarioInstance.CheckStep): it runs at every
// scheduling point with every backend parked, and a ScenarioCheckException it throws fails the
// iteration as invariant-failed at that step, naming its site. Two backends write their own words;
// the check fails once both words are set, which only a schedule that ran both can reach.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore.Strategies;
using Harness.Explore;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class StepCheckTests
{
    [Fact]
    public void Step_check_runs_at_every_point_and_a_violation_fails_the_iteration_there()
    {
        using var engine = new ControlledEngine(2);
        engine.FreshMemories(2);
        var segment = new SyncSegment(2, 0, 0, 0, scratchBytes: 16);
        for (int i = 0; i < 2; i++) segment.MapInto(engine.Runtime(i).Memory);
        var bodies = new Action[2];
        for (int i = 0; i < 2; i++)
        {
            int me = i;
            bodies[i] = () =>
            {
                engine.Runtime(me).AtomicWrite32(segment.ScratchAddr(me * 8), 1);
                engine.Runtime(me).AtomicWrite32(segment.ScratchAddr(me * 8), 2);
            };
        }
        int calls = 0;
        IterationResult ok = engine.RunIteration(bodies, new RandomStrategy(1), new ExploreOptions(), stepCheck: () => calls++);
        Assert.Equal(IterationOutcome.Completed, ok.Outcome);
        // One check per step, except at backend 0's first point: during startup backend 1 has not
        // reached its own first point yet, so not every backend is parked.
        Assert.Equal(ok.Steps - 1, calls);

        segment.Reset();
        void BothSet()
        {
            bool both = segment.InitMemory.ReadU32(segment.ScratchAddr(0)) != 0 && segment.InitMemory.ReadU32(segment.ScratchAddr(8)) != 0;
            ScenarioInstance.Check(!both, "T1", "both words set");
        }
        IterationResult bad = engine.RunIteration(bodies, new RandomStrategy(1), new ExploreOptions(), stepCheck: BothSet);
        Assert.Equal(IterationOutcome.Failed, bad.Outcome);
        Assert.Equal((OutcomeKind.InvariantFailed, "T1"), (bad.Failure!.Kind, bad.Failure.Site));
        Assert.True(bad.Failure.Step > 0 && bad.Failure.Step < 4, bad.Failure.ToString());
    }
}
