// GoldenVectors: reading and replaying the memory-context golden vectors
// (tests/Harness.Tests/Systems/Mmgr/Golden/{prod,chk}/*.txt: tools/pg-golden/mmgr/driver.c's output
// on PostgreSQL's C, one file per stream). A vector's op lines are the lines that are neither
// indented nor '#' comments nor "end"; its expected text is every line but the comments. Replaying
// runs the op lines on the port (GoldenReplayer, the build named by the folder: prod or chk) and
// compares the text line by line; the first difference is the finding.
using System.Globalization;
using Harness.Systems.Mmgr.Oracle;

namespace Harness.Systems.Mmgr.Golden;

public static class GoldenVectors
{
    /// <summary>Where the committed vectors live, from the repository root.</summary>
    public const string Folder = "tests/Harness.Tests/Systems/Mmgr/Golden";

    /// <summary>The two builds of the committed vectors: folder name and whether it is the checking build.</summary>
    public static IReadOnlyList<(string Folder, bool Checking)> Builds { get; } = [("prod", false), ("chk", true)];

    /// <summary>The port built as the driver's build of that name (prod, chk, cas = chk + assertions).</summary>
    public static GoldenReplayer ReplayerFor(string build, ulong heapMax) => build switch
    {
        "prod" => new GoldenReplayer(false, heapMax),
        "chk" => new GoldenReplayer(true, heapMax),
        "cas" => new GoldenReplayer(true, heapMax, asserts: true),
        _ => throw new ArgumentException($"unknown build '{build}' (prod, chk, cas)", nameof(build)),
    };

    /// <summary>The expected text (comments dropped) and the op lines of a vector.</summary>
    public static (string Expected, List<AllocatorOp> Ops) Load(string text)
    {
        var expected = new System.Text.StringBuilder();
        var ops = new List<AllocatorOp>();
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || line[0] == '#') continue;
            expected.Append(line).Append('\n');
            if (line[0] != ' ' && line != "end" && !line.StartsWith("crash ", StringComparison.Ordinal))
                ops.Add(AllocatorOpText.Parse(line, i + 1));
        }
        return (expected.ToString(), ops);
    }

    /// <summary>The first line where the two texts differ, with the op it belongs to; null if equal.</summary>
    public static string? FirstDifference(string expected, string actual) => Harness.Gate.GoldenText.FirstDifference(expected, actual);

    /// <summary>True when both sides died on the same op with the same text before it: the C
    /// driver's text ends "crash N" after op k-1's lines (the crashing op's lines are never
    /// written) and the port's op k printed a CRASH result (a fault or an always-on assertion where
    /// PostgreSQL without assertions goes on into a fault, e.g. quirk Q2's wrapped chunk size).</summary>
    public static bool BothCrashAtSameOp(string c, string port)
    {
        int crash = c.LastIndexOf("\ncrash ", StringComparison.Ordinal);
        int portCrash = port.IndexOf("\n  = CRASH ", StringComparison.Ordinal);
        if (crash < 0 || portCrash < 0) return false;
        // the port's op k: back from its CRASH result over any WARNING lines to the op line
        int opLine = port.LastIndexOf('\n', portCrash - 1);
        while (opLine > 0 && port[opLine + 1] == ' ') opLine = port.LastIndexOf('\n', opLine - 1);
        return string.CompareOrdinal(c, 0, port, 0, Math.Max(crash, opLine) + 1) == 0 && crash == opLine;
    }

    /// <summary>The comment that gives a vector a heap limit other than 1 GiB (differential
    /// fuzzing's findings: the driver's HEAP_MAX argument).</summary>
    public const string HeapMaxComment = "# heap-max=";

    /// <summary>Replays one vector file (its folder names the build, a HeapMaxComment line its heap
    /// limit); null when the port matches.</summary>
    public static string? ReplayFile(string path)
    {
        var (expected, actual) = RunFile(path);
        return FirstDifference(expected, actual);
    }

    /// <summary>A vector's (or op file's) expected text and the port's text for its op lines,
    /// in the build its folder names (chk or cas, else prod) with its HeapMaxComment limit.</summary>
    public static (string Expected, string Port) RunFile(string path)
    {
        string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "";
        string build = folder is "chk" or "cas" ? folder : "prod";
        string text = File.ReadAllText(path);
        ulong heapMax = Allocator.Sim.SimMemory.DefaultHeapMax;
        foreach (string line in text.Split('\n'))
            if (line.StartsWith(HeapMaxComment, StringComparison.Ordinal))
                heapMax = ulong.Parse(line.AsSpan(HeapMaxComment.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        var (expected, ops) = Load(text);
        return (expected, ReplayerFor(build, heapMax).Run(ops));
    }

    /// <summary>The vector files under a folder (both builds when it is the vectors' root), in ordinal order.</summary>
    public static List<string> Files(string folderOrFile)
    {
        if (File.Exists(folderOrFile)) return [folderOrFile];
        var files = Directory.EnumerateFiles(folderOrFile, "*.txt", SearchOption.AllDirectories).ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
