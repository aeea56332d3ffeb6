// EnvironmentException: the machine lacks what a command needs (afl-fuzz not on PATH, bash or a C
// build that fails, no repository above the current folder). Not the user's input and not a bug of
// the harness: exit code ExitCodes.EnvironmentError, with a message that says what to install or pass.
namespace Harness.Cli;

public sealed class EnvironmentException : Exception
{
    public EnvironmentException(string message) : base(message) { }
}
