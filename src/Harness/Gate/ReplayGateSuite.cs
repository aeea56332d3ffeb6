// ReplayGateSuite: `harness gate`'s "replay" suite, which runs before every other suite: every saved
// failure of the gated systems is replayed first, each as its own case, so a regression shows at
// the top of the report and (by default, GateCommand's --on-regression stop) ends the gate before
// the long suites run. Its cases:
//   regression:<folder>/<file>   one repro artifact under fuzz/regressions (a minimized fuzz
//                                finding, a shrunk property failure or a saved schedule), which must
//                                reproduce its recorded outcome;
//   corpus:<target>              every committed input of one fuzz target, which must run ok;
//   folders                      every folder under fuzz/corpus and fuzz/regressions belongs to a
//                                registered system.
// Sharding: the cases are split over shards like every other case (GateShard.Owns on the case
// name), not run on every shard: `harness merge` requires each case exactly once, in the shard
// that owns it, and replays are cheap, so each shard replaying its share first keeps both.
using Harness.Core;
using Harness.Fuzz;
using Harness.Fuzz.Engine;

namespace Harness.Gate;

public sealed class ReplayGateSuite : IGateSuite
{
    public string Name => "replay";

    public bool RunsFirst => true;

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        string regressions = Path.Combine(options.RepoRoot, "fuzz", "regressions");
        var folderProblems = new List<ReplayedFile>();
        foreach ((string path, string? problem) in RegressionReplay.Saved(options.RepoRoot, options.Systems, options.Only))
        {
            if (problem is not null)
            {
                folderProblems.Add(new ReplayedFile(path, false, problem));
                continue;
            }
            string name = "regression:" + Path.GetRelativePath(regressions, path).Replace('\\', '/');
            if (!options.Owns(Name, name)) continue;
            var sw = WallClock.StartNew();
            ReplayedFile r = RegressionReplay.Replay(path, options.Systems);
            if (!r.Passed) log.WriteLine($"    replay: {path}: {r.Detail}");
            results.Add(new GateResult(Name, name, r.Passed, r.Detail, r.Passed ? null : $"harness repro {path}", sw.Elapsed.TotalSeconds));
        }
        foreach (FuzzTargetDef def in FuzzTargets.All(options.Gated))
        {
            string name = $"corpus:{def.Name}";
            if (!options.Owns(Name, name)) continue;
            var sw = WallClock.StartNew();
            List<ReplayedFile> files = RegressionReplay.CorpusOf(options.RepoRoot, def);
            var bad = files.Where(f => !f.Passed).ToList();
            results.Add(new GateResult(Name, name, bad.Count == 0,
                bad.Count == 0 ? $"{files.Count} committed inputs run ok"
                    : $"{bad.Count} of {files.Count} misbehave: " + string.Join("; ", bad.Take(5).Select(b => $"{b.Path}: {b.Detail}")),
                bad.Count == 0 ? null : $"harness show {bad[0].Path} --run", sw.Elapsed.TotalSeconds));
        }
        if (options.Owns(Name, "folders"))
        {
            folderProblems.AddRange(RegressionReplay.UnclaimedCorpusFolders(options.RepoRoot, options.Systems));
            results.Add(new GateResult(Name, "folders", folderProblems.Count == 0,
                folderProblems.Count == 0 ? "every corpus and regression folder belongs to a registered system"
                    : string.Join("; ", folderProblems.Select(p => $"{p.Path}: {p.Detail}")),
                folderProblems.Count == 0 ? null : "harness systems", 0));
        }
        return results;
    }
}
