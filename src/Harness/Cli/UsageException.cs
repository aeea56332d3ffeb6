// UsageException: a command line that parsed but does not make sense (options that do not go
// together, a value the option's own validator cannot judge alone). Exit code ExitCodes.Usage;
// CliApp prints the message and points at the command's --help.
namespace Harness.Cli;

public sealed class UsageException : Exception
{
    public UsageException(string message) : base(message) { }
}
