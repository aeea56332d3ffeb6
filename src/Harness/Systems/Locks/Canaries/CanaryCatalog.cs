// CanaryCatalog: the deliberately broken variants and what must catch them. Each entry names the
// canary scenario, the engine, strategy, seed and iteration budget within which it must report
// a failure of the stated kind; the correct scenario it shadows must pass the same budget with no
// failure at all (the tests and the gate check both directions).
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Systems.Locks.Canaries;

public static class CanaryCatalog
{
    public static IReadOnlyList<IScenario> Scenarios { get; } =
    [
        new ScenarioDef("canary-release-clears-has-waiters", "CANARY: LWLockWakeup clears HAS_WAITERS while exclusive waiters remain queued (lost wakeup)",
            3, 4, 3, 2, (c, rt) => new SharedExclusiveScenario(c, rt, b => new BrokenReleaseApi(b, BrokenReleaseApi.Defect.ClearsHasWaiters)), isCanary: true),
        new ScenarioDef("canary-lost-wakeup-liveness", "CANARY: the HAS_WAITERS defect under a never-blocking poller: a liveness failure, not a deadlock",
            4, 4, 4, 2, (c, rt) => new NoLostWakeupScenario(c, rt, b => new BrokenReleaseApi(b, BrokenReleaseApi.Defect.ClearsHasWaiters)), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-waker-wakes-nobody", "CANARY: LWLockWakeup dequeues waiters but never wakes them",
            2, 4, 2, 2, (c, rt) => new SharedExclusiveScenario(c, rt, b => new BrokenReleaseApi(b, BrokenReleaseApi.Defect.WakesNobody)), isCanary: true),
        new ScenarioDef("canary-no-second-attempt", "CANARY: LWLockAcquire sleeps without re-attempting after queueing",
            2, 4, 2, 2, (c, rt) => new SharedExclusiveScenario(c, rt, b => new BrokenAcquireApi(b, BrokenAcquireApi.Defect.NoSecondAttempt)), isCanary: true),
        new ScenarioDef("canary-release-ok-not-rearmed", "CANARY: a woken LWLockAcquire waiter does not set LW_FLAG_RELEASE_OK again (its release wakes nobody)",
            3, 5, 3, 1, (c, rt) => new QueuedReleaseScenario(c, rt, b => new BrokenAcquireApi(b, BrokenAcquireApi.Defect.ReleaseOkNotRearmed)), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-acquire-or-wait-queues-exclusive", "CANARY: LWLockAcquireOrWait queues as LW_EXCLUSIVE, not LW_WAIT_UNTIL_FREE (the waiters behind it stay asleep)",
            3, 5, 3, 1, (c, rt) => new QueuedAcquireOrWaitScenario(c, rt, b => new AcquireOrWaitQueuesExclusiveApi(b)), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-update-var-wakes-nobody", "CANARY: LWLockUpdateVar publishes the value but wakes no LWLockWaitForVar waiter",
            3, 5, 3, 1, (c, rt) => new QueuedWaitForVarScenario(c, rt, b => new UpdateVarWakesNobodyApi(b)), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-spin-release-forgets-write", "CANARY: S_UNLOCK forgets to store 0",
            2, 4, 2, 1, (c, rt) => new SpinlockMutexScenario(c, rt, b => new ForgetfulSpinReleaseApi(b)), isCanary: true),
        new ScenarioDef("canary-opposite-lock-order", "CANARY: two partition locks taken in opposite orders",
            2, 4, 2, 2, (c, rt) => new PartitionOrderScenario(c, rt, ordered: false), isCanary: true),
        new ScenarioDef("canary-nonatomic-increment", "CANARY: increment as plain read + write (not linearizable)",
            2, 3, 2, 2, (c, rt) => new LinearizableCounterScenario(c, rt, atomicIncr: false), isCanary: true),
    ];

    /// <summary>What must catch each canary (budgets measured and stated in the report; see the tests).</summary>
    public static IReadOnlyList<CanaryExpectation> Expectations { get; } =
    [
        new("canary-release-clears-has-waiters", "lwlock-shared-exclusive", "pct", 200, OutcomeKind.LostWakeup),
        new("canary-lost-wakeup-liveness", "lwlock-no-lost-wakeup", "fair-pct", 200, OutcomeKind.Livelock),
        new("canary-waker-wakes-nobody", "lwlock-shared-exclusive", "random", 50, OutcomeKind.LostWakeup),
        // The explorer's DFS catches it (median 36 iterations over 20 seeds); Coyote's prioritization
        // needs fewer (median 8, docs/engines.md), so the gate runs Coyote here.
        new("canary-no-second-attempt", "lwlock-shared-exclusive", "dfs", 500, OutcomeKind.LostWakeup, InGate: false),
        new("canary-no-second-attempt", "lwlock-shared-exclusive", "prioritization", 100, OutcomeKind.LostWakeup, Engine: ExploreEngines.Coyote),
        // The queued-* scenarios force a full queue at every release/update, so each of these is
        // caught on the first schedule of every seed (docs/time-to-bug.md); the budget leaves room.
        // Seed 2: the Coyote counterpart run (fair-prioritization, same seed) must report the same
        // kind; at seeds 1, 5, 6 and 9 (of 1..20) Coyote first finds a schedule where the second
        // waiter took the lock in its re-attempt, so nobody hangs and LWLockCheck's LW12 reports
        // the flag left clear instead (InvariantFailed): a catch too, of another kind.
        new("canary-release-ok-not-rearmed", "lwlock-queued-release", "fair-pct", 20, OutcomeKind.Livelock, Seed: 2),
        new("canary-acquire-or-wait-queues-exclusive", "lwlock-queued-acquire-or-wait", "fair-pct", 20, OutcomeKind.Livelock),
        new("canary-update-var-wakes-nobody", "lwlock-queued-wait-for-var", "fair-pct", 20, OutcomeKind.Livelock),
        new("canary-spin-release-forgets-write", "spinlock-mutex", "random", 20, OutcomeKind.Deadlock),
        new("canary-spin-release-forgets-write", "spinlock-mutex", "pct", 20, OutcomeKind.Livelock, SpinMode.Yielding),
        new("canary-opposite-lock-order", "lwlock-partition-order", "pct", 200, OutcomeKind.Deadlock),
        new("canary-nonatomic-increment", "linearizable-counter", "random", 200, OutcomeKind.NotLinearizable),
    ];
}
