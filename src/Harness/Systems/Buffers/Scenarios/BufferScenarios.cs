// BufferScenarios: the buffer manager's concurrency scenarios for the explorer (issue 13, first
// part), the canary scenarios (the same scenarios over a pool with a planted BufferCanary) and what
// must catch each canary. Budgets are measured (see the tests and the report); the correct
// scenario a canary shadows must pass the same budget with no failure.
using Allocator.Buffers;
using Harness.Core;
using Harness.Explore;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Buffers.Scenarios;

public static class BufferScenarios
{
    public static IReadOnlyList<IScenario> Correct { get; } =
    [
        new ScenarioDef("same-tag-miss", "every backend misses on the same block: one read I/O, one buffer, the same valid page", 2, 3, 3, 1,
            (c, rt) => new SameTagMissScenario(c, rt)),
        new ScenarioDef("victim-race", "updates through a pool smaller than the relation: no pinned buffer evicted, no write lost", 2, 3, 2, 3,
            (c, rt) => new VictimRaceScenario(c, rt)),
        new ScenarioDef("dirty-flush-hint", "a flush under a share lock against hint-setters: an unwritten hint leaves the buffer dirty (BM_JUST_DIRTIED)", 2, 3, 2, 1,
            (c, rt) => new DirtyFlushHintScenario(c, rt)),
        new ScenarioDef("cleanup-lock", "LockBufferForCleanup against pinners: granted only with the only pin, the waiter woken", 2, 3, 3, 1,
            (c, rt) => new CleanupLockScenario(c, rt)),
        new ScenarioDef("checkpoint-traffic", "a checkpoint against updates and evictions: every change logged before its redo pointer is on disk when BufferSync returns", 2, 3, 3, 2,
            (c, rt) => new CheckpointTrafficScenario(c, rt)),
        new ScenarioDef("io-error-midflight", "a read and a write fail at I/O completion: the reader that got the ERROR aborts, a waiter redoes the read, the write is retried", 2, 3, 3, 1,
            (c, rt) => new IoErrorScenario(c, rt)),
        new ScenarioDef("content-lock-rw", "LockBuffer SHARE/EXCLUSIVE as a reader-writer lock: exclusion, every write seen, every waiter served (fair strategies)", 2, 3, 3, 2,
            (c, rt) => new ContentLockScenario(c, rt), needsFairness: true),
        new ScenarioDef("clock-sweep", "three backends holding two pins each on a four-buffer pool: the hand and completePasses agree with the ticks taken, \"no unpinned buffers available\" only after NBuffers pinned looks in a row", 2, 3, 3, 2,
            (c, rt) => new ClockSweepScenario(c, rt)),
        new ScenarioDef("two-partition-alloc", "PostgreSQL 15's BufferAlloc (old and new partition locks, lower first) with evictions crossing two partitions: no deadlock, no pinned buffer evicted, no write lost", 2, 3, 2, 3,
            (c, rt) => new TwoPartitionAllocScenario(c, rt)),
    ];

    /// <summary>Correct scenarios that terminate only under a fair schedule: InvalidateBuffer retries
    /// in a loop while someone else pins the buffer outside I/O (as PostgreSQL does), which an unfair
    /// strategy (pct, dfs) can run forever by never scheduling the pinner. The gate runs them under
    /// fair-pct, random and probabilistic.</summary>
    public static IReadOnlyList<IScenario> NeedingFairness { get; } =
    [
        new ScenarioDef("drop-during-read", "DropRelationBuffers against readers of the relation and of another: no tag of it left, I/O waited for, the other intact", 2, 3, 3, 2,
            (c, rt) => new DropDuringReadScenario(c, rt), needsFairness: true),
    ];

