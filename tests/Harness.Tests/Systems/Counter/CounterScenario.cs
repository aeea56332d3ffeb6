// CounterScenario: the counter under concurrency. Every backend increments one shared bounded
// counter Ops times; the correct variant uses a compare-and-swap loop (read, check the bound,
// CAS), the canary a plain unlocked read and write, which loses updates under some interleavings.
// End-state invariant: the counter is min(Backends x Ops, Cap).
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Scenarios;

namespace Harness.Tests.Systems.Counter;

internal sealed class CounterScenario : ScenarioInstance
{
    private readonly IReadOnlyList<ISyncRuntime> _rt;
    private readonly SyncSegment _seg;
    private readonly bool _atomic;
    private readonly Action[] _bodies;

    public CounterScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> runtimes, bool atomic) : base(config)
    {
        _rt = runtimes;
        _atomic = atomic;
        Reach = new ReachHits(CounterReach.Goals);
        _seg = new SyncSegment(config.Backends, 0, scratchBytes: 8, name: "counter");
        foreach (ISyncRuntime r in runtimes) _seg.MapInto(r.Memory);
        runtimes[0].NameObject(Word, "counter");
        _bodies = Enumerable.Range(0, config.Backends).Select(i => (Action)(() => Body(i))).ToArray();
    }

    private ulong Word => _seg.ScratchAddr(0);

    public override Action[] Bodies => _bodies;

    public override void Reset() => _seg.Reset();

    private void Body(int me)
    {
        ISyncRuntime rt = _rt[me];
        for (int op = 0; op < Config.Ops; op++)
        {
            if (_atomic)
            {
                uint v = rt.AtomicRead32(Word);
                while (v < BoundedCounter.Cap && !rt.AtomicCompareExchange32(Word, ref v, v + 1)) { }
            }
            else
            {
                uint v = rt.SharedRead32(Word);
                if (v < BoundedCounter.Cap) rt.SharedWrite32(Word, v + 1);
            }
        }
    }

    public override void CheckFinal()
    {
        uint v = _seg.InitMemory.ReadU32(Word);
        CounterReach.Observe(Reach!, v);
        uint expected = (uint)Math.Min(Config.Backends * Config.Ops, (int)BoundedCounter.Cap);
        Check(v == expected, "final-count", $"counter is {v}, expected {expected} (a lost update)");
    }
}
