// SpinDelayProperties: the lock system's FsCheck property suite (with LWLockQueueProperties), run by the generic property engine from
// xunit, `harness check locks` and the gate:
//   spin-delay   SpinDelayRunner on SpinDelayGen's op lists: every sleep, draw, return value,
//                stuck-spinlock PANIC and spins_per_delay of the port's s_lock.c against
//                SpinDelayModel, and with checking on SpinDelayCheck (SD1-SD3; SD4 is asserted
//                by s_lock itself).
// The explorer cannot check this: its scenarios' spin waits block until the word changes, so
// they never sleep, and a yielding spin sees only the steps, never the delays' lengths.
using Harness.Core;
using Harness.Properties;
using Harness.Systems.Locks.Oracle;

namespace Harness.Systems.Locks.Properties;

public static class SpinDelayProperties
{
    public const string SpinDelay = "spin-delay";

    /// <summary>Cases at gate scale 1 and the longest op list: a few seconds on the 2-core CI machine
    /// (a stuck-spinlock op alone is up to a million failed spins).</summary>
    private static readonly PropertyGateCase[] GateCases =
    [
        new(SpinDelay, true, 100, 24),
    ];

    /// <summary>The lock system's property suite: this property and the wait-queue one
    /// (LWLockQueueProperties), since a system has one suite.</summary>
    public static PropertySuite Suite { get; } = new(
        [new PropertyDef(SpinDelay, "every sleep, draw, PANIC and spins_per_delay of s_lock.c against SpinDelayModel; SD1-SD4", CheckingModes.Both,
            (checking, canary) => Create(checking, canary)),
         LWLockQueueProperties.Def],
        [.. GateCases, LWLockQueueProperties.GateCase],
        []);

    internal static FsCheckProperty<SpinWaitOp> Create(bool checking, string canary = PropertySuite.NoCanary)
    {
        if (canary != PropertySuite.NoCanary) throw new UnknownNameException("canary", canary, []);
        var runner = new SpinDelayRunner(checking);
        return new FsCheckProperty<SpinWaitOp>(LocksSystem.SystemName, SpinDelay, checking, canary,
            SpinDelayGen.Arbitrary, (ops, trace) => runner.Run(ops, trace), SpinWaitOpText.Instance, runner.Reach);
    }

    /// <summary>Evaluates the property on one op list.</summary>
    public static Outcome Evaluate(bool checking, IReadOnlyList<SpinWaitOp> ops, TextWriter? trace = null) =>
        new SpinDelayRunner(checking).Run(ops, trace);
}