    public static IReadOnlyList<IScenario> Canaries { get; } =
    [
        new ScenarioDef("canary-skip-victim-recheck", "CANARY: InvalidateVictimBuffer evicts a victim someone pinned or dirtied again (BufferCanary.SkipVictimRecheck)", 2, 3, 2, 3,
            (c, rt) => new VictimRaceScenario(c, rt, BufferCanary.SkipVictimRecheck), isCanary: true),
        new ScenarioDef("canary-ignore-just-dirtied", "CANARY: TerminateBufferIO cleans a buffer dirtied during its write (BufferCanary.IgnoreJustDirtied)", 2, 3, 2, 1,
            (c, rt) => new DirtyFlushHintScenario(c, rt, BufferCanary.IgnoreJustDirtied), isCanary: true),
        new ScenarioDef("canary-checkpoint-skips-write", "CANARY: BufferSync marks the dirty buffers but writes none (BufferCanary.CheckpointSkipsWrite)", 2, 3, 3, 2,
            (c, rt) => new CheckpointTrafficScenario(c, rt, BufferCanary.CheckpointSkipsWrite), isCanary: true),
        new ScenarioDef("canary-invalidate-skips-io-wait", "CANARY: InvalidateBuffer discards a buffer someone pins, I/O in flight or not (BufferCanary.InvalidateSkipsIoWait)", 2, 3, 3, 2,
            (c, rt) => new DropDuringReadScenario(c, rt, BufferCanary.InvalidateSkipsIoWait), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-abort-keeps-io", "CANARY: AbortBufferIO leaves BM_IO_IN_PROGRESS set after a failed I/O, so its waiters sleep forever (BufferCanary.AbortKeepsIoInProgress)", 2, 3, 3, 1,
            (c, rt) => new IoErrorScenario(c, rt, BufferCanary.AbortKeepsIoInProgress), isCanary: true),
        new ScenarioDef("canary-exclusive-taken-shared", "CANARY: LockBuffer(EXCLUSIVE) takes the content lock shared (BufferCanary.ExclusiveLockTakenShared)", 2, 3, 3, 2,
            (c, rt) => new ContentLockScenario(c, rt, BufferCanary.ExclusiveLockTakenShared), needsFairness: true, isCanary: true),
        new ScenarioDef("canary-sweep-trycounter-not-reset", "CANARY: the clock sweep does not reset trycounter on a usage-count decrement, so it gives up after NBuffers pinned looks in all (BufferCanary.SweepTrycounterNotReset)", 2, 3, 3, 2,
            (c, rt) => new ClockSweepScenario(c, rt, BufferCanary.SweepTrycounterNotReset), isCanary: true),
        new ScenarioDef("canary-two-partition-new-first", "CANARY: PostgreSQL 15's BufferAlloc takes the new tag's partition lock before the old one's (BufferCanary.TwoPartitionLocksNewFirst)", 2, 3, 2, 3,
            (c, rt) => new TwoPartitionAllocScenario(c, rt, BufferCanary.TwoPartitionLocksNewFirst), isCanary: true),
        new ScenarioDef("canary-start-io-skips-done-check", "CANARY: StartBufferIO does not re-check BM_VALID after waiting out another reader's I/O, so the block is read twice (BufferCanary.StartIoSkipsDoneCheck)", 2, 3, 3, 1,
            (c, rt) => new SameTagMissScenario(c, rt, BufferCanary.StartIoSkipsDoneCheck), isCanary: true),
        new ScenarioDef("canary-collision-uses-victim", "CANARY: BufferAlloc ignores an insert collision and tags its own victim too (BufferCanary.CollisionUsesVictim)", 2, 3, 3, 1,
            (c, rt) => new SameTagMissScenario(c, rt, BufferCanary.CollisionUsesVictim), isCanary: true),
        new ScenarioDef("canary-pin-count-waiter-not-signalled", "CANARY: the last unpinner clears BM_PIN_COUNT_WAITER without waking the cleanup-lock waiter (BufferCanary.PinCountWaiterNotSignalled)", 2, 3, 3, 1,
            (c, rt) => new CleanupLockScenario(c, rt, BufferCanary.PinCountWaiterNotSignalled), isCanary: true),
        new ScenarioDef("canary-two-partition-new-first-unchecked", "CANARY: the same planted bug with the §18 lock-order checker off, so only the deadlock it causes can catch it (BufferCanary.TwoPartitionLocksNewFirst)", 2, 3, 2, 3,
            (c, rt) => new TwoPartitionAllocScenario(c, rt, BufferCanary.TwoPartitionLocksNewFirst, checkLockOrder: false), isCanary: true),
    ];

