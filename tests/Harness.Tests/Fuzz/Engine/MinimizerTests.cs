// Tests of crash minimization and corpus minimization on the toy MazeTarget.
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class MinimizerTests
{
    [Fact]
    public void CrashMinimizer_ShrinksToTheKey_KeepingTheSignature()
    {
        byte[] input = [.. MazeTarget.Key, .. "trailing junk that does not matter"u8.ToArray()];
        MinimizeResult r = new CrashMinimizer(new MazeTarget()).Minimize(input);
        Assert.Equal(MazeTarget.Key, r.Input);
        Assert.Equal("invariant-failed:maze/deep", r.Outcome.Signature);
        Assert.False(r.BudgetExhausted);
    }

    [Fact]
    public void CrashMinimizer_DoesNotSwitchToAnotherSignature()
    {
        // "Z\0\0\0" fails as maze/zero; shrinking it further would only reach ok inputs.
        byte[] input = [(byte)'Z', 0, 0, 0];
        MinimizeResult r = new CrashMinimizer(new MazeTarget()).Minimize(input);
        Assert.Equal("fault:maze/zero", r.Outcome.Signature);
        Assert.Equal(input, r.Input);
    }

    [Fact]
    public void CrashMinimizer_RejectsPassingInput() =>
        Assert.Throws<MalformedInputException>(() => new CrashMinimizer(new MazeTarget()).Minimize("ok"u8.ToArray()));

    [Fact]
    public void CrashMinimizer_RespectsItsBudget()
    {
        byte[] input = [.. MazeTarget.Key, .. new byte[200]];
        var target = new MazeTarget();
        MinimizeResult r = new CrashMinimizer(target, execBudget: 5).Minimize(input);
        Assert.True(r.BudgetExhausted);
        Assert.True(target.Executions <= 6, $"ran {target.Executions} times"); // budget plus the final confirmation
        Assert.Equal("invariant-failed:maze/deep", r.Outcome.Signature);
    }

    [Fact]
    public void CorpusMinimizer_KeepsEveryFeature_WithFewerInputs()
    {
        var files = new List<CorpusFile>();
        for (int len = 0; len <= MazeTarget.Key.Length - 1; len++)
        {
            files.Add(new CorpusFile($"prefix{len}", MazeTarget.Key[..len]));
            files.Add(new CorpusFile($"dup{len}", MazeTarget.Key[..len]));
        }
        files.Add(new CorpusFile("long", new byte[40]));
        files.Add(new CorpusFile("crash", MazeTarget.Key));
        var target = new MazeTarget();
        var executor = new FuzzExecutor(target, [target.Features]);
        CorpusMinimizeResult r = CorpusMinimizer.Minimize(executor, files, TextWriter.Null);
        Assert.Equal(1, r.Failing);
        Assert.True(r.Kept.Count < files.Count - 1);
        Assert.Equal(r.Kept.Count, r.Kept.Select(f => Convert.ToHexString(f.Data)).Distinct().Count()); // never both copies

        var all = new HashSet<int>();
        foreach (CorpusFile f in files.Where(f => f.Name != "crash")) { executor.Run(f.Data); all.UnionWith(executor.CurrentFeatures()); }
        var kept = new HashSet<int>();
        foreach (CorpusFile f in r.Kept) { executor.Run(f.Data); kept.UnionWith(executor.CurrentFeatures()); }
        Assert.Equal(all.Order(), kept.Order());
        Assert.Equal(all.Count, r.Features);
    }
}
