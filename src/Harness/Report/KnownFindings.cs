// KnownFindings: what main already knows about, so that a pull request's campaign reports only the
// findings that are new against main. Two sources, both committed:
//   - every repro artifact under fuzz/regressions/<system>/ (its outcome's signature): failures
//     that are replayed forever and so are known by construction;
//   - fuzz/known-findings.tsv: one line per triaged signature, "SIGNATURE<TAB>STATUS<TAB>NOTE",
//     STATUS one of quirk (PostgreSQL really does this; replicated and flagged), open (a port bug
//     not yet fixed), wontfix; '#' starts a comment.
// A malformed line is a MalformedInputException naming the file and line (KF1), so a typo cannot
// silently make a finding "new" or "known".
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Report;

public sealed class KnownFindings
{
    public const string TablePath = "fuzz/known-findings.tsv";
    public static readonly string[] Statuses = ["quirk", "open", "wontfix"];

    private readonly Dictionary<string, string> _status = new(StringComparer.Ordinal);

    public int Count => _status.Count;

    /// <summary>"regression" for a stored artifact's signature, else the table's status and note; null when new.</summary>
    public string? StatusOf(string signature) => _status.TryGetValue(signature, out string? s) ? s : null;

    public static KnownFindings Load(string repoRoot)
    {
        var known = new KnownFindings();
        string regressions = Path.Combine(repoRoot, "fuzz", "regressions");
        if (Directory.Exists(regressions))
            foreach (string path in Directory.EnumerateFiles(regressions, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                ReproArtifact a = ReproArtifact.Load(path);
                known._status.TryAdd($"{a.Outcome.Kind.Name()}:{a.Outcome.Site}", $"regression ({Path.GetRelativePath(repoRoot, path)})");
            }
        string table = Path.Combine(repoRoot, TablePath);
        if (File.Exists(table)) known.Read(table);
        return known;
    }

    private void Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] f = line.Split('\t');
            if (f.Length < 2 || f[0].Length == 0 || !f[0].Contains(':', StringComparison.Ordinal) || !Statuses.Contains(f[1]))
                throw new MalformedInputException($"KF1: {path}:{i + 1}: want SIGNATURE<TAB>{string.Join("|", Statuses)}<TAB>NOTE, got '{lines[i]}'");
            _status[f[0]] = f.Length > 2 && f[2].Length > 0 ? $"{f[1]}: {f[2]}" : f[1];
        }
    }
}
