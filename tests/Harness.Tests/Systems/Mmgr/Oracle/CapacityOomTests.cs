// Tests of the runner's out-of-memory discipline: "out of memory" (or NULL under NO_OOM) is
// accepted exactly when a simulated malloc of the op really failed, scripted or for capacity
// (the heap could not place the block below its maximum), and the tree must stay consistent
// afterwards. Also: a reused runner gives every run a fresh process (same result twice).
using Allocator.Mmgr;
using Harness.Core;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Mmgr.Oracle;

public class CapacityOomTests
{
    private static RunnerOptions Small(ulong heapMax) => RunnerOptions.ForChecking(true) with { HeapMax = heapMax };

    // The fuzzer's first false positive, minimized: a Bump context whose initBlockSize is ~1 GiB
    // needs a 1 GiB block for a 512 KiB palloc; the model (which does not model blocks) expected
    // success, the simulated heap ran out.
    private static readonly AllocatorOp[] HugeInitBlock =
    [
        new CreateContext(ContextKind.Bump, 0, 61712, 0x3FFFFFF8, 0x3FFFFFF8, 0),
        new Alloc(0, 524289, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0),
        new Alloc(0, 100, AllocFlags.NoOom, AllocEntry.AllocExtended, false, 0),
        new Alloc(0, 100, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0),
        new WritePattern(0, 7),
        new Reset(0),
        new Alloc(0, 64, AllocFlags.Zero, AllocEntry.MemoryContextAlloc, false, 0),
    ];

    [Theory]
    [InlineData(1UL << 30)]
    [InlineData(64UL << 20)]
    public void CapacityOom_IsAccepted_AndTheRunStaysChecked(ulong heapMax)
    {
        RunResult r = new AllocatorRunner(Small(heapMax)).Run(HugeInitBlock);
        Assert.True(r.Passed, r.Outcome.ToString());
        Assert.Equal(HugeInitBlock.Length, r.Executed);
    }

    [Fact]
    public void CumulativeExhaustion_IsAccepted()
    {
        // 8 MiB dedicated chunks until a 16 MiB heap is full; later small requests still work.
        var ops = new List<AllocatorOp> { new CreateContext(ContextKind.AllocSet, 0, 0, 8192, 8 << 20, 0) };
        for (int i = 0; i < 4; i++) ops.Add(new Alloc(0, 8 << 20, AllocFlags.Zero, AllocEntry.MemoryContextAlloc, false, 0));
        ops.Add(new Alloc(0, 8 << 20, AllocFlags.NoOom, AllocEntry.AllocExtended, false, 0));
        ops.Add(new Free(0));
        ops.Add(new Alloc(0, 8 << 20, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0));
        ops.Add(new Alloc(0, 100, AllocFlags.None, AllocEntry.MemoryContextAlloc, false, 0));
        RunResult r = new AllocatorRunner(Small(16UL << 20)).Run(ops);
        Assert.True(r.Passed, r.Outcome.ToString());
    }

    [Fact]
    public void ReusedRunner_GivesEveryRunAFreshProcess()
    {
        var runner = new AllocatorRunner(Small(64UL << 20));
        RunResult first = runner.Run(HugeInitBlock);
        RunResult big = runner.Run([new CreateContext(ContextKind.Generation, 0, 0, 1 << 20, 32 << 20, 0), new Alloc(0, 20 << 20, AllocFlags.Zero, AllocEntry.MemoryContextAlloc, false, 0), new WritePattern(0, 3)]);
        RunResult again = runner.Run(HugeInitBlock);
        Assert.True(big.Passed, big.Outcome.ToString());
        Assert.Equal(first, again);
    }

    [Fact]
    public void FuzzTarget_HasNoCapacityFalsePositives_OnTheRecordedFindings()
    {
        // The shapes the fuzzer reported as UnexpectedError before the fix, as op lists.
        var target = new Harness.Systems.Mmgr.Fuzz.AllocatorFuzzTarget(Harness.Fuzz.Engine.FuzzTargetConfig.Default);
        byte[] input = target.Encode(new Harness.Systems.Mmgr.Fuzz.SwarmHeader(false, 0), HugeInitBlock);
        Outcome o = target.Execute(input);
        Assert.False(o.IsFailure, o.ToString());
    }
}
