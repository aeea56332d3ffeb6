// same-tag-miss (issue 13, scenario 1): every backend reads the same uncached block at once; for op
// k all of them read block k (mod the relation's size, which fits the pool, so nothing is evicted).
// Exactly one backend performs each block's read I/O (the winner of StartBufferIO; the others wait
// on the buffer's I/O condition variable, or lose the mapping insert and use the winner's buffer),
// every backend gets the same buffer for the block, and every one sees the block's bytes exactly as
// they are on disk. Then each releases its pin.
//
// Page history (BufferScenarioInstance): each op is a read of the block's value (invoked before
// ReadBuffer, read while pinned: nothing writes these pages, so no content lock is needed).
//
// The I/O count is the storage's operation count (StorageFaults.OperationCount): the pages are
// never dirtied, so nothing but reads reaches the storage. Whether a schedule took the mapping
// insert collision (issue 13's scenario 3: a loser took a victim, found the winner's entry and gave
// the victim back) is visible afterwards in numBufferAllocs (one per victim taken); the instance
// counts those iterations, so tests can show the path is explored.
using Allocator.Buffers;
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class SameTagMissScenario : BufferScenarioInstance
{
    public const int NBuffers = 4, RelPages = 4;

    /// <summary>The buffer each backend got for each op.</summary>
    private readonly int[,] _got;
    private ulong _opsAtStart;

    /// <summary>Completed iterations so far, and those in which some backend lost the insert race.</summary>
    public int Checked { get; private set; }
    public int CollisionIterations { get; private set; }

    public SameTagMissScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None)
        : base(config, rt, NBuffers, RelPages, canary)
    {
        Reach = new ReachHits([BuffersReach.SameTagCollision]);
        _got = new int[config.Backends, config.Ops];
    }

    protected override void OnReset()
    {
        Array.Clear(_got);
        _opsAtStart = Storage.Faults.OperationCount;
    }

    protected override void Body(int me)
    {
        for (int op = 0; op < Config.Ops; op++)
        {
            int page = op % Pages;
            long invoke = History.Invoke();
            int buffer = Read(me, page);
            _got[me, op] = buffer;
            CheckStillPinned(me, buffer, page, "after ReadBuffer");
            Check(B[me].Backend.Memory.ReadSpan(B[me].BufferGetPage(buffer), BlckSz).SequenceEqual(InitialPage(page)), "page-contents",
                $"backend {me} read block {page} into buffer {buffer} but the page differs from the block on disk");
            History.Read(me, page, invoke, ValueIn(me, buffer));
            B[me].ReleaseBuffer(buffer);
        }
    }

    protected override void OnCheckFinal()
    {
        ulong reads = Storage.Faults.OperationCount - _opsAtStart;
        int distinct = Math.Min(Config.Ops, Pages);
        Check(reads == (ulong)distinct, "one-read-per-block", $"{reads} storage reads for {distinct} distinct block(s) read by {Config.Backends} backends (exactly one each expected)");
        for (int op = 0; op < Config.Ops; op++)
            for (int b = 1; b < Config.Backends; b++)
                Check(_got[b, op] == _got[0, op], "same-buffer", $"op {op}: backend 0 got buffer {_got[0, op]} for block {op % Pages}, backend {b} got buffer {_got[b, op]}");
        Checked++;
        if (Pool.Strategy.NumBufferAllocs(Pool.InitMemory) > (uint)distinct)
        {
            CollisionIterations++;
            Reached(BuffersReach.SameTagCollision);
        }
    }
}
