// FreePageModel: runs, best fit, reserved pages, and the put/take bookkeeping.
using Models.Dsa;
using Xunit;

namespace Models.Tests.Dsa;

public class FreePageModelTests
{
    private static readonly HashSet<ulong> None = new();

    [Fact]
    public void Runs_are_maximal_and_skip_reserved_pages()
    {
        var m = new FreePageModel(32);
        m.Put(2, 3);
        m.Put(5, 2);      // touches 2..4: one run
        m.Put(10, 4);
        Assert.Equal([(2UL, 5UL), (10UL, 4UL)], m.Runs(None));
        Assert.Equal([(2UL, 5UL), (11UL, 3UL)], m.Runs(new HashSet<ulong> { 10 }));
        Assert.Equal([(2UL, 2UL), (5UL, 2UL), (10UL, 4UL)], m.Runs(new HashSet<ulong> { 4 }));
        Assert.Equal(9L, m.FreeCount);
    }

    [Fact]
    public void Best_fit_picks_every_smallest_run_that_fits()
    {
        var runs = new List<(ulong, ulong)> { (1, 5), (10, 3), (20, 3), (30, 200) };
        Assert.Equal([10UL, 20UL], FreePageModel.BestFitStarts(runs, 2));
        Assert.Equal([1UL], FreePageModel.BestFitStarts(runs, 4));
        Assert.Equal([30UL], FreePageModel.BestFitStarts(runs, 129));
        Assert.Empty(FreePageModel.BestFitStarts(runs, 201));
        Assert.Empty(FreePageModel.BestFitStarts(runs, 0));
        Assert.Equal(200UL, FreePageModel.Largest(runs));
    }

    [Fact]
    public void Take_reports_pages_that_were_not_free()
    {
        var m = new FreePageModel(16);
        m.Put(3, 4);
        Assert.Empty(m.Take(3, 2));
        Assert.Equal([7UL, 8UL], m.Take(5, 4));
        Assert.Equal(0L, m.FreeCount);
    }

    [Fact]
    public void Double_put_is_refused()
    {
        var m = new FreePageModel(16);
        m.Put(3, 4);
        Assert.Throws<InvalidOperationException>(() => m.Put(6, 2));
        Assert.Throws<InvalidOperationException>(() => m.Put(15, 2));
    }

    [Fact]
    public void Forget_drops_lost_pages()
    {
        var m = new FreePageModel(16);
        m.Put(3, 4);
        m.Forget([4UL, 9UL]);
        Assert.Equal([3UL, 5UL, 6UL], m.FreePages());
        Assert.Equal(3L, m.FreeCount);
    }
}
