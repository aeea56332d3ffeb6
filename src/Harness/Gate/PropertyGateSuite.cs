// PropertyGateSuite: `harness gate`'s "properties" suite: every gate run of every system's property
// suite, with seeds derived from the gate seed and the system's fixed case budgets (times the
// gate's scale). A failure becomes a GateResult with the replay line and a repro artifact in the
// gate's artifact folder.
using System.Diagnostics;
using System.Globalization;
using Allocator.Common;
using Harness.Core;
using Harness.Properties;

namespace Harness.Gate;

public sealed class PropertyGateSuite : IGateSuite
{
    public string Name => "properties";

    public IReadOnlyList<GateResult> Run(GateOptions options, TextWriter log)
    {
        var results = new List<GateResult>();
        foreach ((ISystem system, PropertySuite suite) in options.Systems.Parts<PropertySuite>())
        {
            // Seeds are derived per system and run index, so adding a system changes no other system's seeds.
            ulong systemSeed = Prng.Derive(options.Seed ^ 0x70726F70UL, StableName.Hash(system.Name));
            for (int i = 0; i < suite.Gate.Count; i++)
            {
                PropertyGateCase g = suite.Gate[i];
                ulong seed = Prng.Derive(systemSeed, (ulong)i);
                var sw = WallClock.StartNew();
                PropertyReport r = suite.Get(g.Property).Create(g.Checking, PropertySuite.NoCanary)
                    .Check(new PropertyRunSpec(seed, PropertyRunSpec.DefaultGamma, g.Cases * options.Scale, g.Ops));
                string name = $"{system.Name}-{g.Property}-checking-{(g.Checking ? "on" : "off")}";
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
        }
        return results;
    }
}
