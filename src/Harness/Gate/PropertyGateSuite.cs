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
        foreach ((ISystem system, PropertySuite suite) in options.Gated.Parts<PropertySuite>())
        {
            // Seeds are derived per system and run index, so adding a system changes no other system's seeds.
            ulong systemSeed = Prng.Derive(options.Seed ^ 0x70726F70UL, StableName.Hash(system.Name));
            for (int i = 0; i < suite.Gate.Count; i++)
            {
                PropertyGateCase g = suite.Gate[i];
                ulong seed = Prng.Derive(systemSeed, (ulong)i);
                string name = $"{system.Name}-{g.Property}-checking-{(g.Checking ? "on" : "off")}";
                if (!options.Owns(Name, name)) continue;
                var sw = WallClock.StartNew();
                PropertyReport r = suite.Get(g.Property).Create(g.Checking, PropertySuite.NoCanary)
                    .Check(new PropertyRunSpec(seed, PropertyRunSpec.DefaultGamma, g.Cases * options.Scale, g.Ops));
                string? repro = null;
                if (!r.Passed)
                {
                    r.WriteFailure(log);
                    string path = Path.Combine(options.ArtifactDir, string.Create(CultureInfo.InvariantCulture, $"{name}-{seed}.json"));
                    r.ToArtifact()!.Save(path);
                    repro = $"{r.ReplayCommand}   (or: harness repro {path})";
                }
                results.Add(new GateResult(Name, name, r.Passed, r.Summary, repro, sw.Elapsed.TotalSeconds).WithReach(r.Reach));
            }
            for (int i = 0; i < suite.GateCanaries.Count; i++)
                if (options.Owns(Name, CanaryName(system, suite.GateCanaries[i])))
                    results.Add(Canary(system, suite, suite.GateCanaries[i], Prng.Derive(systemSeed, 0x63616E00UL + (ulong)i)));
        }
        return results;
    }

    private static string CanaryName(ISystem system, PropertyGateCanary c) => $"canary-{system.Name}-{c.Canary}";

    /// <summary>A planted bug must make its property fail, with the expected kind, within the budget.</summary>
    private GateResult Canary(ISystem system, PropertySuite suite, PropertyGateCanary c, ulong seed)
    {
        var sw = WallClock.StartNew();
        // `harness check` derives its first run's seed from --seed this way, so the replay line repeats it exactly
        ulong runSeed = Prng.Derive(seed, 0);
        PropertyReport r = suite.Get(c.Property).Create(c.Checking, c.Canary)
            .Check(new PropertyRunSpec(runSeed, PropertyRunSpec.DefaultGamma, c.Cases, c.Ops));
        OutcomeKind? kind = r.Failure?.Outcome.Kind;
        bool caught = kind == c.Expected;
        string summary = r.Failure is { } f
            ? $"planted bug {(caught ? "caught" : "caught with the WRONG kind")}: {f.Outcome} (shrunk to {f.Shrunk.Count} ops)"
            : $"planted bug NOT caught in {c.Cases} cases: the property lost its teeth";
        string replay = $"harness check {system.Name} --property {c.Property} --checking {(c.Checking ? "on" : "off")} --canary {c.Canary} --seed {seed} --cases {c.Cases} --ops {c.Ops}";
        return new GateResult(Name, CanaryName(system, c), caught, summary, replay, sw.Elapsed.TotalSeconds);
    }
}
