// AllocatorRunner.Match: comparing how a port call ended (result, ERROR, fault, assertion) with
// the model's Expectation, including the out-of-memory discipline: "out of memory" (or NULL under
// MCXT_ALLOC_NO_OOM) is accepted only when a simulated malloc of the op really failed, scripted or
// for capacity (the simulated heap could not place the block below its maximum), and a capacity
// failure only for a request the op could plausibly make.
using Allocator.Common;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    // ------------------------------------------------------------------ outcome matching

    /// <summary>The heap's failure counters before a port call (see Match).</summary>
    private readonly record struct FailMark(long Scripted, long Capacity);

    private FailMark Mark() => new(_heap.FailedCalls, _heap.CapacityFailedCalls);

    /// <summary>Matches a port call's end against the expectation; throws OracleFailure on a mismatch.
    ///
    /// Out of memory (ERROR, or NULL under NO_OOM) is accepted only when a malloc the op made
    /// really failed: scripted (SimHeapOptions) or for capacity (the simulated heap could not place
    /// it below its maximum; the model does not model blocks, so it cannot predict that a small
    /// palloc needs a new block that no longer fits). A capacity failure must also be plausible
    /// for the op: the failed request at most <paramref name="capacityBound"/> (what PostgreSQL
    /// could ask malloc for here), so a port that asks for an absurd block is still caught.</summary>
    private Ended Match(in Expectation exp, Exception? ex, ulong result, bool returnsPointer, FailMark before, string kind, ulong capacityBound = 0)
    {
        bool scripted = _heap.FailedCalls > before.Scripted;
        bool capacity = _heap.CapacityFailedCalls > before.Capacity;
        bool heapFailed = scripted || capacity;
        if (ex is null)
        {
            if (returnsPointer && result == 0)
            {
                if (exp.Kind == ExpectKind.Null) return Ended.Null;
                if (exp.NoOom && heapFailed && exp.Oom is not null)
                {
                    CheckCapacityPlausible(capacity, capacityBound, kind);
                    return Ended.Null;
                }
                throw Fail(OutcomeKind.ModelMismatch, $"{kind}/unexpected-null", $"returned NULL; expected {exp}{HeapFailureNote(heapFailed)}");
            }
            if (exp.Kind is ExpectKind.Ok or ExpectKind.OkOrOom) return Ended.Success;
            throw Fail(OutcomeKind.ModelMismatch, $"{kind}/missing-error", $"succeeded; expected {exp}");
        }
        if (ex is PgErrorException pe)
        {
            if (pe.Message == "out of memory" && heapFailed && exp.Oom is { } oom)
            {
                if (!oom.Matches(pe.Detail))
                    throw Fail(OutcomeKind.ModelMismatch, $"{kind}/wrong-oom-detail", $"out of memory with detail '{pe.Detail}'; expected '{exp.OomDetail}'");
                if (exp.NoOom && !oom.Creating)
                    throw Fail(OutcomeKind.ModelMismatch, $"{kind}/oom-despite-no-oom", "raised out of memory under MCXT_ALLOC_NO_OOM");
                CheckCapacityPlausible(capacity, capacityBound, kind);
                return Ended.Oom;
            }
            if (exp.Kind == ExpectKind.Error)
            {
                if (pe.Message != exp.Message)
                    throw Fail(OutcomeKind.ModelMismatch, $"{kind}/wrong-error", $"ERROR '{pe.Message}'; expected '{exp.Message}'");
                if (exp.Detail is not null && pe.Detail != exp.Detail)
                    throw Fail(OutcomeKind.ModelMismatch, $"{kind}/wrong-detail", $"ERROR detail '{pe.Detail}'; expected '{exp.Detail}'");
                return Ended.ExpectedError;
            }
            throw Fail(OutcomeKind.ModelMismatch, $"{kind}/unexpected-error", $"ERROR '{OneLine(pe)}'; expected {exp}{HeapFailureNote(heapFailed)}");
        }
        if (ex is SimFaultException && exp.Kind == ExpectKind.Fault)
        {
            // A crash in C: after an allocation path faulted the process is gone.
            if (_op is Alloc or Realloc) _aborted = true;
            return Ended.Fault;
        }
        if (ex is AssertionFailureException && exp.Kind == ExpectKind.Abort)
        {
            _aborted = true;
            return Ended.Fault;
        }
        var (cls, what) = Classify(ex);
        throw Fail(cls, $"{kind}/{what}", $"{OneLine(ex)}; expected {exp}");
    }

    /// <summary>When the latest heap failure of this op was for capacity, it must be a request
    /// PostgreSQL could make here (at most the bound); otherwise the port asked for an absurd block.</summary>
    private void CheckCapacityPlausible(bool capacity, ulong bound, string kind)
    {
        if (!capacity || !_heap.LastFailureWasCapacity || _heap.LastFailedSize <= bound) return;
        throw Fail(OutcomeKind.ModelMismatch, $"{kind}/implausible-malloc",
            $"out of memory because malloc({_heap.LastFailedSize}) exceeded the simulated heap; this operation cannot need more than {bound} bytes");
    }

    private string HeapFailureNote(bool heapFailed) => heapFailed ? "" : " (no simulated malloc failed during the call)";

    /// <summary>A generous upper bound on any single malloc an allocation of <paramref name="size"/>
    /// bytes (plus <paramref name="extra"/> alignment padding) in <paramref name="c"/> can make:
    /// blocks never exceed the context's largest size parameter or twice the required size
    /// (block sizes double until the request fits), plus headers.</summary>
    private static ulong CapacityBound(ModelContext c, ulong size, ulong extra = 0)
    {
        ulong largestParam = Math.Max(Math.Max(c.MaxBlockSize, c.InitBlockSize), Math.Max(c.MinContextSize, c.SlabBlockSize));
        ulong required = SatAdd(size, extra);
        return SatAdd(largestParam, SatAdd(SatAdd(required, required), 64 * 1024));
    }

    private static ulong SatAdd(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;

    private static readonly string[] s_kindNames = Enum.GetNames<ModelContextKind>();

    private static string KindOf(ModelContext c) => s_kindNames[(int)c.Kind];
}
