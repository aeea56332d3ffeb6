// The mutant catalog: tools/mutate/catalog/<system>.txt, one block per mutant. A block is
//
//   ## <id>
//   file: <path from the repository root>
//   why: <one line: which PostgreSQL policy the mutant drifts from>
//   survives: <optional, one line: why the last campaign did not kill it>
//   --- original
//   <exact lines that must occur exactly once in the file>
//   --- mutant
//   <their replacement>
//
// Lines starting with "#" but not "## " before the first block are comments, except one directive:
//
//   # gate-systems: <system>[,<system>...]
//
// which says that the file's mutants change code only those systems' gate cases can run, so the
// campaign gates each of them with `harness gate --systems ...` instead of the whole gate
// (CatalogTests checks the claim against the code's namespace references). Trailing blank lines of
// a snippet are dropped; everything else (indentation included) is kept, so a snippet is matched
// byte for byte against the file (with "\n" line ends).
namespace Mutate;

/// <summary>One small, faithful-looking change to the port.</summary>
/// <param name="GateSystems">The systems whose gate cases can run the mutated code (the catalog's
/// gate-systems directive), or null: every system.</param>
public sealed record Mutant(string Id, string System, string File, string Why, string? Survives, string Original, string Replacement, string Catalog, int Line,
    IReadOnlyList<string>? GateSystems = null);

public static class Catalog
{
    public const string OriginalMarker = "--- original";
    public const string MutantMarker = "--- mutant";
    public const string GateSystemsDirective = "# gate-systems:";

    /// <summary>Every catalog file of the folder, in file-name order, mutants in file order.</summary>
    public static IReadOnlyList<Mutant> Load(string dir)
    {
        var all = new List<Mutant>();
        foreach (string path in Directory.GetFiles(dir, "*.txt").OrderBy(p => p, StringComparer.Ordinal))
            all.AddRange(Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), Path.GetFileName(path)));
        return all;
    }

    /// <summary>Parses one catalog file; the system is the file's name. Throws FormatException with the line.</summary>
    public static IReadOnlyList<Mutant> Parse(string text, string system, string catalogName)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        var result = new List<Mutant>();
        int i = 0;
        IReadOnlyList<string>? gateSystems = null;
        while (i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal))
        {
            if (lines[i].Length > 0 && !lines[i].StartsWith('#')) throw Bad(catalogName, i, "text before the first '## id' block");
            if (lines[i].StartsWith(GateSystemsDirective, StringComparison.Ordinal))
            {
                if (gateSystems is not null) throw Bad(catalogName, i, "a second gate-systems directive");
                gateSystems = lines[i][GateSystemsDirective.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (gateSystems.Count == 0) throw Bad(catalogName, i, "gate-systems names no system");
            }
            i++;
        }
        while (i < lines.Length)
        {
            int start = i;
            string id = lines[i][3..].Trim();
            if (id.Length == 0 || id.Any(char.IsWhiteSpace)) throw Bad(catalogName, i, "a mutant id is one word");
            i++;
            string? file = null, why = null, survives = null;
            while (i < lines.Length && lines[i] != OriginalMarker)
            {
                string l = lines[i];
                if (l.StartsWith("file:", StringComparison.Ordinal)) file = l[5..].Trim();
                else if (l.StartsWith("why:", StringComparison.Ordinal)) why = l[4..].Trim();
                else if (l.StartsWith("survives:", StringComparison.Ordinal)) survives = l[9..].Trim();
                else if (l.Trim().Length > 0) throw Bad(catalogName, i, $"mutant {id}: expected 'file:', 'why:', 'survives:' or '{OriginalMarker}'");
                i++;
            }
            if (i == lines.Length) throw Bad(catalogName, start, $"mutant {id}: no '{OriginalMarker}'");
            if (string.IsNullOrEmpty(file)) throw Bad(catalogName, start, $"mutant {id}: no 'file:'");
            if (string.IsNullOrEmpty(why)) throw Bad(catalogName, start, $"mutant {id}: no 'why:'");
            i++;
            var original = new List<string>();
            while (i < lines.Length && lines[i] != MutantMarker)
            {
                if (lines[i].StartsWith("## ", StringComparison.Ordinal)) throw Bad(catalogName, i, $"mutant {id}: no '{MutantMarker}'");
                original.Add(lines[i++]);
            }
            if (i == lines.Length) throw Bad(catalogName, start, $"mutant {id}: no '{MutantMarker}'");
            i++;
            var replacement = new List<string>();
            while (i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal)) replacement.Add(lines[i++]);
            string o = Join(original), r = Join(replacement);
            if (o.Trim().Length == 0) throw Bad(catalogName, start, $"mutant {id}: empty original snippet");
            if (o == r) throw Bad(catalogName, start, $"mutant {id}: the replacement equals the original");
            result.Add(new Mutant(id, system, file, why, survives, o, r, catalogName, start + 1, gateSystems));
        }
        return result;
    }

    /// <summary>How often the original snippet occurs in the file's text (non-overlapping, ordinal).</summary>
    public static int Occurrences(string text, string snippet)
    {
        int n = 0;
        for (int at = text.IndexOf(snippet, StringComparison.Ordinal); at >= 0; at = text.IndexOf(snippet, at + snippet.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>What is wrong with the catalog against a tree: duplicate ids, missing files, snippets not found exactly once.</summary>
    public static IReadOnlyList<string> Problems(IReadOnlyList<Mutant> mutants, string repoRoot)
    {
        var problems = new List<string>();
        foreach (var g in mutants.GroupBy(m => m.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"id {g.Key} is used {g.Count()} times");
        foreach (Mutant m in mutants)
        {
            string path = Path.Combine(repoRoot, m.File);
            if (!System.IO.File.Exists(path)) { problems.Add($"{m.Id}: {m.File} does not exist"); continue; }
            int n = Occurrences(System.IO.File.ReadAllText(path).Replace("\r\n", "\n"), m.Original);
            if (n != 1) problems.Add($"{m.Id}: the original snippet occurs {n} times in {m.File} (must be exactly once)");
        }
        return problems;
    }

    private static string Join(List<string> lines)
    {
        int n = lines.Count;
        while (n > 0 && lines[n - 1].Trim().Length == 0) n--;
        return string.Join("\n", lines.Take(n));
    }

    private static FormatException Bad(string catalog, int line, string what) => new($"{catalog}:{line + 1}: {what}");
}
