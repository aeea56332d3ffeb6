// The accounting model (src/Models/Mmgr/AccountingModel*) against PostgreSQL's C: every golden
// vector of both builds (prod, chk) is replayed through the model alone, fed with the results the C
// code recorded, and after every op the model's MemoryContextStats figures and mem_allocated must be
// exactly the recorded ones for every context, and every pointer the model can place must be the
// one C returned (AccountingReplay).
using Harness.Systems.Mmgr.Golden;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Golden;

public sealed class AccountingGoldenTests
{
    private static string Dir(string build) => Path.Combine(AppContext.BaseDirectory, "Systems", "Mmgr", "Golden", build);

    [Theory]
    [MemberData(nameof(GoldenVectorTests.Vectors), MemberType = typeof(GoldenVectorTests))]
    public void Accounting_model_predicts_what_PostgreSQL_recorded(string build, string file)
    {
        var (diff, replay) = AccountingReplay.Run(File.ReadAllText(Path.Combine(Dir(build), file)), build == "chk");
        Assert.True(diff is null, $"{build}/{file}: {diff}");
        Assert.True(replay.FiguresChecked > 0, $"{build}/{file}: no figures compared");
        Assert.Equal(0, replay.Skipped);
    }

    /// <summary>Across all vectors the model placed thousands of pointers and compared tens of
    /// thousands of context figures (so the theory above cannot pass by comparing nothing).</summary>
    [Fact]
    public void The_replay_covers_every_vector_and_compares_figures_and_pointers()
    {
        int figures = 0, pointers = 0, files = 0;
        foreach ((string build, bool checking) in GoldenVectors.Builds)
            foreach (string f in Directory.GetFiles(Dir(build), "*.txt"))
            {
                var (_, replay) = AccountingReplay.Run(File.ReadAllText(f), checking);
                figures += replay.FiguresChecked;
                pointers += replay.PointersChecked;
                files++;
            }
        Assert.True(files >= 200, $"{files} vectors");
        Assert.True(figures > 20000, $"{figures} context figures compared");
        Assert.True(pointers > 2000, $"{pointers} pointers placed");
    }
}
