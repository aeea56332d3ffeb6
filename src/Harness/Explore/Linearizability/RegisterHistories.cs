// RegisterHistories: deterministic concurrent histories of one read/write register, for the
// checker's tests and benchmark. Generate simulates a real register shared by several backends:
// each operation is three events (invoke, take effect on the register, respond), and at every
// event a backend is drawn from the seeded Prng, so operations of different backends overlap as
// they would in a real run (each typically with two or three others). Written values are unique
// (1, 2, 3, ...; the initial value is 0), so such a history is linearizable by construction (the
// effect events are a linearization). WithStaleRead then breaks it in exactly one place.
using Allocator.Common;

namespace Harness.Explore.Linearizability;

public static class RegisterHistories
{
    /// <summary><paramref name="count"/> operations (about <paramref name="writePercent"/>% writes)
    /// by <paramref name="backends"/> backends on key <paramref name="key"/>, in response order.</summary>
    public static List<HistoryOp> Generate(int count, int backends, ulong seed, int key = 0, int writePercent = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(backends, 1);
        var prng = new Prng(seed);
        var history = new List<HistoryOp>(count);
        var phase = new int[backends];          // 0 idle, 1 invoked, 2 took effect
        var pending = new HistoryOp[backends];
        long register = 0, lastWritten = 0, clock = 0;
        int started = 0;
        var ready = new List<int>(backends);
        while (history.Count < count)
        {
            ready.Clear();
            for (int b = 0; b < backends; b++)
                if (phase[b] != 0 || started < count) ready.Add(b);
            int me = prng.Pick(ready);
            switch (phase[me])
            {
                case 0:
                    bool write = prng.Below(100) < (ulong)writePercent;
                    pending[me] = new HistoryOp(me, key, write ? RegisterModel.Write : RegisterModel.Read, write ? ++lastWritten : 0, 0, ++clock, 0);
                    started++;
                    phase[me] = 1;
                    break;
                case 1:
                    if (pending[me].Op == RegisterModel.Write) register = pending[me].Arg;
                    else pending[me] = pending[me] with { Result = register };
                    phase[me] = 2;
                    break;
                default:
                    history.Add(pending[me] with { Response = ++clock });
                    phase[me] = 0;
                    break;
            }
        }
        return history;
    }

    /// <summary>A copy of <paramref name="history"/> (a single-key register history with unique
    /// written values) in which one read near the end returns a stale value: the value of a write
    /// that a second write, complete before the read was invoked, had already replaced. No
    /// linearization can explain it. Returns the index of the changed read too.</summary>
    public static (List<HistoryOp> History, int Changed) WithStaleRead(IReadOnlyList<HistoryOp> history)
    {
        var copy = history.ToList();
        for (int i = copy.Count - 1; i >= 0; i--)
        {
            HistoryOp r = copy[i];
            if (r.Op != RegisterModel.Read) continue;
            // w1: the write that completed last before r; w0: the last write completed before w1 began
            HistoryOp? w1 = null;
            foreach (HistoryOp w in copy)
                if (w.Op == RegisterModel.Write && w.Response < r.Invoke && (w1 is null || w.Response > w1.Value.Response)) w1 = w;
            if (w1 is null) continue;
            HistoryOp? w0 = null;
            foreach (HistoryOp w in copy)
                if (w.Op == RegisterModel.Write && w.Response < w1.Value.Invoke && (w0 is null || w.Response > w0.Value.Response)) w0 = w;
            if (w0 is null || w0.Value.Arg == r.Result) continue;
            copy[i] = r with { Result = w0.Value.Arg };
            return (copy, i);
        }
        throw new ArgumentException("no read in the history can be made stale", nameof(history));
    }
}
