// CounterSystem: the registration of the test-only counter system. It is the whole proof that a
// system plugs into every engine (properties, fuzzing, exploration, the gate, artifacts and
// replay) through one registration, with no change to any engine file. `CanaryOnByDefault`
// builds a variant whose port is broken everywhere, to show that the gate fails on it.
using FsCheck.Fluent;
using Harness.Core;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Fuzz;
using Harness.Properties;

namespace Harness.Tests.Systems.Counter;

internal sealed class CounterSystem : ISystem
{
    public const string SystemName = "counter";

    public CounterSystem(bool canaryOnByDefault = false)
    {
        bool Broken(string canary) => canaryOnByDefault || canary == BoundedCounter.IncPastCap;
        var model = new PropertyDef("model", "port == model after every op; CT1 holds", CheckingModes.Both,
            (checking, canary) =>
            {
                if (canary is not (PropertySuite.NoCanary or BoundedCounter.IncPastCap))
                    throw new UnknownNameException("canary", canary, [BoundedCounter.IncPastCap]);
                var reach = new ReachHits(CounterReach.Goals);
                return new FsCheckProperty<CounterOp>(SystemName, "model", checking, canary,
                    maxOps => Arb.From(Gen.Choose(0, maxOps).SelectMany(n => Gen.ArrayOf(Gen.Elements(CounterOp.Inc, CounterOp.Inc, CounterOp.Dec, CounterOp.Get), n)),
                        ops => Enumerable.Range(0, ops.Length).Select(i => ops.Where((_, j) => j != i).ToArray())),
                    (ops, trace) => CounterOracle.Run(ops, Broken(canary), trace, (_, v) => CounterReach.Observe(reach, v)), CounterOpText.Instance, reach);
            });
        Parts =
        [
            new PropertySuite([model], [new PropertyGateCase("model", true, 300, 40)], [BoundedCounter.IncPastCap]),
            new FuzzTargetDef(SystemName, [], SystemName,
                config => new CounterFuzzTarget(canaryOnByDefault ? config with { Canary = BoundedCounter.IncPastCap } : config),
                [BoundedCounter.IncPastCap], new FuzzGateCanary(BoundedCounter.IncPastCap, 1, 2_000), GateBurstExecs: 5_000),
            new ScenarioSet(
            [
                new ScenarioDef("bounded-increment", "CAS-loop increments of a bounded counter: no lost update", 2, 3, 2, 3,
                    (c, rt) => new CounterScenario(c, rt, atomic: !canaryOnByDefault)),
                new ScenarioDef("canary-unlocked-increment", "CANARY: read + write without atomicity", 2, 3, 2, 3,
                    (c, rt) => new CounterScenario(c, rt, atomic: false), isCanary: true),
            ],
            [new CanaryExpectation("canary-unlocked-increment", "bounded-increment", "random", 200, OutcomeKind.InvariantFailed)]),
        ];
    }

    public string Name => SystemName;

    public IReadOnlyList<string> Aliases { get; } = [];

    public string Description => "test-only: a bounded counter (0..5) in simulated memory";

    public IReadOnlyList<ISystemPart> Parts { get; }
}
