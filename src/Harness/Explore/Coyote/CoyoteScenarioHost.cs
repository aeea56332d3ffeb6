// CoyoteScenarioHost: one scenario instance wired to Coyote, and the body of one Coyote test
// iteration: reset the instance, register the liveness monitor (for scenarios that need
// fairness), run every backend as a controlled operation and wait for all, then run the scenario's
// end-state checks (ScenarioInstance.CheckFinal: the port's invariant walkers, final counts,
// linearizability). Both the in-process engine (CoyoteEngine) and the entry point that Coyote's own
// `coyote replay` loads (CoyoteEntryPoint) run iterations through this one class, so the two
// replay exactly the same program.
using Allocator.Sync;
using Harness.Explore.Scenarios;
using Microsoft.Coyote.Specifications;

namespace Harness.Explore.Coyote;

public sealed class CoyoteScenarioHost
{
    private readonly Action[] _bodies;

    public CoyoteScenarioHost(IScenario scenario, ScenarioConfig config, ExploreOptions options)
    {
        Scenario = scenario;
        Config = config;
        Options = options;
        Set = new CoyoteBackendSet(config.Backends);
        Set.FreshMemories(config.Backends);
        var rts = Enumerable.Range(0, config.Backends).Select(i => (ISyncRuntime)Set.Runtime(i)).ToList();
        Instance = scenario.Create(config, rts);
        Action[] raw = Instance.Bodies;
        _bodies = new Action[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            int me = i;
            Action body = raw[i];
            _bodies[i] = () => Set.RunBackend(me, body);
        }
        Test = Harness.Controlled.Backends.Test(RunIteration);
    }

    public IScenario Scenario { get; }
    public ScenarioConfig Config { get; }
    public ExploreOptions Options { get; }
    public CoyoteBackendSet Set { get; }
    public ScenarioInstance Instance { get; }
    /// <summary>The delegate handed to Coyote's TestingEngine (declared in the rewritten assembly).</summary>
    public Action Test { get; }

    /// <summary>True once every backend of the current iteration has exited and the final checks ran.</summary>
    public bool IterationCompleted { get; private set; }

    private void RunIteration()
    {
        IterationCompleted = false;
        Instance.Reset();
        Instance.Reach?.Clear();
        Set.BeginIteration(Config.Backends, Options, Instance.HeldBy, Options.Liveness, Instance.CheckStep);
        if (Options.Liveness) Specification.RegisterMonitor<WaitLivenessMonitor>();
        Harness.Controlled.Backends.RunAll(_bodies);
        if (Set.Failure is not null) return;
        try
        {
            Instance.CheckFinal();
        }
        catch (Exception e) when (e is not ThreadInterruptedException)
        {
            Set.Fail(ExplorationFailure.FromException(e, -1, Set.Trace.Steps));
        }
        IterationCompleted = true;
    }
}
