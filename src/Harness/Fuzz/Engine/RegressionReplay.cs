// RegressionReplay: replays the committed inputs. Every file under a registered target's
// fuzz/corpus/<folder>/ must run ok on the correct port (a corpus holds passing inputs, including
// every fixed finding's minimized input); every repro artifact under fuzz/regressions/<folder>/
// (minimized fuzz findings, shrunk property failures and saved exploration schedules alike) must
// reproduce its recorded outcome (canary findings stay findings under their canary). A folder under
// fuzz/regressions belongs to a system when it is named after the system or after one of its fuzz
// targets' corpus folders. A corpus or regression folder that no registered system claims is
// reported, not skipped. Used by the test suite, the gate's replay suite, and `harness fuzz` and
// `harness explore` with --regressions, which replay their system's artifacts before anything else.
using Harness.Artifacts;
using Harness.Core;

namespace Harness.Fuzz.Engine;

/// <summary>One replayed file: its path, whether it behaved as recorded, and what happened.</summary>
public sealed record ReplayedFile(string Path, bool Passed, string Detail);

public static class RegressionReplay
{
    public static List<ReplayedFile> Corpus(string repoRoot, SystemRegistry systems)
    {
        var results = new List<ReplayedFile>();
        foreach (FuzzTargetDef def in FuzzTargets.All(systems)) results.AddRange(CorpusOf(repoRoot, def));
        results.AddRange(UnclaimedCorpusFolders(repoRoot, systems));
        return results;
    }

    /// <summary>Every input of one target's corpus folder, run once (none when it has no folder).</summary>
    public static List<ReplayedFile> CorpusOf(string repoRoot, FuzzTargetDef def)
    {
        var results = new List<ReplayedFile>();
        string dir = def.CorpusPath(repoRoot);
        if (!Directory.Exists(dir)) return results;
        IFuzzTarget target = def.Create(FuzzTargetConfig.Default);
        var problems = new List<string>();
        foreach (CorpusFile f in CorpusFolder.Load(dir, 1 << 20, problems))
        {
            Outcome o = target.Execute(f.Data);
            results.Add(new ReplayedFile(Path.Combine(dir, f.Name), !o.IsFailure,
                o.IsFailure ? $"{o.Signature} at op {o.Step}: {o.Reason}" : "ok"));
        }
        foreach (string p in problems) results.Add(new ReplayedFile(dir, false, p));
        return results;
    }

    /// <summary>Folders under fuzz/corpus that no registered target keeps its corpus in.</summary>
    public static List<ReplayedFile> UnclaimedCorpusFolders(string repoRoot, SystemRegistry systems)
    {
        var results = new List<ReplayedFile>();
        var claimed = new HashSet<string>(FuzzTargets.All(systems).Select(d => Path.GetFullPath(d.CorpusPath(repoRoot))), StringComparer.Ordinal);
        string root = Path.Combine(repoRoot, "fuzz", "corpus");
        if (Directory.Exists(root))
            foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
                if (!claimed.Contains(Path.GetFullPath(dir)))
                    results.Add(new ReplayedFile(dir, false, $"no registered fuzz target keeps its corpus here (targets: {string.Join(", ", FuzzTargets.All(systems).Select(d => d.Name))})"));
        return results;
    }

    /// <summary>Every saved artifact replayed (see <see cref="Saved"/> for which).</summary>
    public static List<ReplayedFile> Artifacts(string repoRoot, SystemRegistry systems, IReadOnlyCollection<ISystem>? only = null) =>
        [.. Saved(repoRoot, systems, only).Select(s => s.Problem is null ? Replay(s.Path, systems) : new ReplayedFile(s.Path, false, s.Problem))];

    /// <summary>The regression folders of a system: its own name and its fuzz targets' corpus folders.</summary>
    public static IEnumerable<string> FoldersOf(ISystem system) =>
        system.Parts.OfType<FuzzTargetDef>().Select(d => d.CorpusFolder).Prepend(system.Name).Distinct(StringComparer.Ordinal);

    /// <summary>The artifacts under fuzz/regressions in path order: of every system of the registry
    /// (<paramref name="only"/> null: then also a problem for each folder no system claims), or of
    /// the systems in <paramref name="only"/>.</summary>
    public static List<(string Path, string? Problem)> Saved(string repoRoot, SystemRegistry systems, IReadOnlyCollection<ISystem>? only = null)
    {
        var results = new List<(string, string?)>();
        string root = Path.Combine(repoRoot, "fuzz", "regressions");
        if (!Directory.Exists(root)) return results;
        var owner = new Dictionary<string, ISystem>(StringComparer.Ordinal);
        foreach (ISystem s in systems.Systems)
            foreach (string folder in FoldersOf(s))
                owner.TryAdd(folder, s);
        if (only is null)
            foreach (string f in Directory.GetFiles(root, "*.json").Order(StringComparer.Ordinal)) results.Add((f, null));
        foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            if (!owner.TryGetValue(Path.GetFileName(dir), out ISystem? system))
            {
                if (only is null) results.Add((dir, $"no registered system keeps regressions here (folders: {string.Join(", ", owner.Keys.Order(StringComparer.Ordinal))})"));
                continue;
            }
            if (only is not null && !only.Contains(system)) continue;
            string[] files = Directory.GetFiles(dir, "*.json", SearchOption.AllDirectories);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (string f in files) results.Add((f, null));
        }
        return results;
    }

    /// <summary>Replays one artifact; it passes when it reproduces its recorded outcome.</summary>
    public static ReplayedFile Replay(string path, SystemRegistry systems)
    {
        try
        {
            ReproArtifact a = ReproArtifact.Load(path);
            ReplayResult r = ArtifactReplayers.For(a).Replay(a, systems, TextWriter.Null);
            return new ReplayedFile(path, r.Reproduced, $"{(r.Reproduced ? "reproduced" : "NOT reproduced")}: {r.Outcome.Kind.Name()} at step {r.Outcome.Step}: {r.Reason}");
        }
        catch (HarnessInputException e)
        {
            return new ReplayedFile(path, false, e.Message);
        }
    }
}
