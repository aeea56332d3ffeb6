// ScenarioRegistry: every named scenario, in a fixed order (the order `harness explore --list` and
// the gate use), followed by the canaries.
using Harness.Systems.Locks.Canaries;

using Harness.Systems.Locks.Scenarios;
namespace Harness.Explore.Scenarios;

public static class ScenarioRegistry
{
    public static IReadOnlyList<IScenario> Correct { get; } =
    [
        new ScenarioDef("spinlock-mutex", "S_LOCK/S_UNLOCK mutual exclusion and no lost update", 2, 4, 2, 2,
            (c, rt) => new SpinlockMutexScenario(c, rt)),
        new ScenarioDef("lwlock-shared-exclusive", "LWLock shared/exclusive mix: exclusive excludes everyone", 2, 4, 3, 2,
            (c, rt) => new SharedExclusiveScenario(c, rt)),
        new ScenarioDef("lwlock-no-lost-wakeup", "every waiter eventually acquires under a fair strategy (liveness)", 3, 4, 3, 2,
            (c, rt) => new NoLostWakeupScenario(c, rt), needsFairness: true),
        new ScenarioDef("lwlock-conditional", "LWLockConditionalAcquire: exclusion on success, no side effects on failure", 2, 4, 3, 3,
            (c, rt) => new ConditionalAcquireScenario(c, rt)),
        new ScenarioDef("lwlock-acquire-or-wait", "LWLockAcquireOrWait: the XLogFlush pattern", 2, 4, 3, 1,
            (c, rt) => new AcquireOrWaitScenario(c, rt)),
        new ScenarioDef("lwlock-wait-for-var", "LWLockWaitForVar / LWLockUpdateVar / LWLockReleaseClearVar", 2, 4, 3, 2,
            (c, rt) => new WaitForVarScenario(c, rt)),
        new ScenarioDef("lwlock-partition-order", "two partition locks taken in ascending order: no deadlock", 2, 4, 2, 2,
            (c, rt) => new PartitionOrderScenario(c, rt)),
        new ScenarioDef("linearizable-counter", "shared counters checked by the linearizability checker", 2, 3, 2, 2,
            (c, rt) => new LinearizableCounterScenario(c, rt)),
    ];

    public static IReadOnlyList<IScenario> All { get; } = Correct.Concat(CanaryCatalog.Scenarios).ToList();

    public static IScenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);
}
