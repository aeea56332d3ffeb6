// SystemRegistry: the systems an engine may run, in a fixed order (the order of registration,
// which is the order of gate cases and listings). The default registry holds every ISystem of the
// harness assembly, ordered by name; tests build their own with extra systems, and every engine
// and command takes the registry it is given, so a test-only system runs through all of them.
//
// Names are resolved exactly, then through aliases. A qualified part name is "system/part"
// ("locks/lwlock-shared-exclusive"); a bare part name is accepted when exactly one system has it.
namespace Harness.Core;

public sealed class SystemRegistry
{
    private readonly ISystem[] _systems;

    public SystemRegistry(IEnumerable<ISystem> systems)
    {
        _systems = systems.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (ISystem s in _systems)
        {
            if (s.Name.Length == 0 || s.Name.Contains('/', StringComparison.Ordinal) || s.Name != s.Name.ToLowerInvariant())
                throw new ArgumentException($"system name '{s.Name}' must be non-empty lower case without '/'");
            foreach (string n in s.Aliases.Prepend(s.Name))
                if (!seen.Add(n)) throw new ArgumentException($"two systems are called '{n}'");
        }
    }

    /// <summary>Every system of the harness assembly, in name order.</summary>
    public static SystemRegistry Default { get; } = new(
        typeof(SystemRegistry).Assembly.GetTypes()
            .Where(t => typeof(ISystem).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ISystem)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal));

    public IReadOnlyList<ISystem> Systems => _systems;

    /// <summary>This registry plus more systems (tests add their own).</summary>
    public SystemRegistry With(params ISystem[] more) => new(_systems.Concat(more));

    public ISystem? Find(string name) =>
        _systems.FirstOrDefault(s => s.Name == name) ?? _systems.FirstOrDefault(s => s.Aliases.Contains(name));

    public ISystem Get(string name) => Find(name) ?? throw new UnknownNameException("system", name, _systems.Select(s => s.Name));

    /// <summary>Every part of type T, with its system, in registry order.</summary>
    public IEnumerable<(ISystem System, T Part)> Parts<T>() where T : ISystemPart =>
        _systems.SelectMany(s => s.Parts.OfType<T>().Select(p => (s, p)));
}
