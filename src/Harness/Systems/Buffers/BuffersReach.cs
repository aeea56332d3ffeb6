// BuffersReach: the buffer-manager events a campaign should reach sometimes. The runner's goals
// (fuzz target and properties) are seen from BufferRunner: the strategy's freelist head and
// allocation count around a read (the counters pg_stat_bgwriter's buffers_alloc is made of), the
// injected-fault log, the answers of the port's calls. The scenarios' goals come from what each
// scenario already counts for its own checks (an overlapping I/O error, a cleanup lock that had to
// wait, a checkpoint that wrote buffers).
using Harness.Core;

namespace Harness.Systems.Buffers;

public static class BuffersReach
{
    private const string S = BuffersSystem.SystemName;

    // ---- the runner (fuzz target and properties)

    public static readonly ReachGoal VictimEvicted = new(S, "victim-evicted",
        "a read or extend found the freelist empty and the clock sweep evicted a victim buffer");

    public static readonly ReachGoal IoErrorAborted = new(S, "io-error-aborted",
        "an injected storage fault raised an ERROR mid-I/O; the backend aborted (AbortBufferIO) and the run went on");

    public static readonly ReachGoal NoUnpinnedBuffers = new(S, "no-unpinned-buffers",
        "StrategyGetBuffer gave up with \"no unpinned buffers available\"");

    public static readonly ReachGoal CleanupLockRefused = new(S, "cleanup-lock-refused",
        "ConditionalLockBufferForCleanup refused because another backend held a pin");

    public static readonly ReachGoal CrashRecovered = new(S, "crash-recovered",
        "a power loss discarded the pool and WAL replay recovered every page");

    public static readonly ReachGoal RingRejectedDirty = new(S, "ring-rejected-dirty",
        "a bulk read's ring offered a dirty buffer whose write needed a WAL flush; StrategyRejectBuffer dropped it from the ring and another victim was taken (seen by the policy oracle)");

    public static IReadOnlyList<ReachGoal> RunnerGoals { get; } = [VictimEvicted, IoErrorAborted, NoUnpinnedBuffers, CleanupLockRefused, CrashRecovered, RingRejectedDirty];

    // ---- the scenarios (one goal each, declared by the scenario that can reach it)

    public static readonly ReachGoal IoErrorWithWaiter = new(S, "io-error-with-waiter",
        "io-error-midflight: another backend was inside ReadBuffer of the block when its read I/O failed, and the read was redone");

    public static readonly ReachGoal CleanupLockWaited = new(S, "cleanup-lock-waited",
        "cleanup-lock: LockBufferForCleanup found another pin and slept until the last unpinner woke it");

    public static readonly ReachGoal CheckpointWrote = new(S, "checkpoint-wrote",
        "checkpoint-traffic: BufferSync found dirty buffers to write");

    public static readonly ReachGoal ClockSweepGaveUp = new(S, "clock-sweep-gave-up",
        "clock-sweep: a backend's victim search ended in \"no unpinned buffers available\"");

    public static readonly ReachGoal DropDuringIo = new(S, "drop-during-io",
        "drop-during-read: DropRelationBuffers met a buffer whose read I/O was in progress");

    public static readonly ReachGoal SameTagCollision = new(S, "same-tag-collision",
        "same-tag-miss: two backends missed the same block at once and one gave back its allocated buffer");
}
