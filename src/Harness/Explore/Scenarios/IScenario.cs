// IScenario: a named concurrency scenario the explorer can run: how many backends it supports, and
// how to build an instance for one configuration. Scenarios are registered in ScenarioRegistry;
// canaries (deliberately broken variants) are scenarios too, flagged IsCanary and kept out of the
// port (src/Harness/Scheduling/Canaries).
using Allocator.Sync;

namespace Harness.Explore.Scenarios;

public interface IScenario
{
    string Name { get; }
    string Description { get; }
    int MinBackends { get; }
    int MaxBackends { get; }
    int DefaultBackends { get; }
    /// <summary>Operations per backend by default.</summary>
    int DefaultOps { get; }
    /// <summary>Needs a fair strategy and liveness monitors (an "every waiter eventually..." property).</summary>
    bool NeedsFairness { get; }
    /// <summary>A deliberately broken variant that the explorer must catch.</summary>
    bool IsCanary { get; }

    /// <summary>Builds an instance over the backends' seams (one per backend, Config.Backends of them).</summary>
    ScenarioInstance Create(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes);
}

/// <summary>One configuration of a scenario: backend count, operations per backend, and the seed of
/// the operation mix (0 = the scenario's default mix). Swarm testing draws a new one per iteration.</summary>
public sealed record ScenarioConfig(int Backends, int Ops, ulong MixSeed)
{
    public override string ToString() => $"backends={Backends} ops={Ops} mix={MixSeed}";

    public static ScenarioConfig Default(IScenario s) => new(s.DefaultBackends, s.DefaultOps, 0);

    /// <summary>Swarm configuration for iteration <paramref name="iteration"/>: 2..Max backends, 1..2x ops, a random mix.</summary>
    public static ScenarioConfig Swarm(IScenario s, ulong seed, int iteration)
    {
        var prng = new Allocator.Common.Prng(Allocator.Common.Prng.Derive(seed ^ 0x5357_4152_4D00UL, (ulong)iteration));
        int backends = (int)prng.Range(s.MinBackends, s.MaxBackends);
        int ops = (int)prng.Range(1, Math.Max(1, s.DefaultOps * 2));
        ulong mix = prng.NextU64() | 1;
        return new ScenarioConfig(backends, ops, mix);
    }
}
