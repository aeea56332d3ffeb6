// InputException: bad input that is not a usage mistake (a malformed artifact, a truncated corpus
// file, a missing folder). Reported as one clear line; exit code 2; nothing is lost or overwritten.
namespace Harness.Cli;

public sealed class InputException : Exception
{
    public InputException(string message) : base(message) { }
}
