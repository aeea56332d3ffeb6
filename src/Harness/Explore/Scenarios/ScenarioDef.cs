// ScenarioDef: an IScenario from a name, its limits and a constructor of instances, so each
// scenario file holds only its instance class and the registry holds the list.
using Allocator.Sync;

namespace Harness.Explore.Scenarios;

public sealed class ScenarioDef : IScenario
{
    private readonly Func<ScenarioConfig, IReadOnlyList<ISyncRuntime>, ScenarioInstance> _create;

    public ScenarioDef(string name, string description, int minBackends, int maxBackends, int defaultBackends, int defaultOps,
        Func<ScenarioConfig, IReadOnlyList<ISyncRuntime>, ScenarioInstance> create, bool needsFairness = false, bool isCanary = false)
    {
        Name = name;
        Description = description;
        MinBackends = minBackends;
        MaxBackends = maxBackends;
        DefaultBackends = defaultBackends;
        DefaultOps = defaultOps;
        NeedsFairness = needsFairness;
        IsCanary = isCanary;
        _create = create;
    }

    public string Name { get; }
    public string Description { get; }
    public int MinBackends { get; }
    public int MaxBackends { get; }
    public int DefaultBackends { get; }
    public int DefaultOps { get; }
    public bool NeedsFairness { get; }
    public bool IsCanary { get; }

    public ScenarioInstance Create(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes)
    {
        if (config.Backends < MinBackends || config.Backends > MaxBackends)
            throw new ArgumentException($"{Name} runs {MinBackends}..{MaxBackends} backends, not {config.Backends}", nameof(config));
        if (config.Ops < 1) throw new ArgumentException("ops must be at least 1", nameof(config));
        return _create(config, runtimes);
    }
}
