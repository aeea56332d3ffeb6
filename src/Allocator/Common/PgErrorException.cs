// PgErrorException: PostgreSQL's elog/ereport(ERROR), carrying the exact message text.
//
// In C an ERROR longjmps out of the operation and leaves whatever was mutated before it mutated;
// the port throws at the same point for the same reason, so the state after a caught ERROR is
// the state PostgreSQL would have. Tests and oracles compare Message (and Detail) textually.
namespace Allocator.Common;

public class PgErrorException : Exception
{
    /// <summary>The errdetail() text, if the ereport had one.</summary>
    public string? Detail { get; }

    public PgErrorException(string message, string? detail = null) : base(message)
    {
        Detail = detail;
    }

    public override string ToString() => Detail is null ? $"ERROR:  {Message}" : $"ERROR:  {Message}\nDETAIL:  {Detail}";
}
