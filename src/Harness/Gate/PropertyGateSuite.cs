// PropertyGateSuite: `harness gate`'s "properties" suite: every allocator property with seeds
// derived from the gate seed and fixed case budgets (times the gate's scale). A failure becomes a
// GateResult with the replay line and a repro artifact in the gate's artifact folder.
using System.Diagnostics;
using System.Globalization;
using Allocator.Common;
using Harness.Properties;
using Harness.Systems.Mmgr.Properties;

namespace Harness.Gate;

public sealed class PropertyGateSuite : IGateSuite
{
    /// <summary>Cases per (property, checking) at scale 1, and the longest op list. Sized to keep
    /// the suite well under a minute on 2 cores (the OOM property reruns each case once per malloc).</summary>
    private static readonly (string Property, bool Checking, int Cases, int Ops)[] Budget =
    [
        ("model", true, 3000, 64),
        ("model", false, 3000, 64),
        ("oom", true, 300, 32),
        ("oom", false, 300, 32),
        ("leak", true, 3000, 64),
        ("leak", false, 3000, 64),
        ("corruption", true, 3000, 64),
    ];

    public string Name => "properties";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        for (int i = 0; i < Budget.Length; i++)
        {
            var (property, checking, cases, ops) = Budget[i];
            ulong seed = Prng.Derive(options.Seed ^ 0x70726F70UL, (ulong)i);
            var sw = Stopwatch.StartNew();
            PropertyReport r = AllocatorProperties.Check(property, checking, seed, AllocatorProperties.DefaultGamma, cases * options.Scale, ops);
            string name = $"allocator-{property}-checking-{(checking ? "on" : "off")}";
            string? repro = null;
            if (!r.Passed)
            {
                r.WriteFailure(log);
                string path = Path.Combine(options.ArtifactDir, string.Create(CultureInfo.InvariantCulture, $"{name}-{seed}.json"));
                r.ToArtifact()!.Save(path);
                repro = $"{r.ReplayCommand}   (or: harness repro {path})";
            }
            results.Add(new GateResult(Name, name, r.Passed, r.Summary, repro, sw.Elapsed.TotalSeconds));
        }
        return results;
    }
}
