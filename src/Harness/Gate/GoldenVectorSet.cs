// GoldenVectorSet: a system's golden vectors, what PostgreSQL's own C code printed for fixed
// operation streams (tools/pg-golden), for `harness golden` and the gate's "golden" suite. The
// system says where its vectors live, how to write the streams they are made of, and how to replay
// one vector file against the port.
using Harness.Core;

namespace Harness.Gate;

/// <param name="Folder">The vectors' folder, from the repository root.</param>
/// <param name="Streams">The op stream files for fixed seeds: (first seed, count) -> (file name, text).</param>
/// <param name="ReplayFile">Replays one vector file; returns the first difference, or null.</param>
/// <param name="PortText">The port's text for a vector's (or op file's) operations (`harness golden SYSTEM print`).</param>
/// <param name="Description">One line for `harness systems`.</param>
public sealed record GoldenVectorSet(
    string Folder,
    Func<ulong, int, IReadOnlyList<(string Name, string Text)>> Streams,
    Func<string, string?> ReplayFile,
    Func<string, string> PortText,
    string Description) : ISystemPart
{
    public string Engine => "golden";
    public string Summary => Description;
}
