// LWLockQueueProperties: the wait-queue property of the lock system:
//   lwlock-queue  LWLockQueueRunner on LWLockQueueGen's op lists: after every critical section of
//                 lwlock.c, the port's wait list (order, modes), HAS_WAITERS, RELEASE_OK, holder
//                 bits and who is woken against LWLockQueueModel, and LWLockCheck.CheckStep.
// The explorer cannot check this: its scenarios see what the lock calls return, and the queue's
// order, the flag bits and who is woken change neither mutual exclusion nor liveness.
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Locks.Oracle;

namespace Harness.Systems.Locks.Properties;

public static class LWLockQueueProperties
{
    public const string Queue = "lwlock-queue";

    public static PropertyDef Def { get; } = new(Queue,
        "the wait list's order and modes, HAS_WAITERS, RELEASE_OK and who is woken after every lwlock.c critical section against LWLockQueueModel; LW4-LW11 between steps",
        CheckingModes.Both, (checking, canary) => Create(checking, canary));

    /// <summary>Cases at gate scale 1 and the longest op list: under half a second. At 300 cases
    /// the gate's seed killed the three queue mutants after 20, 40 and 117 cases; 1000 leaves
    /// room for other seeds.</summary>
    public static PropertyGateCase GateCase { get; } = new(Queue, true, 1000, 40);

    internal static FsCheckProperty<LWLockQueueOp> Create(bool checking, string canary = PropertySuite.NoCanary)
    {
        if (canary != PropertySuite.NoCanary) throw new UnknownNameException("canary", canary, []);
        var runner = new LWLockQueueRunner();
        return new FsCheckProperty<LWLockQueueOp>(LocksSystem.SystemName, Queue, checking, canary,
            LWLockQueueGen.Arbitrary, (ops, trace) => runner.Run(ops, trace), LWLockQueueOpText.Instance, runner.Reach);
    }

    /// <summary>Evaluates the property on one op list.</summary>
    public static Outcome Evaluate(IReadOnlyList<LWLockQueueOp> ops, TextWriter? trace = null) => new LWLockQueueRunner().Run(ops, trace);
}
