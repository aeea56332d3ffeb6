// `harness fuzz --workers W` in process (no relaunch from a test host): W is printed with the seed,
// in the summary and in the "repeat exactly" line, the command with W=1 and W=2 reaches the same
// corpus (the allocator's own features do not depend on history), and a bad W is a usage error.
using Harness.Cli;
using Harness.Core;
using Xunit;

namespace Harness.Tests.Fuzz.Engine;

public sealed class FuzzWorkersCommandTests
{
    private static (int Code, string Out) Fuzz(params string[] extra)
    {
        string dir = TempDir.Create();
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            string[] args = ["fuzz", "allocator", "--seed", "4", "--no-instrument", "--corpus", "none", "--out", dir, .. extra];
            int code = Harness.Program.Run(args, stdout, stderr);
            return (code, stdout.ToString() + stderr.ToString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Workers_ArePrinted_AndOneOrTwoReachTheSameCorpus()
    {
        (int code1, string one) = Fuzz("--execs", "300", "--workers", "1");
        (int code2, string two) = Fuzz("--execs", "300", "--workers", "2");
        Assert.Equal(ExitCodes.Ok, code1);
        Assert.Equal(ExitCodes.Ok, code2);
        Assert.Contains("seed=4 execs=300 workers=2 ", two);
        Assert.Contains("exec/s, 2 workers)", two);
        Assert.Contains("exec/s, 1 worker)", one);
        // "..., N seed inputs, corpus C, edges E, features F, findings 0": equal for both.
        string Tail(string s) => s.Split('\n').Single(l => l.StartsWith("fuzz: 300 execs", StringComparison.Ordinal)).Split("), ")[1];
        Assert.Equal(Tail(one), Tail(two));
    }

    [Fact]
    public void SecondsStop_RepeatLine_NamesTheWorkers()
    {
        (_, string output) = Fuzz("--seconds", "0.000001", "--workers", "3");
        Assert.Matches(@"to repeat this run exactly: harness fuzz mmgr --seed 4 --execs \d+ --workers 3", output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("two")]
    public void BadWorkerCount_IsAUsageError(string w)
    {
        (int code, string output) = Fuzz("--execs", "10", "--workers", w);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--workers", output);
    }
}
