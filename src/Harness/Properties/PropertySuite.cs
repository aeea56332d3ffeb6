// PropertySuite: what a system offers the property engine: its named properties, the planted bugs
// they can be run against, and the runs the gate makes (property, checking, cases, longest op
// list). `harness check SYSTEM`, the gate and the property artifact replayer find suites in the
// system registry and know nothing else about the system.
using Harness.Core;

namespace Harness.Properties;

/// <summary>Which checking builds a property runs in (PostgreSQL's cassert-style build options,
/// MEMORY_CONTEXT_CHECKING and the like, are runtime options of the port).</summary>
public enum CheckingModes
{
    Both,
    OnOnly,
}

/// <summary>One property: a name, one line of what it claims, the builds it runs in and how to
/// build a runner for one (checking, canary) pair. Create throws UnknownNameException for a canary
/// the system does not have.</summary>
public sealed record PropertyDef(string Name, string Description, CheckingModes Checking, Func<bool, string, IPropertyRun> Create)
{
    public bool Allows(bool checking) => checking || Checking == CheckingModes.Both;
}

/// <summary>One run of the gate: cases at scale 1 and the longest op list.</summary>
public sealed record PropertyGateCase(string Property, bool Checking, int Cases, int Ops);

/// <summary>A planted bug the gate runs a property against: it must fail within Cases cases (the
/// budget does not scale), with an outcome of kind Expected.</summary>
public sealed record PropertyGateCanary(string Canary, string Property, bool Checking, int Cases, int Ops, OutcomeKind Expected);

public sealed class PropertySuite : ISystemPart
{
    /// <summary>The name of "no planted bug".</summary>
    public const string NoCanary = "None";

    public PropertySuite(IReadOnlyList<PropertyDef> properties, IReadOnlyList<PropertyGateCase> gate, IReadOnlyList<string> canaries,
        IReadOnlyList<PropertyGateCanary>? gateCanaries = null)
    {
        Properties = properties;
        Gate = gate;
        Canaries = canaries;
        GateCanaries = gateCanaries ?? [];
        foreach (PropertyGateCanary c in GateCanaries)
        {
            if (!canaries.Contains(c.Canary)) throw new ArgumentException($"gate canary {c.Canary} is not one of the suite's canaries");
            if (!Get(c.Property).Allows(c.Checking)) throw new ArgumentException($"gate canary {c.Canary} runs {c.Property} with checking off, which the property does not allow");
        }
        foreach (PropertyGateCase g in gate)
        {
            PropertyDef p = Get(g.Property);
            if (!p.Allows(g.Checking)) throw new ArgumentException($"gate case {g.Property} runs with checking off, which the property does not allow");
        }
    }

    public IReadOnlyList<PropertyDef> Properties { get; }

    public IReadOnlyList<PropertyGateCase> Gate { get; }

    public IReadOnlyList<string> Canaries { get; }

    /// <summary>Planted bugs the gate checks the properties still catch.</summary>
    public IReadOnlyList<PropertyGateCanary> GateCanaries { get; }

    public string Engine => "properties";

    public string Summary => $"properties {string.Join(", ", Properties.Select(p => p.Name))}; {Gate.Count} gate runs"
        + (GateCanaries.Count == 0 ? "" : $", {GateCanaries.Count} gate canaries");

    public PropertyDef Get(string name) =>
        Properties.FirstOrDefault(p => p.Name == name) ?? throw new UnknownNameException("property", name, Properties.Select(p => p.Name));

    /// <summary>The property suite of a system, or an UnknownNameException naming the systems that have one.</summary>
    public static (ISystem System, PropertySuite Suite) Of(SystemRegistry systems, string systemName)
    {
        ISystem? s = systems.Find(systemName);
        PropertySuite? suite = s?.Parts.OfType<PropertySuite>().FirstOrDefault();
        if (s is null || suite is null)
            throw new UnknownNameException("system with properties", systemName, systems.Parts<PropertySuite>().Select(p => p.System.Name));
        return (s, suite);
    }
}
