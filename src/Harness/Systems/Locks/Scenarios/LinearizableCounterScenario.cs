// linearizable-counter: a tiny concurrent structure (an array of 32-bit counters in shared memory,
// with get = atomic read, put = atomic write, incr = atomic fetch-add) whose history is checked by
// the Wing-Gong/Lowe linearizability checker per key against CounterRegisterModel. The canary
// variant implements incr as a plain read followed by a plain write (a lost update), which is
// not linearizable.
using Allocator.Sync;
using Harness.Core;
using Harness.Explore.Linearizability;
using Harness.Explore.Scenarios;
using Harness.Explore;
using Harness.Systems.Locks.Scenarios;

namespace Harness.Systems.Locks.Scenarios;

public sealed class LinearizableCounterScenario : LockScenarioInstance
{
    public const int Keys = 2;
    private readonly (int Key, int Op, long Arg)[][] _plan;
    private readonly bool _atomicIncr;
    private readonly List<HistoryOp> _history = new();
    private long _clock;

    public LinearizableCounterScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, bool atomicIncr = true)
        : base(config, rt, null, lwlocks: 0, scratchWords: Keys)
    {
        _atomicIncr = atomicIncr;
        for (int k = 0; k < Keys; k++) rt[0].NameObject(Word(k), $"counter[{k}]");
        NameObjects();
        int[] w = MixWeights(3);
        _plan = new (int, int, long)[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            var prng = DataPrng(b);
            _plan[b] = new (int, int, long)[config.Ops];
            for (int i = 0; i < config.Ops; i++)
            {
                int op = config.MixSeed == 0 ? (i % 2 == 0 ? CounterRegisterModel.Incr : CounterRegisterModel.Get) : prng.Weighted(w);
                int key = config.MixSeed == 0 ? 0 : prng.Index(Keys);
                _plan[b][i] = (key, op, 100 + b * 10 + i);
            }
        }
    }

    protected override void OnReset()
    {
        _history.Clear();
        _clock = 0;
    }

    protected override void Body(int me)
    {
        ISyncRuntime rt = Rt[me];
        foreach (var (key, op, arg) in _plan[me])
        {
            long invoke = Interlocked.Increment(ref _clock);
            long result = 0;
            ulong addr = Word(key);
            switch (op)
            {
                case CounterRegisterModel.Get:
                    result = rt.AtomicRead32(addr);
                    break;
                case CounterRegisterModel.Put:
                    rt.AtomicWrite32(addr, (uint)arg);
                    break;
                default:
                    if (_atomicIncr)
                    {
                        result = rt.AtomicFetchAdd32(addr, 1);
                    }
                    else
                    {
                        uint v = rt.SharedRead32(addr);
                        rt.SharedWrite32(addr, v + 1);
                        result = v;
                    }
                    break;
            }
            long response = Interlocked.Increment(ref _clock);
            lock (_history) _history.Add(new HistoryOp(me, key, op, arg, result, invoke, response));
        }
    }

    protected override void OnCheckFinal()
    {
        // not linearizable: a not-linearizable failure; the budget run out: reported as a timeout
        LinearizabilityChecker.Check(_history, new CounterRegisterModel()).ThrowIfNotLinearizable();
    }
}
