// InputException: bad input found by the command line itself (a missing folder or file named on
// the command line). Lower layers throw their own HarnessInputException subclasses; this one is
// for the CLI only. Reported as one clear line; exit code ExitCodes.BadInput; nothing is lost or
// overwritten.
using Harness.Core;

namespace Harness.Cli;

public sealed class InputException : HarnessInputException
{
    public InputException(string message) : base(message) { }
}
