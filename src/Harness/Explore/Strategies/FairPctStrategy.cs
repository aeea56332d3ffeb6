// FairPctStrategy: PCT for the first U decisions of an iteration, then uniform random (Coyote's
// "fair-prioritization"): the PCT prefix finds ordering bugs, the random suffix guarantees that
// every enabled backend eventually runs, so spin loops cannot starve a holder and liveness monitors
// are meaningful. U defaults to the learned step count k (at least DefaultUnfairDecisions).
namespace Harness.Explore.Strategies;

public sealed class FairPctStrategy : PctStrategy
{
    public const int DefaultUnfairDecisions = 100;

    private readonly int _unfairMin;
    private int _unfair;

    public FairPctStrategy(ulong seed, int depth = DefaultDepth, int unfairDecisions = DefaultUnfairDecisions) : base(seed, depth)
    {
        _unfairMin = unfairDecisions;
    }

    public override string Name => "fair-pct";
    public override bool IsFair => true;

    public override bool BeginIteration(int iteration, int backends)
    {
        bool ok = base.BeginIteration(iteration, backends);
        _unfair = Math.Max(_unfairMin, LearnedSteps);
        return ok;
    }

    public override int Choose(ulong enabled, int previous, bool previousYielding, int decision) =>
        decision < _unfair
            ? base.Choose(enabled, previous, previousYielding, decision)
            : EnabledSet.Nth(enabled, Prng.Index(EnabledSet.Count(enabled)));

    public override string Describe() => $"{base.Describe()} unfair-prefix={_unfair}";
}
