// BufferRunner.Policy: the replacement-policy oracle (BufferRunOptions.Policy). Beside BufferModel
// (what a caller sees) the runner keeps Models.Buffers.ReplacementPolicyModel (which buffer does the
// work) and, after every operation, compares it with the port's real shared state: each
// descriptor's state word (refcount, usage count, BM_DIRTY, BM_TAG_VALID) and tag, each backend's
// strategy objects (size, current slot, slots), and the StrategyControl block (nextVictimBuffer,
// completePasses, numBufferAllocs, firstFreeBuffer, bgwprocno), plus the bgwriter wake-ups seen by
// the SetLatch hook. A read or an extension is also checked at once: the buffer the port took
// against the one the model predicts.
//
// The prediction is exact because the runner runs one whole operation at a time on one thread:
// no other backend moves the clock hand, a usage count or a ring while an operation runs. The
// operations the model does not follow (the bgwriter's writing round BgBufferSync, checkpoints,
// relation and database drops, which feed the free list, hint bits, which may WAL-log a page image,
// cleanup locks, held content locks, read-zero, faults and crashes) are skipped in this mode; the
// `policy` property's generator does not make them in the first place.
using Allocator.Buffers;
using Allocator.Sim;
using Harness.Core;
using Models.Buffers;
using static Allocator.Buffers.BufferConstants;

namespace Harness.Systems.Buffers.Oracle;

public sealed partial class BufferRunner
{
    private ReplacementPolicyModel? _policy;
    private readonly List<int> _portWakes = new();

    /// <summary>The proc number the runner's bgwriter registers with StrategyNotifyBgWriter.</summary>
    private int BgWriterProcNo => W.Backends;

    private void StartPolicy()
    {
        _policy = _options.Policy ? new ReplacementPolicyModel(W.NBuffers, W.Backends, W.BlckSz) : null;
        _portWakes.Clear();
        // the latch stand-in records whom StrategyGetBuffer woke (the hook is per pool, process-local)
        _pool!.Strategy.SetLatch = _options.Policy ? _portWakes.Add : null;
    }

    /// <summary>Whether the policy oracle follows <paramref name="op"/> (see the header).</summary>
    private static bool PolicyFollows(BufferOp op) => op.Code switch
    {
        BufferOpCode.Read or BufferOpCode.Release or BufferOpCode.Modify or BufferOpCode.Inspect or BufferOpCode.Flush
            or BufferOpCode.Extend or BufferOpCode.Evict or BufferOpCode.Commit or BufferOpCode.Abort => true,
        BufferOpCode.BgWriter => op.Mode is 1 or 2,
        _ => false,
    };

    private static RingKind? RingOf(int kind) => kind == 0 ? null : (RingKind)kind;

    private static bool Logged(PageKey p) => BufferWorkload.Relations[p.Rel].Permanent;

