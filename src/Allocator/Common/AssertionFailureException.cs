// AssertionFailureException and Pg.Assert: PostgreSQL's Assert() under USE_ASSERT_CHECKING.
//
// Always on in the simulation (Debug.Assert would vanish in Release builds, and the engines run in
// Release). An assertion failure is an outcome of its own class: a real PostgreSQL assert build
// would abort() here, so it is a finding, never something to catch and carry on from.
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Allocator.Common;

public sealed class AssertionFailureException : Exception
{
    public string Condition { get; }

    public AssertionFailureException(string condition, string location)
        : base($"TRAP: failed Assert(\"{condition}\"), {location}")
    {
        Condition = condition;
    }
}

/// <summary>Assertion helpers named after PostgreSQL's macros.</summary>
public static class Pg
{
    /// <summary>Assert(cond): throws <see cref="AssertionFailureException"/> when cond is false.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Assert(
        [DoesNotReturnIf(false)] bool condition,
        [CallerArgumentExpression(nameof(condition))] string text = "",
        [CallerMemberName] string member = "",
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0)
    {
        if (!condition) Fail(text, member, file, line);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Fail(string text, string member, string file, int line) =>
        throw new AssertionFailureException(text, $"File: \"{Path.GetFileName(file)}\", Line: {line}, in {member}");
}
