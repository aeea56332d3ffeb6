// Expectation: what PostgreSQL's semantics say one operation does, before the port runs it.
namespace Models;

public enum ExpectKind : byte
{
    /// <summary>Succeeds (returns a chunk, or simply returns).</summary>
    Ok,
    /// <summary>Returns NULL (NO_OOM and the malloc certainly fails).</summary>
    Null,
    /// <summary>Raises ERROR with Message (and Detail when not null).</summary>
    Error,
    /// <summary>A memory fault (C would crash), e.g. pfree(NULL).</summary>
    Fault,
    /// <summary>An Assert() fires in PostgreSQL's assert builds (the process would abort).</summary>
    Abort,
    /// <summary>Either succeeds or runs out of memory: the malloc's size is between the safe and
    /// the certainly-failing zones.</summary>
    OkOrOom,
}

/// <summary>An operation's expected outcome. OomDetail is the errdetail the op raises if a malloc
/// it makes fails (scripted failure), or null if the op makes no malloc that can fail.</summary>
public readonly record struct Expectation(ExpectKind Kind, string? Message = null, string? Detail = null, string? OomDetail = null, bool NoOom = false)
{
    public static Expectation Ok(string? oomDetail = null, bool noOom = false) => new(ExpectKind.Ok, OomDetail: oomDetail, NoOom: noOom);
    public static Expectation Error(string message, string? detail = null) => new(ExpectKind.Error, message, detail);

    public override string ToString() => Kind switch
    {
        ExpectKind.Error => Detail is null ? $"ERROR {Message}" : $"ERROR {Message} ({Detail})",
        _ => Kind.ToString(),
    };
}
