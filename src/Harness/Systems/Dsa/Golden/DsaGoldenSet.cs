// DsaGoldenSet: the dsa system's GoldenVectorSet (`harness golden dsa`, the gate's golden suite).
// Its folder holds one subfolder per C program of tools/pg-golden:
//   fpm/  golden.c on PostgreSQL's freepage.c (FpmGoldenReplayer); golden.c makes its own streams
//         from a seed, so these have no op-stream files;
//   dsa/  driver.c on PostgreSQL's dsa.c and freepage.c (DsaGoldenReplayer), one vector per stream
//         of DsaGoldenStreams (the set's Streams).
// A vector is replayed by the replayer its subfolder names.
using Harness.Cli;
using Harness.Gate;

namespace Harness.Systems.Dsa.Golden;

public static class DsaGoldenSet
{
    /// <summary>Where the committed vectors live, from the repository root.</summary>
    public const string Folder = "tests/Harness.Tests/Systems/Dsa/Golden";

    public static GoldenVectorSet Part { get; } = new(
        Folder,
        Streams,
        ReplayFile,
        path => Run(path).Port,
        "PostgreSQL's freepage.c (each Get's page, the btree and largest-run fields; tools/pg-golden/fpm) and dsa.c (each result and dsa_dump: segment bins, spans per fullness class; tools/pg-golden/dsa)");

    private static IReadOnlyList<(string Name, string Text)> Streams(ulong first, int count)
    {
        var list = new List<(string, string)>(count);
        for (ulong s = first; s < first + (ulong)count; s++) list.Add((DsaGoldenStreams.NameOf(s), DsaGoldenStreams.Text(s)));
        return list;
    }

    /// <summary>Replays one vector file; the first difference, or null when the port matches.</summary>
    public static string? ReplayFile(string path)
    {
        var (expected, port) = Run(path);
        return GoldenText.FirstDifference(expected, port);
    }

    /// <summary>A vector's expected text and the port's text, by the replayer its folder names.</summary>
    public static (string Expected, string Port) Run(string path)
    {
        string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "";
        string text = File.ReadAllText(path);
        return folder switch
        {
            "fpm" => FpmGoldenReplayer.Run(text),
            "dsa" => DsaGoldenReplayer.Run(text),
            _ => text.StartsWith(DsaGoldenReplayer.HeaderPrefix, StringComparison.Ordinal) ? DsaGoldenReplayer.Run(text)
                : throw new InputException($"{path}: a dsa golden vector lives in fpm/ or dsa/, or is a stream starting '{DsaGoldenReplayer.HeaderPrefix}'"),
        };
    }
}