    /// <summary>The model's answer to a pin that BufferModel says raises <paramref name="expectedError"/>
    /// (or none) must agree with it: both models decide "no unpinned buffers available".</summary>
    private void PolicyAgreesOnError(int step, BufferOp op, PolicyPin? predicted, string? expectedError)
    {
        if (predicted is not PolicyPin pin) return;
        bool full = expectedError == ReplacementPolicyModel.NoUnpinnedBuffers;
        if (full != (pin.Error is not null))
            throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/policy-error",
                $"the policy model says {(pin.Error is null ? $"buffer {pin.BufferId + 1}" : pin.Error)}, the caller model says {(full ? expectedError : "a buffer")}");
    }

    /// <summary>The buffer the port pinned for a read or extension against the model's choice.</summary>
    private void PolicyCheckPin(int step, BufferOp op, PolicyPin? predicted, int buf)
    {
        if (predicted is not PolicyPin pin) return;
        if (pin.RingRejected) Reach.Hit(BuffersReach.RingRejectedDirty);
        if (pin.BufferId + 1 != buf)
        {
            string what = pin.Hit ? "a hit on" : "a miss taking";
            throw Fail(OutcomeKind.ModelMismatch, step, $"{Name(op)}/policy-victim",
                $"op {step} ({op}): expected {what} buffer {pin.BufferId + 1} (usage {pin.Usage}), port took buffer {buf}");
        }
    }

    /// <summary>After every operation: the model's state against the port's shared state.</summary>
    private void CheckPolicy(int step, BufferOp op)
    {
        if (_policy is null) return;
        ReplacementPolicyModel m = _policy;
        BufferPool pool = _pool!;
        SimMemory mem = pool.InitMemory;
        string at = $"after op {step} ({op})";

        List<string> own = m.Check();
        if (own.Count > 0)
            throw Fail(OutcomeKind.InvariantFailed, step, "policy/model-invariant", $"{at}: the policy model broke its invariant {own[0]}");

        for (int id = 0; id < m.NBuffers; id++)
        {
            BufferDesc d = pool.Descriptors.GetBufferDescriptor(id);
            uint state = mem.ReadU32(d.StateAddr);
            PageKey? tag = (state & BM_TAG_VALID) != 0 ? PageOf(BufferDescriptors.ReadTag(mem, d)) : null;
            int usage = (int)BUF_STATE_GET_USAGECOUNT(state), refcount = (int)BUF_STATE_GET_REFCOUNT(state);
            bool dirty = (state & BM_DIRTY) != 0;
            if (tag != m.Tag(id))
                throw Fail(OutcomeKind.ModelMismatch, step, "policy/tag", $"{at}: buffer {id + 1} holds {Show(tag)}; expected {Show(m.Tag(id))}");
            if (usage != m.Usage(id))
                throw Fail(OutcomeKind.ModelMismatch, step, "policy/usage", $"{at}: buffer {id + 1} ({Show(tag)}) has usage count {usage}; expected {m.Usage(id)}");
            if (refcount != m.RefCount(id))
                throw Fail(OutcomeKind.ModelMismatch, step, "policy/refcount", $"{at}: buffer {id + 1} ({Show(tag)}) has refcount {refcount}; expected {m.RefCount(id)}");
            if (dirty != m.Dirty(id))
                throw Fail(OutcomeKind.ModelMismatch, step, "policy/dirty", $"{at}: buffer {id + 1} ({Show(tag)}) is {(dirty ? "dirty" : "clean")}; expected {(m.Dirty(id) ? "dirty" : "clean")}");
        }

        StrategyControl sc = pool.Strategy;
        CheckField(step, at, "nextVictimBuffer", sc.NextVictimBuffer(mem), m.NextVictimBuffer);
        CheckField(step, at, "completePasses", sc.CompletePasses(mem), m.CompletePasses);
        CheckField(step, at, "numBufferAllocs", sc.NumBufferAllocs(mem), m.NumBufferAllocs);
        CheckField(step, at, "firstFreeBuffer", sc.FirstFreeBuffer(mem), m.FirstFreeBuffer);
        CheckField(step, at, "bgwprocno", sc.Bgwprocno(mem), m.Bgwprocno);
        if (!_portWakes.SequenceEqual(m.Wakes))
            throw Fail(OutcomeKind.ModelMismatch, step, "policy/bgwriter-wakes",
                $"{at}: the bgwriter's latch was set {_portWakes.Count} times; expected {m.Wakes.Count}");

        for (int b = 0; b < W.Backends; b++)
        {
            for (int kind = 1; kind <= 3; kind++)
            {
                BufferAccessStrategy? port = _strategies[b][kind];
                PolicyRing? ring = m.Ring(b, (RingKind)kind);
                if ((port is null) != (ring is null))
                    throw Fail(OutcomeKind.ModelMismatch, step, "policy/ring", $"{at}: b{b} {(RingKind)kind} ring exists in {(port is null ? "the model" : "the port")} only");
                if (port is null || ring is null) continue;
                if (port.nbuffers != ring.Slots.Length)
                    throw Fail(OutcomeKind.ModelMismatch, step, "policy/ring-size",
                        $"{at}: b{b} {(RingKind)kind} ring has {port.nbuffers} buffers; expected {ring.Slots.Length} (min(ring size, NBuffers/8 = {W.NBuffers / 8}))");
                if (port.current != ring.Current || !port.buffers.SequenceEqual(ring.Slots))
                    throw Fail(OutcomeKind.ModelMismatch, step, "policy/ring-slots",
                        $"{at}: b{b} {(RingKind)kind} ring is at slot {port.current} [{string.Join(",", port.buffers)}]; expected slot {ring.Current} [{string.Join(",", ring.Slots)}]");
            }
        }
    }

    private static void CheckField<T>(int step, string at, string field, T port, T model) where T : IEquatable<T>
    {
        if (!port.Equals(model))
            throw Fail(OutcomeKind.ModelMismatch, step, $"policy/{field}", $"{at}: StrategyControl.{field} is {port}; expected {model}");
    }

    private static string Show(PageKey? p) => p is PageKey k ? k.ToString() : "no page";

    /// <summary>The workload page a port tag names (the runner only uses the main fork).</summary>
    private static PageKey? PageOf(BufferTag tag)
    {
        for (int r = 0; r < BufferWorkload.RelationCount; r++)
        {
            var l = BufferWorkload.Relations[r].Locator;
            if (l.SpcOid == tag.SpcOid && l.DbOid == tag.DbOid && l.RelNumber == tag.RelNumber && tag.ForkNum == ForkNumber.MAIN_FORKNUM)
                return new PageKey(r, tag.BlockNum);
        }
        return new PageKey(-1, tag.BlockNum);
    }
}
