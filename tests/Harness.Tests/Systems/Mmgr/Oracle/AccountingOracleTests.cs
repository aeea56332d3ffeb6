// Tests of the runner's accounting oracle (AllocatorRunner.Accounting): on the faithful port it
// compares every context's figures and the placements of generated runs and finds nothing, for
// every context type. (That it bites on policy drifts of the port is shown with the mutation
// catalog's mutants of tools/mutate/catalog/mmgr.txt, applied by hand: see the branch's report.)
using FsCheck.Fluent;
using Harness.Systems.Mmgr.Oracle;
using Harness.Systems.Mmgr.Properties;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Oracle;

public class AccountingOracleTests
{
    private static AllocatorRunner Runner(bool checking) => new(RunnerOptions.ForChecking(checking));

    private static CreateContext Aset(int parent = 0) => new(ContextKind.AllocSet, parent, 0, 8192, 8 << 20, 0);
    private static Alloc A(ulong size, int ctx = 0) => new(ctx, size, AllocFlags.None, AllocEntry.MemoryContextAlloc, true, 1);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Faithful_port_matches_every_prediction_of_generated_runs(bool checking)
    {
        AllocatorRunner runner = Runner(checking);
        int checks = 0, placements = 0, skips = 0;
        // a fixed seed: an unseeded Sample drew different runs each time, and one CI run drew
        // exactly 100 placements, failing the bound below
        foreach (AllocatorOp[] ops in AllocatorGen.Ops(64, hostile: false).Sample(30, new FsCheck.Rnd(20261203, 0x9E3779B97F4A7C15), 40))
        {
            RunResult r = runner.Run(ops);
            Assert.True(r.Passed, $"{r.Outcome}\n{string.Join('\n', ops.Select(o => o.ToString()))}");
            checks += runner.AccountingChecks;
            placements += runner.PlacementsChecked;
            skips += runner.AccountingSkips;
        }
        Assert.True(checks > 1000, $"{checks} context figures compared");
        Assert.True(placements > 100, $"{placements} placements compared");
        Assert.True(skips <= checks / 100, $"{skips} skipped of {checks}");
    }

    [Fact]
    public void Every_context_type_is_checked_after_every_op()
    {
        AllocatorRunner runner = Runner(false);
        RunResult r = runner.Run([
            Aset(), new CreateContext(ContextKind.Generation, 0, 0, 8192, 8 << 20, 0), new CreateContext(ContextKind.Slab, 0, 0, 1024, 0, 100),
            new CreateContext(ContextKind.Bump, 0, 0, 8192, 8 << 20, 0), A(100, 0), A(600000, 1), A(100, 2), A(40, 3), new Free(1), new Reset(0)]);
        Assert.True(r.Passed, r.Outcome.ToString());
        // ten verification points, Top and ErrorContext at each, plus the user contexts as they
        // appear, plus the end; all of them compared (none skipped)
        Assert.True(runner.AccountingChecks >= 10 * 2 + 1 + 2 + 3 + 4 * 7, runner.AccountingChecks.ToString());
        Assert.Equal(0, runner.AccountingSkips);
    }

    /// <summary>The one corner the model declines: a failed AllocSet block malloc above 1 MiB is
    /// retried at half the size, and which size the heap granted is not the model's to know. The
    /// context's figures are then skipped, and counted; every other failure is predicted.</summary>
    [Fact]
    public void A_block_malloc_retried_at_half_size_is_skipped_and_counted()
    {
        AllocatorRunner runner = Runner(true);
        AllocatorOp[] ops = [new CreateContext(ContextKind.AllocSet, 0, 1024, 4 << 20, 8 << 20, 0), A(1000), A(100)];
        RunResult plain = runner.Run(ops);
        Assert.True(plain.Passed, plain.Outcome.ToString());
        Assert.Equal(0, runner.AccountingSkips);
        // call 1 makes the context, call 2 asks for the 4 MiB block: failing it makes AllocSet retry at 2 MiB
        RunResult retried = runner.RunWithHeap(ops, new Allocator.Sim.SimHeapOptions { FailOnCall = 2 });
        Assert.True(retried.Passed, retried.Outcome.ToString());
        Assert.True(runner.AccountingSkips > 0);
        for (long n = 1; n <= plain.HeapCalls; n++)
        {
            if (n == 2) continue;
            RunResult r = runner.RunWithHeap(ops, new Allocator.Sim.SimHeapOptions { FailOnCall = n });
            Assert.True(r.Passed, $"FailOnCall={n}: {r.Outcome}");
            Assert.Equal(0, runner.AccountingSkips);
        }
    }
}