    /// <summary>What must catch each canary (the planted BufferCanary it runs is in Planted).
    /// Measured over seeds 1..20 (0-based iteration of the first failure; explorer, defaults):
    ///   skip-victim-recheck: random median 6, worst 19; pct median 110, worst 416; dfs 76.
    ///     Caught as the scenario's pinned-buffer-evicted or lost-write, or as BufferAlloc's
    ///     assertion that the new victim has one pin: all invariant failures.
    ///   ignore-just-dirtied: pct median 24, worst 143; random median ~94, worst 555; dfs 9.
    ///     Caught as hint-lost, or as the pool walk's B8 (BM_JUST_DIRTIED left without BM_DIRTY).
    /// Measured over seeds 1..10 (same convention):
    ///   checkpoint-skips-write: iteration 0 under random, pct and dfs from every seed (blocks 0..2
    ///     start dirty, so the first checkpoint must write them). Caught as checkpoint-not-durable.
    ///     Not in the gate here (InGate false): the faults property is its gate run.
    ///   invalidate-skips-io-wait: random median 2, worst 13; fair-pct median 1, worst 10;
    ///     probabilistic median 1, worst 11. Caught as pinned-buffer-evicted, or as an assertion in
    ///     the reader's TerminateBufferIO / the evicting backend's InvalidateVictimBuffer.
    ///   abort-keeps-io: every seed 1..10 of random, pct and dfs fails in its first iteration
    ///     (the failed write's I/O stays in progress, and backend 0's second flush, or a reader
    ///     of the failed read, sleeps on the I/O condition variable for good): lost-wakeup.
    ///   exclusive-taken-shared (seeds 1..10, iterations until caught): random median 1, worst 2;
    ///     probabilistic median 3, worst 7; fair-pct median 6, worst 10. Caught as the
    ///     scenario's exclusive-with-others or shared-with-exclusive.
    /// Measured over seeds 1..20 (0-based iteration of the first failure; defaults: 3 backends,
    /// 2 ops for clock-sweep, 2 backends, 3 ops for two-partition-alloc):
    ///   sweep-trycounter-not-reset: pct median 2, worst 8; random median 4.5, worst 43; fair-pct
    ///     median 2, worst 11; probabilistic median 1, worst 4; dfs 13 from every seed. Caught as
    ///     the scenario's no-unpinned-false (an ERROR with an unpinned look among the last NBuffers).
    ///   two-partition-new-first-unchecked (lock-order checker off): random median 1, worst 13;
    ///     probabilistic median 12, worst 47; pct median 34, worst 266; fair-pct median 32, worst
    ///     454; dfs 48 from every seed. Caught as a deadlock whose wait-for cycle names the two
    ///     BufferMapping partitions. Not in the gate: the checked variant is its gate run.
    ///   two-partition-new-first (checker on, as everywhere): iteration 0 from every seed under
    ///     every strategy: the first backend whose old partition is the lower one breaks §18 R2 at
    ///     its second acquire, whatever the schedule. Caught as invariant-failed (lock order §18 R2).
    /// Measured over seeds 1..20 (0-based, defaults: 3 backends, 1 op):
    ///   start-io-skips-done-check: random median 4, worst 14; pct median 1, worst 16; fair-pct the
    ///     same as pct; probabilistic median 4, worst 14; dfs 44. Caught as one-read-per-block (a
    ///     waiter of the first read starts a second one).
    ///   collision-uses-victim: random 0 from every seed; pct median 2, worst 7; probabilistic
    ///     median 0, worst 3; dfs 104. Caught as one-read-per-block (the loser reads the block into
    ///     its own victim) or same-buffer.
    ///   pin-count-waiter-not-signalled: random median 2, worst 7; pct median 2, worst 8;
    ///     probabilistic median 1.5, worst 12; dfs 82. Caught as a lost wake-up: the cleaner
    ///     sleeps on its latch with BM_PIN_COUNT_WAITER already cleared and every pinner gone.
    /// The budgets leave room above the worst seed measured.</summary>
    public static IReadOnlyList<CanaryExpectation> Expectations { get; } =
    [
        new("canary-skip-victim-recheck", "victim-race", "random", 60, OutcomeKind.InvariantFailed),
        new("canary-ignore-just-dirtied", "dirty-flush-hint", "pct", 200, OutcomeKind.InvariantFailed),
        new("canary-checkpoint-skips-write", "checkpoint-traffic", "random", 10, OutcomeKind.InvariantFailed, InGate: false),
        new("canary-invalidate-skips-io-wait", "drop-during-read", "random", 40, OutcomeKind.InvariantFailed),
        // not in the gate: the property suite's gate already runs AbortKeepsIoInProgress (one gate per canary)
        new("canary-abort-keeps-io", "io-error-midflight", "random", 20, OutcomeKind.LostWakeup, InGate: false),
        new("canary-exclusive-taken-shared", "content-lock-rw", "random", 20, OutcomeKind.InvariantFailed),
        new("canary-sweep-trycounter-not-reset", "clock-sweep", "pct", 40, OutcomeKind.InvariantFailed),
        new("canary-two-partition-new-first", "two-partition-alloc", "random", 10, OutcomeKind.InvariantFailed),
        new("canary-start-io-skips-done-check", "same-tag-miss", "random", 40, OutcomeKind.InvariantFailed),
        new("canary-collision-uses-victim", "same-tag-miss", "random", 10, OutcomeKind.InvariantFailed),
        new("canary-pin-count-waiter-not-signalled", "cleanup-lock", "random", 30, OutcomeKind.LostWakeup),
        new("canary-two-partition-new-first-unchecked", "two-partition-alloc", "random", 60, OutcomeKind.Deadlock, InGate: false),
    ];

