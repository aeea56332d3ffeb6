// Self-tests of the linearizability checker: hand-written histories of CounterRegisterModel and of
// RegisterModel (the classic register examples), the budget path (Unknown, never a silent pass),
// the explanation of a failure, and 10,000-operation histories decided within a bound on the
// states explored (a count, not a time: the time is the benchmark's business).
using Harness.Explore.Linearizability;
using Harness.Systems.Locks.Scenarios;
using Xunit;

namespace Harness.Tests.Explore;

public sealed class LinearizabilityCheckerTests
{
    private const int Get = CounterRegisterModel.Get, Put = CounterRegisterModel.Put, Incr = CounterRegisterModel.Incr;
    private const int R = RegisterModel.Read, W = RegisterModel.Write;

    private static bool Ok(params HistoryOp[] h) => LinearizabilityChecker.Check(h, new CounterRegisterModel()).Ok;

    private static LinearizabilityResult Reg(params HistoryOp[] h) => LinearizabilityChecker.Check(h, new RegisterModel());

    private static HistoryOp Read(int b, long result, long invoke, long response) => new(b, 0, R, 0, result, invoke, response);

    private static HistoryOp Write(int b, long value, long invoke, long response) => new(b, 0, W, value, 0, invoke, response);

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
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, r.Verdict);
        Assert.Equal(7, r.Key);
        Assert.Contains("key 7", r.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lowest_failing_key_is_reported_whatever_the_input_order()
    {
        // keys 3 and 9 both fail; 3 is reported, listed first or last
        HistoryOp[] bad3 = [new(0, 3, Incr, 0, 0, 1, 4), new(1, 3, Incr, 0, 0, 2, 3)];
        HistoryOp[] bad9 = [new(0, 9, Incr, 0, 0, 1, 4), new(1, 9, Incr, 0, 0, 2, 3)];
        var a = LinearizabilityChecker.Check([.. bad9, .. bad3], new CounterRegisterModel());
        var b = LinearizabilityChecker.Check([.. bad3, .. bad9], new CounterRegisterModel());
        Assert.Equal(3, a.Key);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Checker_rejects_malformed_histories() =>
        Assert.Throws<ArgumentException>(() => Ok(new HistoryOp(0, 0, Get, 0, 0, 5, 4)));

    [Fact]
    public void Empty_history_is_linearizable()
    {
        var r = Reg();
        Assert.Equal(LinearizabilityVerdict.Linearizable, r.Verdict);
        Assert.Equal(0, r.StatesExplored);
    }

    // ---- the classic register histories

    [Fact]
    public void Read_overlapping_a_write_may_return_either_value()
    {
        Assert.True(Reg(Write(0, 1, 1, 4), Read(1, 0, 2, 3)).Ok);
        Assert.True(Reg(Write(0, 1, 1, 4), Read(1, 1, 2, 3)).Ok);
        // but not a value nobody wrote
        Assert.False(Reg(Write(0, 1, 1, 4), Read(1, 2, 2, 3)).Ok);
    }

    [Fact]
    public void Read_after_a_completed_write_must_not_return_the_old_value()
    {
        Assert.False(Reg(Write(0, 1, 1, 2), Read(1, 0, 3, 4)).Ok);
        Assert.True(Reg(Write(0, 1, 1, 2), Read(1, 1, 3, 4)).Ok);
    }

    [Fact]
    public void Two_sequential_reads_seeing_new_then_old_are_not_linearizable()
    {
        // both reads overlap the write, so each alone could go either way; in sequence, new then
        // old would need the write to take effect twice
        Assert.False(Reg(Write(0, 1, 1, 10), Read(1, 1, 2, 3), Read(2, 0, 4, 5)).Ok);
        Assert.True(Reg(Write(0, 1, 1, 10), Read(1, 0, 2, 3), Read(2, 1, 4, 5)).Ok);
    }

    [Fact]
    public void Equal_times_overlap()
    {
        // the read is invoked at the very time the write responds: concurrent, either value goes
        Assert.True(Reg(Write(0, 1, 1, 3), Read(1, 0, 3, 4)).Ok);
        Assert.False(Reg(Write(0, 1, 1, 3), Read(1, 0, 4, 5)).Ok);
    }

    [Fact]
    public void Concurrent_writes_may_be_ordered_either_way_but_consistently()
    {
        HistoryOp w1 = Write(0, 1, 1, 5), w2 = Write(1, 2, 2, 6);
        Assert.True(Reg(w1, w2, Read(2, 1, 7, 8), Read(2, 1, 9, 10)).Ok);
        Assert.True(Reg(w1, w2, Read(2, 2, 7, 8), Read(2, 2, 9, 10)).Ok);
        // after both completed, the register holds one of them for good
        Assert.False(Reg(w1, w2, Read(2, 1, 7, 8), Read(2, 2, 9, 10)).Ok);
    }

    [Fact]
    public void Failure_explains_the_longest_prefix_and_the_operations_that_cannot_come_next()
    {
        var r = Reg(Write(0, 1, 1, 2), Read(1, 1, 3, 4), Write(0, 2, 5, 6), Read(1, 1, 7, 8));
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, r.Verdict);
        Assert.Equal(4, r.Operations);
        Assert.Equal(3, r.LongestPrefix);
        Assert.Contains("places 3 of its 4 operations", r.Explanation, StringComparison.Ordinal);
        Assert.Contains("leaving value 2", r.Explanation, StringComparison.Ordinal);
        Assert.Contains("b1 read->1 @[7,8] must have taken effect", r.Explanation, StringComparison.Ordinal);
        Assert.Contains("b1 read->1 @[7,8] (the model rejects it there)", r.Explanation, StringComparison.Ordinal);
    }

    // ---- budget and scale

    [Fact]
    public void Budget_exhausted_gives_unknown_with_the_key_and_progress()
    {
        List<HistoryOp> h = RegisterHistories.Generate(2000, 4, seed: 7, key: 5);
        var r = LinearizabilityChecker.Check(h, new RegisterModel(), maxStates: 100);
        Assert.Equal(LinearizabilityVerdict.Unknown, r.Verdict);
        Assert.False(r.Ok);
        Assert.Equal(5, r.Key);
        Assert.Equal(100, r.StatesExplored);
        Assert.InRange(r.LongestPrefix, 1, 100);
        Assert.Contains("key 5: unknown (budget)", r.Explanation, StringComparison.Ordinal);
        // with enough budget the same history is decided
        Assert.True(LinearizabilityChecker.Check(h, new RegisterModel()).Ok);
    }

    [Fact]
    public void Budget_is_shared_by_the_keys_in_order()
    {
        // key 0 alone fits the budget, keys 0 and 1 together do not: key 1 is the one left undecided
        List<HistoryOp> h = [.. RegisterHistories.Generate(300, 4, seed: 1, key: 0), .. RegisterHistories.Generate(300, 4, seed: 2, key: 1)];
        long need0 = LinearizabilityChecker.Check(h.Where(o => o.Key == 0).ToList(), new RegisterModel()).StatesExplored;
        var r = LinearizabilityChecker.Check(h, new RegisterModel(), maxStates: need0 + 10);
        Assert.Equal(LinearizabilityVerdict.Unknown, r.Verdict);
        Assert.Equal(1, r.Key);
        Assert.Equal(need0 + 10, r.StatesExplored);
    }

    [Fact]
    public void Unknown_is_never_a_pass_for_a_scenario()
    {
        var r = LinearizabilityChecker.Check(RegisterHistories.Generate(500, 4, seed: 3), new RegisterModel(), maxStates: 10);
        Assert.Throws<LinearizabilityUnknownException>(r.ThrowIfNotLinearizable);
        var bad = Reg(Write(0, 1, 1, 2), Read(1, 0, 3, 4));
        var e = Assert.Throws<Harness.Explore.ScenarioCheckException>(bad.ThrowIfNotLinearizable);
        Assert.Equal(Harness.Core.OutcomeKinds.LinearizabilitySite, e.Site);
        Assert.Equal(Harness.Core.OutcomeKind.Timeout, Harness.Explore.ExplorationFailure.FromException(new LinearizabilityUnknownException("x"), -1, 0).Kind);
    }

    [Fact]
    public void Generated_histories_overlap_like_real_runs()
    {
        List<HistoryOp> h = RegisterHistories.Generate(10_000, 4, seed: 42);
        Assert.Equal(10_000, h.Count);
        // most operations overlap another one (4 backends interleaving at every event)
        HistoryOp[] byInvoke = h.OrderBy(o => o.Invoke).ToArray();
        int overlapping = 0;
        long maxResponse = 0;
        for (int i = 0; i < byInvoke.Length; i++)
        {
            bool next = i + 1 < byInvoke.Length && byInvoke[i + 1].Invoke < byInvoke[i].Response;
            if (next || byInvoke[i].Invoke < maxResponse) overlapping++;
            maxResponse = Math.Max(maxResponse, byInvoke[i].Response);
        }
        Assert.True(overlapping > 9_000, $"only {overlapping} of 10,000 operations overlap another");
        Assert.InRange(h.Count(o => o.Op == W), 4_000, 6_000);
    }

    [Fact]
    public void Ten_thousand_operation_linearizable_history_is_decided_within_a_state_bound()
    {
        List<HistoryOp> h = RegisterHistories.Generate(10_000, 4, seed: 42);
        var r = LinearizabilityChecker.Check(h, new RegisterModel());
        Assert.Equal(LinearizabilityVerdict.Linearizable, r.Verdict);
        Assert.InRange(r.StatesExplored, 10_000, StateBoundLinearizable);
    }

    [Fact]
    public void Ten_thousand_operation_history_with_one_stale_read_is_refuted_within_a_state_bound()
    {
        (List<HistoryOp> h, int changed) = RegisterHistories.WithStaleRead(RegisterHistories.Generate(10_000, 4, seed: 42));
        Assert.True(changed > 9_000);
        var r = LinearizabilityChecker.Check(h, new RegisterModel());
        Assert.Equal(LinearizabilityVerdict.NotLinearizable, r.Verdict);
        Assert.Equal(0, r.Key);
        Assert.Equal(10_000, r.Operations);
        Assert.True(r.LongestPrefix > 9_000, $"longest prefix {r.LongestPrefix}");
        Assert.InRange(r.StatesExplored, 1, StateBoundStale);
        // the explanation names the stale read and stays short
        Assert.Contains($"read->{h[changed].Result} @[{h[changed].Invoke},{h[changed].Response}]", r.Explanation, StringComparison.Ordinal);
        Assert.True(r.Explanation.Length < 2_000, $"explanation of {r.Explanation.Length} characters");
    }

    [Fact]
    public void Same_history_same_answer_whatever_the_input_order()
    {
        (List<HistoryOp> h, _) = RegisterHistories.WithStaleRead(RegisterHistories.Generate(3_000, 4, seed: 9));
        var a = LinearizabilityChecker.Check(h, new RegisterModel());
        var shuffled = h.ToList();
        new Allocator.Common.Prng(5).Shuffle(shuffled);
        var b = LinearizabilityChecker.Check(shuffled, new RegisterModel());
        Assert.Equal(a, b);
    }

    // measured (seed 42, 10,000 ops, 4 backends): 16,020 states for the linearizable history,
    // 47,458 with the stale read (the search backtracks over the last operations before it gives
    // up); the bounds leave about 2x room
    private const long StateBoundLinearizable = 32_000;
    private const long StateBoundStale = 100_000;
}
