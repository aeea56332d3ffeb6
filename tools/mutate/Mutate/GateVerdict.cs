// Reads the gate's JUnit XML (src/Harness/Gate/JUnitReport.cs writes it) and says which checks a
// mutant made fail: the gate suite, the engine inside it (property, an explorer strategy, coyote,
// a fuzz burst, the corpus replay, a planted-bug canary) and the oracle (the outcome kind and site
// the failure names, e.g. "invariant-failed:AS6", "deadlock:cycle", "model-mismatch:palloc").
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mutate;

/// <summary>One failing gate case. SecondsIn is the gate time spent up to the end of this case.</summary>
public sealed record Kill(string Suite, string Case, string Engine, string Oracle, double SecondsIn, string Message);

public static partial class GateVerdict
{
    // The outcome kinds of src/Harness/Core/OutcomeKind.cs, followed by ":site" (signatures) or " [site]" (property summaries).
    [GeneratedRegex(@"\b(fault|invariant-failed|model-mismatch|leak|deadlock|lost-wakeup|livelock|not-linearizable|timeout|crash|quirk)(?::| \[)([^\]\s;,]+)")]
    private static partial Regex OutcomeRx();

    /// <summary>The failing cases of a gate report, in the order the gate ran them.</summary>
    public static IReadOnlyList<Kill> Read(string junitPath)
    {
        var doc = XDocument.Load(junitPath);
        var kills = new List<Kill>();
        double clock = 0;
        foreach (XElement tc in doc.Descendants("testcase"))
        {
            clock += double.Parse((string?)tc.Attribute("time") ?? "0", CultureInfo.InvariantCulture);
            XElement? failure = tc.Element("failure");
            if (failure is null) continue;
            string suite = (string?)tc.Attribute("classname") ?? "?";
            string name = (string?)tc.Attribute("name") ?? "?";
            string message = (string?)failure.Attribute("message") ?? failure.Value;
            kills.Add(new Kill(suite, name, Engine(suite, name), Oracle(name, message), clock, message));
        }
        return kills;
    }

    /// <summary>The engine a gate case exercises: the suite, refined by strategy or role.</summary>
    public static string Engine(string suite, string name)
    {
        bool canary = name.Contains("canary", StringComparison.Ordinal);
        switch (suite)
        {
            case "properties": return canary ? "property-canary" : "property";
            case "explore":
                string strategy = name[(name.LastIndexOf('/') + 1)..];
                if (strategy.StartsWith("coyote", StringComparison.Ordinal)) strategy = "coyote";
                return canary ? $"explore-canary/{strategy}" : $"explore/{strategy}";
            case "replay": return "replay";
            case "fuzz":
                if (name == "replay") return "replay";   // reports written before the replay suite
                return canary ? "fuzz-canary" : "fuzz";
            default: return suite;
        }
    }

    /// <summary>The oracle that fired: "kind:site" from the message, or what a lost canary or a crash says.</summary>
    public static string Oracle(string name, string message)
    {
        // a saved failure's replay (its file may be a canary's): what the replay found, else "diverged"
        bool replay = name == "replay" || name.StartsWith("regression:", StringComparison.Ordinal) || name.StartsWith("corpus:", StringComparison.Ordinal);
        if (!replay && name.Contains("canary", StringComparison.Ordinal))
        {
            // A canary fails when its planted bug is no longer caught (or caught as something else):
            // the mutant took the oracle's teeth, which the gate reports as a failure all the same.
            return message.Contains("WRONG kind", StringComparison.Ordinal) || message.Contains("expected", StringComparison.Ordinal)
                ? "canary-wrong-kind" : "canary-lost";
        }
        if (message.Contains("crashed:", StringComparison.Ordinal)) return "crash:host-exception";
        // the golden suite's cases ("SYSTEM-vectors"): the port printed other text than PostgreSQL's
        // C code, or died where the C code went on (the replayers' "= CRASH" line)
        if (name.EndsWith("-vectors", StringComparison.Ordinal))
            return message.Contains("= CRASH ", StringComparison.Ordinal) ? "golden-crash" : "golden-diverged";
        Match m = OutcomeRx().Match(message);
        if (m.Success) return $"{m.Groups[1].Value}:{m.Groups[2].Value}";
        if (replay) return "replay-diverged";
        return "unclassified";
    }
}