    /// <summary>The BufferCanary each canary scenario plants.</summary>
    public static IReadOnlyDictionary<string, BufferCanary> Planted { get; } = new Dictionary<string, BufferCanary>(StringComparer.Ordinal)
    {
        ["canary-skip-victim-recheck"] = BufferCanary.SkipVictimRecheck,
        ["canary-ignore-just-dirtied"] = BufferCanary.IgnoreJustDirtied,
        ["canary-checkpoint-skips-write"] = BufferCanary.CheckpointSkipsWrite,
        ["canary-invalidate-skips-io-wait"] = BufferCanary.InvalidateSkipsIoWait,
        ["canary-abort-keeps-io"] = BufferCanary.AbortKeepsIoInProgress,
        ["canary-exclusive-taken-shared"] = BufferCanary.ExclusiveLockTakenShared,
        ["canary-sweep-trycounter-not-reset"] = BufferCanary.SweepTrycounterNotReset,
        ["canary-two-partition-new-first"] = BufferCanary.TwoPartitionLocksNewFirst,
        ["canary-two-partition-new-first-unchecked"] = BufferCanary.TwoPartitionLocksNewFirst,
        ["canary-start-io-skips-done-check"] = BufferCanary.StartIoSkipsDoneCheck,
        ["canary-collision-uses-victim"] = BufferCanary.CollisionUsesVictim,
        ["canary-pin-count-waiter-not-signalled"] = BufferCanary.PinCountWaiterNotSignalled,
    };

    public static ScenarioSet Set { get; } = new([.. Correct, .. NeedingFairness, .. Canaries], Expectations);
}
