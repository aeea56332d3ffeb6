// CounterFuzzTarget: the counter as a fuzz target: bytes -> ops (total decoder) -> the oracle.
// Its features are the (op, value reached) pairs, so the engine climbs towards a full counter.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Tests.Systems.Counter;

internal sealed class CounterFuzzTarget : IFuzzTarget, ITargetFeatures, IReachReporter
{
    private readonly FeatureMap _features = new(8);
    private readonly bool _incPastCap;

    public CounterFuzzTarget(FuzzTargetConfig config)
    {
        _incPastCap = config.Canary switch
        {
            "None" => false,
            BoundedCounter.IncPastCap => true,
            _ => throw new UnknownNameException("canary", config.Canary, [BoundedCounter.IncPastCap]),
        };
    }

    public string Name => CounterSystem.SystemName;

    public ICoverageSource Features => _features;

    public ReachHits Reach { get; } = new(CounterReach.Goals);

    public Outcome Execute(ReadOnlySpan<byte> input)
    {
        _features.Reset();
        return CounterOracle.Run(CounterOpText.Decode(input), _incPastCap, null, (op, v) =>
        {
            _features.HitAlone((int)op * 16 + (int)Math.Min(v, 15));
            CounterReach.Observe(Reach, v);
        });
    }

    public IReadOnlyList<string> Disassemble(ReadOnlySpan<byte> input) =>
        CounterOpText.Decode(input).Select(CounterOpText.Instance.Format).ToList();
}
