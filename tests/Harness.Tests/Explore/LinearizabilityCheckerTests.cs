// Self-tests of the Wing-Gong/Lowe checker on hand-written histories of CounterRegisterModel.
using Harness.Explore.Linearizability;
using Harness.Systems.Locks.Scenarios;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class LinearizabilityCheckerTests
{
    private const int Get = CounterRegisterModel.Get, Put = CounterRegisterModel.Put, Incr = CounterRegisterModel.Incr;

    private static bool Ok(params HistoryOp[] h) => LinearizabilityChecker.Check(h, new CounterRegisterModel()).Ok;

    [Fact]
    public void Sequential_history_that_follows_the_model_is_linearizable() =>
        Assert.True(Ok(new(0, 0, Incr, 0, 0, 1, 2), new(1, 0, Incr, 0, 1, 3, 4), new(0, 0, Get, 0, 2, 5, 6)));

    [Fact]
    public void Overlapping_increments_that_both_saw_zero_are_not() =>
        Assert.False(Ok(new(0, 0, Incr, 0, 0, 1, 4), new(1, 0, Incr, 0, 0, 2, 3)));

    [Fact]
    public void Overlap_allows_either_order() =>
        Assert.True(Ok(new(0, 0, Put, 5, 0, 1, 4), new(1, 0, Get, 0, 5, 2, 3), new(1, 0, Get, 0, 5, 5, 6)));

    [Fact]
    public void Real_time_order_is_respected()
    {
        // The put finished before the get started, so the get cannot see the old value.
        Assert.False(Ok(new(0, 0, Put, 5, 0, 1, 2), new(1, 0, Get, 0, 0, 3, 4)));
        // Concurrent: it may.
        Assert.True(Ok(new(0, 0, Put, 5, 0, 1, 4), new(1, 0, Get, 0, 0, 2, 3)));
    }

    [Fact]
    public void Keys_are_checked_independently_and_the_bad_key_is_named()
    {
        var r = LinearizabilityChecker.Check(new HistoryOp[]
        {
            new(0, 0, Incr, 0, 0, 1, 2), new(1, 7, Incr, 0, 0, 1, 4), new(0, 7, Incr, 0, 0, 2, 3),
        }, new CounterRegisterModel());
        Assert.False(r.Ok);
        Assert.Equal(7, r.Key);
        Assert.Contains("key 7", r.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Checker_rejects_malformed_histories() =>
        Assert.Throws<ArgumentException>(() => Ok(new HistoryOp(0, 0, Get, 0, 0, 5, 4)));
}
