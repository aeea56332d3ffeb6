// PortfolioStrategy: rotates per iteration through random, probabilistic(3), PCT(d) and fair PCT(d),
// each with its own seed derived from the portfolio's (Coyote's default "fair portfolio"). Iteration
// i runs member i mod 4, so a failing iteration is rerun by (seed, "portfolio", i).
using Allocator.Common;

namespace Harness.Explore.Strategies;

public sealed class PortfolioStrategy : ISchedulingStrategy
{
    private readonly ISchedulingStrategy[] _members;
    private ISchedulingStrategy _current;

    public PortfolioStrategy(ulong seed, int depth = PctStrategy.DefaultDepth)
    {
        _members =
        [
            new RandomStrategy(Prng.Derive(seed, 1)),
            new ProbabilisticStrategy(Prng.Derive(seed, 2)),
            new PctStrategy(Prng.Derive(seed, 3), depth),
            new FairPctStrategy(Prng.Derive(seed, 4), depth),
        ];
        _current = _members[0];
    }

    public string Name => "portfolio";
    public bool IsFair => _current.IsFair;
    public ISchedulingStrategy Current => _current;

    public bool BeginIteration(int iteration, int backends)
    {
        _current = _members[iteration % _members.Length];
        return _current.BeginIteration(iteration / _members.Length, backends);
    }

    public int Choose(ulong enabled, int previous, bool previousYielding, int decision) =>
        _current.Choose(enabled, previous, previousYielding, decision);

    public void EndIteration(int decisions) => _current.EndIteration(decisions);

    public string Describe() => $"portfolio/{_current.Describe()}";
}
