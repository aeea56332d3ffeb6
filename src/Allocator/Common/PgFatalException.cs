// PgFatalException: FATAL or PANIC. The simulated backend is dead; the harness records the outcome
// and must not use that backend again (PANIC would also take the whole cluster down).
namespace Allocator.Common;

public enum FatalLevel : byte { Fatal, Panic }

public sealed class PgFatalException : Exception
{
    public FatalLevel Level { get; }

    public PgFatalException(FatalLevel level, string message) : base(message)
    {
        Level = level;
    }

    public override string ToString() => $"{(Level == FatalLevel.Panic ? "PANIC" : "FATAL")}:  {Message}";
}
