// RegressionReplay: replays the committed fuzz inputs. Every file under a registered target's
// fuzz/corpus/<folder>/ must run ok on the correct port (a corpus holds passing inputs, including
// every fixed finding's minimized input); every repro artifact under fuzz/regressions/ must
// reproduce its recorded outcome (canary findings stay findings under their canary). A corpus
// folder that no registered target claims is reported, not skipped. Used by the test suite and
// the gate.
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
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (FuzzTargetDef def in FuzzTargets.All(systems))
        {
            string dir = def.CorpusPath(repoRoot);
            claimed.Add(Path.GetFullPath(dir));
            if (!Directory.Exists(dir)) continue;
            IFuzzTarget target = def.Create(FuzzTargetConfig.Default);
            var problems = new List<string>();
            foreach (CorpusFile f in CorpusFolder.Load(dir, 1 << 20, problems))
            {
                Outcome o = target.Execute(f.Data);
                results.Add(new ReplayedFile(Path.Combine(dir, f.Name), !o.IsFailure,
                    o.IsFailure ? $"{o.Signature} at op {o.Step}: {o.Reason}" : "ok"));
            }
            foreach (string p in problems) results.Add(new ReplayedFile(dir, false, p));
        }
        string root = Path.Combine(repoRoot, "fuzz", "corpus");
        if (Directory.Exists(root))
            foreach (string dir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
                if (!claimed.Contains(Path.GetFullPath(dir)))
                    results.Add(new ReplayedFile(dir, false, $"no registered fuzz target keeps its corpus here (targets: {string.Join(", ", FuzzTargets.All(systems).Select(d => d.Name))})"));
        return results;
    }

    public static List<ReplayedFile> Artifacts(string repoRoot, SystemRegistry systems)
    {
        var results = new List<ReplayedFile>();
        string root = Path.Combine(repoRoot, "fuzz", "regressions");
        if (!Directory.Exists(root)) return results;
        string[] files = Directory.GetFiles(root, "*.json", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (string path in files)
        {
            try
            {
                ReproArtifact a = ReproArtifact.Load(path);
                ReplayResult r = ArtifactReplayers.For(a).Replay(a, systems, TextWriter.Null);
                results.Add(new ReplayedFile(path, r.Reproduced, $"{(r.Reproduced ? "reproduced" : "NOT reproduced")}: {r.Outcome.Kind.Name()} at step {r.Outcome.Step}: {r.Reason}"));
            }
            catch (HarnessInputException e)
            {
                results.Add(new ReplayedFile(path, false, e.Message));
            }
        }
        return results;
    }
}
