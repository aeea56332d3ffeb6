// CorpusMinimizer: `harness cmin`. Keeps a small set of inputs that together reach every
// (edge, hit-count bucket) feature the whole input set reaches, like afl-cmin / libFuzzer -merge.
//
// Greedy and deterministic: inputs are tried smallest first (ties by name, ordinal), and one is
// kept when it reaches a feature no kept input reached. Since every feature of the set is reached
// by some input, and that input is kept unless an earlier kept input already covers the feature,
// the kept set preserves all features. Failing inputs are reported and left out (they belong in
// findings, not in a corpus).
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed record CorpusMinimizeResult(IReadOnlyList<CorpusFile> Kept, int Inputs, int Failing, int Features);

public static class CorpusMinimizer
{
    /// <param name="progress">Called after each input with (inputs tried, kept, features); display only.</param>
    public static CorpusMinimizeResult Minimize(FuzzExecutor executor, IReadOnlyList<CorpusFile> inputs, TextWriter log, Action<int, int, int>? progress = null)
    {
        var order = inputs.OrderBy(f => f.Data.Length).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        var covered = new HashSet<int>();
        var kept = new List<CorpusFile>();
        int failing = 0;
        int tried = 0;
        foreach (CorpusFile f in order)
        {
            progress?.Invoke(tried++, kept.Count, covered.Count);
            Outcome o = executor.Run(f.Data);
            if (o.IsFailure)
            {
                failing++;
                log.WriteLine($"cmin: {f.Name} fails ({o.Signature} at op {o.Step}: {o.Reason}); left out");
                continue;
            }
            bool adds = false;
            foreach (int feature in executor.CurrentFeatures())
                adds |= covered.Add(feature);
            if (adds) kept.Add(f);
        }
        return new CorpusMinimizeResult(kept, inputs.Count, failing, covered.Count);
    }
}
