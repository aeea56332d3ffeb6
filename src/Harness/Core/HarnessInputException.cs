// HarnessInputException: the one family of "what you gave the harness cannot be used" errors.
// Lower layers throw the specific domain error (an unknown name, malformed bytes or text); only
// the command line and the artifact reader turn them into the one-line message a user sees
// (Program.Run catches this base class), so no layer below the CLI knows about the CLI.
namespace Harness.Core;

public abstract class HarnessInputException : Exception
{
    protected HarnessInputException(string message) : base(message) { }
}

/// <summary>A name that no registry knows: a system, fuzz target, scenario, property or canary.
/// The message lists the known names.</summary>
public sealed class UnknownNameException : HarnessInputException
{
    public UnknownNameException(string what, string name, IEnumerable<string> known)
        : base($"unknown {what} '{name}' (known: {string.Join(", ", known)})")
    {
        What = what;
        Name = name;
    }

    public string What { get; }
    public string Name { get; }
}

/// <summary>Text or bytes that do not parse: an operation line, a configuration value, a schedule
/// token, a corpus file. The message says where and what.</summary>
public sealed class MalformedInputException : HarnessInputException
{
    public MalformedInputException(string message) : base(message) { }
}
