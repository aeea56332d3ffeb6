// ISystem: one system under test, as the engines see it. A system is a name (with the older names
// that must keep working), one line of description, and the parts it offers to engines: property
// suites, fuzz targets, concurrency scenarios. Each engine defines its own part type and picks its
// parts out of the registry (SystemRegistry.Parts<T>), so Core knows no engine and no engine
// knows a system by name. A system is registered by one file under Systems/<System>/.
namespace Harness.Core;

/// <summary>Something a system offers one engine (a property suite, a fuzz target, a scenario set).</summary>
public interface ISystemPart
{
    /// <summary>The engine it is for ("properties", "fuzz", "explore"), for listings.</summary>
    string Engine { get; }

    /// <summary>One line for `harness systems`: what this part contains.</summary>
    string Summary { get; }
}

public interface ISystem
{
    /// <summary>The system's name: lower case, no slash ("mmgr", "locks").</summary>
    string Name { get; }

    /// <summary>Older names that resolve to this system (artifacts and commands written before a rename).</summary>
    IReadOnlyList<string> Aliases { get; }

    string Description { get; }

    IReadOnlyList<ISystemPart> Parts { get; }
}
