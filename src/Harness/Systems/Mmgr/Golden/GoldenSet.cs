// GoldenSet: the memory-context system's GoldenVectorSet: where its vectors live
// (GoldenVectors.Folder), the streams they are made of (GoldenStreams, 48 ops each) and the
// replay of one file (GoldenVectors.ReplayFile).
using System.Text;
using Harness.Gate;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Golden;

public static class GoldenSet
{
    /// <summary>Ops per golden stream.</summary>
    public const int OpsPerStream = 48;

    public static GoldenVectorSet Part { get; } = new(
        GoldenVectors.Folder,
        Streams,
        path => GoldenVectors.ReplayFile(path),
        path => GoldenVectors.RunFile(path).Port,
        "PostgreSQL's C memory contexts' observable figures after every op (tools/pg-golden/mmgr), both builds");

    private static IReadOnlyList<(string Name, string Text)> Streams(ulong first, int count)
    {
        var list = new List<(string, string)>(count);
        for (ulong s = first; s < first + (ulong)count; s++)
        {
            var sb = new StringBuilder();
            foreach (AllocatorOp op in GoldenStreams.Generate(s, OpsPerStream)) sb.Append(op).Append('\n');
            list.Add((GoldenStreams.NameOf(s), sb.ToString()));
        }
        return list;
    }
}
