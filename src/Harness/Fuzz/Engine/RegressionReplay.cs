// RegressionReplay: replays the committed fuzz inputs. Every file under fuzz/corpus/<target>/ must
// run ok on the correct port (a corpus holds passing inputs, including every fixed finding's
// minimized input); every repro artifact under fuzz/regressions/ must reproduce its recorded
// outcome (canary findings stay findings under their canary). Used by the test suite and the gate.
using Harness.Artifacts;

namespace Harness.Fuzz.Engine;

/// <summary>One replayed file: its path, whether it behaved as recorded, and what happened.</summary>
public sealed record ReplayedFile(string Path, bool Passed, string Detail);

public static class RegressionReplay
{
    public static List<ReplayedFile> Corpus(string repoRoot)
    {
        var results = new List<ReplayedFile>();
        string root = Path.Combine(repoRoot, "fuzz", "corpus");
        if (!Directory.Exists(root)) return results;
        foreach (string targetDir in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(targetDir);
            IFuzzTarget target = FuzzTargets.Create(name, FuzzTargetConfig.Default);
            var problems = new List<string>();
            foreach (CorpusFile f in CorpusFolder.Load(targetDir, 1 << 20, problems))
            {
                FuzzOutcome o = target.Execute(f.Data);
                results.Add(new ReplayedFile(Path.Combine(targetDir, f.Name), !o.IsFailure,
                    o.IsFailure ? $"{o.Signature} at op {o.OpIndex}: {o.Reason}" : "ok"));
            }
            foreach (string p in problems) results.Add(new ReplayedFile(targetDir, false, p));
        }
        return results;
    }

    public static List<ReplayedFile> Artifacts(string repoRoot)
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
                ReplayResult r = ArtifactReplayers.For(a).Replay(a, TextWriter.Null);
                results.Add(new ReplayedFile(path, r.Reproduced, $"{(r.Reproduced ? "reproduced" : "NOT reproduced")}: {r.OutcomeClass} at step {r.Step}: {r.Reason}"));
            }
            catch (Cli.InputException e)
            {
                results.Add(new ReplayedFile(path, false, e.Message));
            }
        }
        return results;
    }
}
