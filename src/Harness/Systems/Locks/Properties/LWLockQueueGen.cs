// LWLockQueueGen: FsCheck generators and the shrinker of wait-queue op lists (LWLockQueueOp).
// Queueing and taking dominate, so queues of three or four mixed waiters form behind a holder;
// releases come often enough to run LWLockWakeup on them; picks are small (four backends).
//
// Shrinking: drop chunks of ops, then simplify one op: pick 0, and a queue op in a plainer mode.
using FsCheck;
using FsCheck.Fluent;
using Harness.Properties;
using Harness.Systems.Locks.Oracle;
using Models.Locks;

namespace Harness.Systems.Locks.Properties;

public static class LWLockQueueGen
{
    public static Gen<int> Pick { get; } = Gen.Choose(0, LWLockQueueRunner.Procs - 1);

    public static Gen<QueueMode> LockMode { get; } = Gen.Elements(QueueMode.Exclusive, QueueMode.Shared);

    public static Gen<QueueMode> AnyMode { get; } = Gen.Elements(QueueMode.Exclusive, QueueMode.Shared, QueueMode.WaitUntilFree);

    private static Gen<LWLockQueueOp> Plain(QueueOpKind k) => Pick.Select(p => new LWLockQueueOp(k, p));

    public static Gen<LWLockQueueOp> Op { get; } = Gen.Frequency(
        (3, from p in Pick from m in LockMode select new LWLockQueueOp(QueueOpKind.Take, p, m)),
        (5, from p in Pick from m in AnyMode select new LWLockQueueOp(QueueOpKind.Queue, p, m)),
        (3, Plain(QueueOpKind.Release)),
        (2, Plain(QueueOpKind.Dequeue)),
        (3, Plain(QueueOpKind.Return)),
        (1, Plain(QueueOpKind.Update)));

    public static Gen<LWLockQueueOp[]> Ops(int maxOps) => OpListGen.Of(Op, maxOps);

    public static Arbitrary<LWLockQueueOp[]> Arbitrary(int maxOps) => Arb.From(Ops(maxOps), Shrink);

    public static IEnumerable<LWLockQueueOp[]> Shrink(LWLockQueueOp[] ops) => OpListShrinker.Shrink(ops, Simpler);

    private static IEnumerable<LWLockQueueOp> Simpler(LWLockQueueOp o)
    {
        if (o.Pick != 0) yield return o with { Pick = 0 };
        if (o.Mode != QueueMode.Exclusive) yield return o with { Mode = QueueMode.Exclusive };
    }
}
