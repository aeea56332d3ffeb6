// LocksSystem: the registration of the lock system: PostgreSQL's spinlocks (s_lock.c), LWLocks
// (lwlock.c) and semaphores, ported in src/Allocator/Sync. What the engines know of it is its
// concurrency scenarios, the canaries the explorer must catch (Canaries/CanaryCatalog), and the
// spin-delay property (Properties/SpinDelayProperties), which checks s_lock.c's sleeps, PANIC and
// spins_per_delay against a model. The buffer manager and DSA register their own scenarios that
// use these locks.
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Canaries;
using Harness.Systems.Locks.Properties;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Systems.Locks;

public sealed class LocksSystem : ISystem
{
    public const string SystemName = "locks";

    private static readonly IScenario[] Correct =
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
        // Appended, not inserted: the gate derives each correct scenario's seeds from its position.
        new ScenarioDef("lwlock-queued-release", "LWLockAcquire liveness: released with shared and exclusive waiters queued, every one woken (fair)", 3, 5, 3, 2,
            (c, rt) => new QueuedReleaseScenario(c, rt), needsFairness: true),
        new ScenarioDef("lwlock-queued-acquire-or-wait", "LWLockAcquireOrWait liveness: released with LW_WAIT_UNTIL_FREE waiters queued, every one woken (fair)", 3, 5, 3, 2,
            (c, rt) => new QueuedAcquireOrWaitScenario(c, rt), needsFairness: true),
        new ScenarioDef("lwlock-queued-wait-for-var", "LWLockWaitForVar liveness: each LWLockUpdateVar and LWLockReleaseClearVar wakes every queued waiter (fair)", 3, 5, 3, 2,
            (c, rt) => new QueuedWaitForVarScenario(c, rt), needsFairness: true),
    ];

    public string Name => SystemName;

    public IReadOnlyList<string> Aliases { get; } = [];

    public string Description => "spinlocks (S_LOCK/S_UNLOCK, the spin-delay backoff), LWLocks (shared, exclusive, wait-for-var, acquire-or-wait), partition locks";

    public IReadOnlyList<ISystemPart> Parts { get; } =
    [
        new ScenarioSet([.. Correct, .. CanaryCatalog.Scenarios], CanaryCatalog.Expectations),
        SpinDelayProperties.Suite,
    ];
}
