// AflQueueName: AFL++'s queue file names, which both kinds of sync worker use so that each can read
// the other's queue: "id:NNNNNN" (six digits at least, the entry's number in its worker's queue)
// followed by comma-separated notes ("orig:FILE" for a seed, "sync:WORKER,src:NNNNNN" for an
// imported entry, "op:...", "+cov"). afl-fuzz reads the number with a "%06u" scan of the "id:"
// prefix and ignores every name starting with '.', which is why a half-written entry is named
// ".id:...tmp" until it is renamed.
using System.Globalization;

namespace Harness.Fuzz.Sync;

public static class AflQueueName
{
    public const string Prefix = "id:";

    /// <summary>The name of entry <paramref name="id"/> with its notes (no commas or slashes inside a note).</summary>
    public static string Format(int id, string notes) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{id:D6}") + (notes.Length == 0 ? "" : "," + notes);

    /// <summary>The entry number of a queue file name, or null for anything else (dot files, afl's .state, README).</summary>
    public static int? TryParseId(string fileName)
    {
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        int end = Prefix.Length;
        while (end < fileName.Length && char.IsAsciiDigit(fileName[end])) end++;
        if (end == Prefix.Length || end - Prefix.Length > 9) return null;
        if (end < fileName.Length && fileName[end] != ',') return null;
        return int.Parse(fileName.AsSpan(Prefix.Length, end - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
