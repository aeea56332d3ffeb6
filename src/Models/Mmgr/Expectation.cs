// Expectation: what PostgreSQL's semantics say one operation does, before the port runs it.
namespace Models.Mmgr;

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

/// <summary>The errdetail of mcxt.c's "out of memory" ERROR, kept as its parts: most operations could
/// run out of memory, few do, and the text is needed only when one does.</summary>
public readonly record struct OomDetailText(bool Creating, string ContextName, ulong Size)
{
    /// <summary>A palloc-family request of <paramref name="size"/> bytes in a context.</summary>
    public static OomDetailText Request(string contextName, ulong size) => new(false, contextName, size);

    /// <summary>The malloc of a new context's header and first block.</summary>
    public static OomDetailText Create(string contextName) => new(true, contextName, 0);

    public override string ToString() => Creating
        ? $"Failed while creating memory context \"{ContextName}\"."
        : $"Failed on request of size {Size} in memory context \"{ContextName}\".";

    /// <summary>Whether <paramref name="text"/> is this errdetail (ToString), compared without
    /// making the string: every out-of-memory ERROR the port raises is checked against it.</summary>
    public bool Matches(string? text)
    {
        if (text is null) return false;
        Span<char> buffer = stackalloc char[256];
        bool fits = Creating
            ? buffer.TryWrite($"Failed while creating memory context \"{ContextName}\".", out int written)
            : buffer.TryWrite($"Failed on request of size {Size} in memory context \"{ContextName}\".", out written);
        return fits ? text.AsSpan().SequenceEqual(buffer[..written]) : text == ToString();
    }
}

/// <summary>An operation's expected outcome. Oom describes the errdetail the op raises if a malloc
/// it makes fails (scripted failure), or is null if the op makes no malloc that can fail.</summary>
public readonly record struct Expectation(ExpectKind Kind, string? Message = null, string? Detail = null, OomDetailText? Oom = null, bool NoOom = false)
{
    /// <summary>The errdetail text of an out-of-memory ERROR (formatted on demand), or null.</summary>
    public string? OomDetail => Oom?.ToString();

    public static Expectation Ok(OomDetailText? oom = null, bool noOom = false) => new(ExpectKind.Ok, Oom: oom, NoOom: noOom);
    public static Expectation Error(string message, string? detail = null) => new(ExpectKind.Error, message, detail);

    public override string ToString() => Kind switch
    {
        ExpectKind.Error => Detail is null ? $"ERROR {Message}" : $"ERROR {Message} ({Detail})",
        _ => Kind.ToString(),
    };
}
