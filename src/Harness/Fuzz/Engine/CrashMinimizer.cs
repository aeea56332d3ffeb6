// CrashMinimizer: shrinks a failing input while the failure keeps its signature (outcome class and
// site), like afl-tmin / libFuzzer -minimize_crash but deterministic and signature-preserving.
//
// Passes, repeated until a whole round changes nothing or the execution budget runs out:
//   1. operations (IStructureAware targets): delete chunks of n/2, n/4, ... 1 operations (ddmin);
//   2. operations: simplify each remaining operation's arguments (the target's candidates);
//   3. bytes: delete chunks of n/2 ... 1 bytes;
// Each candidate is accepted only if it is no larger than the current input and reproduces the
// same signature, so the result always fails exactly the way the original did.
using Harness.Core;

namespace Harness.Fuzz.Engine;

public sealed record MinimizeResult(byte[] Input, Outcome Outcome, int OriginalUnits, int Units, long Execs, bool BudgetExhausted);

public sealed class CrashMinimizer
{
    private readonly IFuzzTarget _target;
    private readonly IStructureAware? _structure;
    private readonly long _budget;
    private long _execs;
    private string _signature = "";
    private Outcome _last;

    public CrashMinimizer(IFuzzTarget target, long execBudget = 20_000)
    {
        _target = target;
        _structure = target as IStructureAware;
        _budget = execBudget;
    }

    public MinimizeResult Minimize(byte[] input)
    {
        _execs = 0;
        Outcome first = RunSafe(input);
        if (!first.IsFailure) throw new Harness.Core.MalformedInputException("the input does not fail (outcome ok); there is nothing to minimize");
        _signature = first.Signature;
        _last = first;
        int originalUnits = _structure?.UnitCount(input) ?? input.Length;
        byte[] cur = input;
        bool changed = true;
        while (changed && !Exhausted)
        {
            changed = false;
            if (_structure is not null)
            {
                changed |= DeleteUnits(ref cur);
                changed |= SimplifyUnits(ref cur);
            }
            changed |= DeleteBytes(ref cur);
        }
        Outcome final = RunSafe(cur);
        return new MinimizeResult(cur, final, originalUnits, _structure?.UnitCount(cur) ?? cur.Length, _execs, Exhausted);
    }

    private bool Exhausted => _execs >= _budget;

    private bool SameFailure(byte[] candidate)
    {
        Outcome o = RunSafe(candidate);
        if (o.Signature != _signature) return false;
        _last = o;
        return true;
    }

    private Outcome RunSafe(ReadOnlySpan<byte> input)
    {
        _execs++;
        try
        {
            return _target.Execute(input);
        }
        catch (Exception e)
        {
            return new Outcome(OutcomeKind.Crash, -1, $"engine/{e.GetType().Name}", e.Message);
        }
    }

    private bool DeleteUnits(ref byte[] cur)
    {
        bool any = false;
        int n = _structure!.UnitCount(cur);
        for (int chunk = Math.Max(1, n / 2); chunk >= 1 && !Exhausted; chunk /= 2)
        {
            for (int start = 0; start < n && !Exhausted;)
            {
                byte[] cand = _structure.WithoutUnits(cur, start, Math.Min(chunk, n - start));
                if (cand.Length <= cur.Length && SameFailure(cand))
                {
                    cur = cand;
                    n = _structure.UnitCount(cur);
                    any = true;
                }
                else
                {
                    start += chunk;
                }
            }
        }
        return any;
    }

    private bool SimplifyUnits(ref byte[] cur)
    {
        bool any = false;
        for (int i = 0; i < _structure!.UnitCount(cur) && !Exhausted; i++)
        {
            // Take the first simplification that keeps the failure, then look again at the same op.
            for (int round = 0; round < 16 && !Exhausted; round++)
            {
                byte[]? accepted = null;
                foreach (byte[] cand in _structure.SimplifyUnit(cur, i))
                {
                    if (Exhausted) break;
                    if (cand.Length <= cur.Length && !cand.AsSpan().SequenceEqual(cur) && SameFailure(cand))
                    {
                        accepted = cand;
                        break;
                    }
                }
                if (accepted is null) break;
                cur = accepted;
                any = true;
            }
        }
        return any;
    }

    private bool DeleteBytes(ref byte[] cur)
    {
        bool any = false;
        for (int chunk = Math.Max(1, cur.Length / 2); chunk >= 1 && !Exhausted; chunk /= 2)
        {
            for (int start = 0; start < cur.Length && !Exhausted;)
            {
                int len = Math.Min(chunk, cur.Length - start);
                byte[] cand = new byte[cur.Length - len];
                cur.AsSpan(0, start).CopyTo(cand);
                cur.AsSpan(start + len).CopyTo(cand.AsSpan(start));
                if (SameFailure(cand))
                {
                    cur = cand;
                    any = true;
                }
                else
                {
                    start += chunk;
                }
            }
        }
        return any;
    }
}
