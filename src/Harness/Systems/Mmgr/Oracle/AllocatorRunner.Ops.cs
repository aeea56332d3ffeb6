// AllocatorRunner.Ops: resolving relative references, running one op on the port and the model,
// and comparing the op's outcome with the model's Expectation.
using Allocator.Common;
using Allocator.Mmgr;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;
using static Allocator.Mmgr.McxtConstants;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    /// <summary>How a port call ended, once matched against the expectation.</summary>
    private enum Ended : byte { Success, ExpectedError, Oom, Null, Fault }

    private int _warningsBefore;

    /// <summary>Runs one op. Returns false if it was skipped.</summary>
    private bool Step(AllocatorOp op)
    {
        _log.Clear();
        _warningsBefore = 0;
        _model.DroppedDamaged.Clear();
        long failedBefore = _heap.FailedCalls + _heap.CapacityFailedCalls;
        bool ran = op switch
        {
            CreateContext o => DoCreate(o),
            Alloc o => DoAlloc(o),
            Realloc o => DoRealloc(o),
            Free o => DoFree(o),
            WritePattern o => DoWritePattern(o),
            VerifyPattern o => DoVerifyPattern(o),
            Reset o => DoTree(o.Code, o.Ctx),
            ResetOnly o => DoTree(o.Code, o.Ctx),
            ResetChildren o => DoTree(o.Code, o.Ctx),
            Delete o => DoTree(o.Code, o.Ctx),
            DeleteChildren o => DoTree(o.Code, o.Ctx),
            SetParent o => DoSetParent(o),
            SwitchTo o => DoSwitchTo(o),
            RegisterCallback o => DoRegisterCallback(o),
            Stats o => DoStats(o),
            Check o => DoCheck(o),
            _ when op.IsHostile && !(_options.AllowHostile && Checking) => false,
            WritePastEnd o => DoWritePastEnd(o),
            DoubleFree o => DoDoubleFree(o),
            FreeNonChunk o => DoFreeNonChunk(o),
            UseAfterFree o => DoUseAfterFree(o),
            _ => false,
        };
        _trace?.WriteLine($"{_opIndex,4}: {op}{(ran ? "" : "   (skipped)")}");
        if (_heap.FailedCalls + _heap.CapacityFailedCalls != failedBefore) Reach.Hit(MmgrReach.MallocFailed);
        CheckWarningsOfOp();
        return ran;
    }

    // ------------------------------------------------------------------ references

    private ModelContext? UserCtx(int r)
    {
        List<ModelContext> list = _model.UserContexts;
        return list.Count == 0 ? null : list[(int)((uint)r % (uint)list.Count)];
    }

    /// <summary>A pctx ref: negative = null (when allowed), 0 = Top, i = user context i-1.</summary>
    private ModelContext? ParentOrView(int r, bool nullAllowed)
    {
        if (r < 0) return nullAllowed ? null : _model.Top;
        List<ModelContext> list = _model.UserContexts;
        int i = (int)((uint)r % (uint)(list.Count + 1));
        return i == 0 ? _model.Top : list[i - 1];
    }

    private ModelChunk? ChunkRef(int r)
    {
        List<ModelChunk> list = _model.Chunks;
        return list.Count == 0 ? null : list[(int)((uint)r % (uint)list.Count)];
    }

    private static ModelContextKind ToModel(ContextKind k) => (ModelContextKind)(byte)k;

    // ------------------------------------------------------------------ create

    private bool DoCreate(CreateContext o)
    {
        ModelContext? parent = ParentOrView(o.Parent, nullAllowed: true);
        ModelContextKind kind = ToModel(o.Kind);
        var (min, init, max, chunk) = ContextParams.Normalize(o);
        string name = _model.NextContextName;
        Expectation exp = _model.PlanCreate(kind, min, init, max, chunk);
        ulong expectAddress = kind == ModelContextKind.AllocSet ? _model.RecycledAddressFor(min, init) : 0;
        FailMark failed = Mark();
        ulong p = parent?.Address ?? 0, result = 0;
        Exception? ex = null;
        try
        {
            result = kind switch
            {
                ModelContextKind.AllocSet => _mcxt.AllocSetContextCreate(p, name, min, init, max),
                ModelContextKind.Generation => _mcxt.GenerationContextCreate(p, name, min, init, max),
                ModelContextKind.Slab => _mcxt.SlabContextCreate(p, name, init, chunk),
                _ => _mcxt.BumpContextCreate(p, name, min, init, max),
            };
        }
        catch (Exception e) { ex = e; }
        ulong largest = Math.Max(Math.Max(min, init), Math.Max(max, chunk));
        ulong bound = SatAdd(SatAdd(largest, largest), 64 * 1024);   // the first block or the context header
        Ended end = Match(exp, ex, result, true, failed, s_kindNames[(int)kind], bound);
        if (end != Ended.Success)
        {
            _model.CommitCreateFailed();
            return true;
        }
        if (expectAddress != 0 && result != expectAddress)
            throw Fail(OutcomeKind.ModelMismatch, "AllocSet/not-recycled", $"create returned {Hex(result)}; the recycled context at {Hex(expectAddress)} (LIFO head) should have been reused");
        if (expectAddress != 0) Reach.Hit(MmgrReach.AsetContextRecycled);
        ModelContext created = _model.CommitCreate(kind, parent, min, init, max, chunk, result);
        _acct?.Created(created);
        return true;
    }

    // ------------------------------------------------------------------ alloc / realloc / free

    private bool DoAlloc(Alloc o)
    {
        ModelContext? ctx = o.Entry == AllocEntry.Palloc ? _model.Current : UserCtx(o.Ctx);
        if (ctx is null) return false;
        ulong size = o.SlabFit && ctx.Kind == ModelContextKind.Slab ? ctx.SlabChunkSizeAsCreated : o.Size;
        ulong alignto = o.Entry == AllocEntry.AllocAligned ? ContextParams.NormalizeAlign(o.AlignTo) : 0;
        int flags = (int)o.Flags;
        Expectation exp = _model.PlanAlloc(ctx, size, flags, (ModelAllocEntry)(byte)o.Entry, alignto, out AllocPlan plan);
        if (plan.Skip) return false;
        bool slabChoice = SlabHasBlocklistChoice(ctx);
        bool genExact = ctx.Accounting is GenerationAccounting { } g && g.FreeblockExactFit(size);
        FailMark failed = Mark();
        ulong result = 0, c = ctx.Address;
        Exception? ex = null;
        try
        {
            result = o.Entry switch
            {
                AllocEntry.Palloc => flags == 0 ? _mcxt.palloc(size) : flags == MCXT_ALLOC_ZERO ? _mcxt.palloc0(size) : _mcxt.palloc_extended(size, flags),
                AllocEntry.MemoryContextAlloc => (flags & MCXT_ALLOC_HUGE) != 0 ? _mcxt.MemoryContextAllocHuge(c, size)
                    : (flags & MCXT_ALLOC_ZERO) != 0 ? _mcxt.MemoryContextAllocZero(c, size) : _mcxt.MemoryContextAlloc(c, size),
                AllocEntry.AllocExtended => _mcxt.MemoryContextAllocExtended(c, size, flags),
                _ => _mcxt.MemoryContextAllocAligned(c, size, alignto, flags),
            };
        }
        catch (Exception e) { ex = e; }
        Ended end = Match(exp, ex, result, true, failed, KindOf(ctx), CapacityBound(ctx, size, alignto));
        ulong aligned = plan.Aligned ? plan.AlignTo : 0;
        if (end != Ended.Success)
        {
            if (!_aborted) _model.CommitAllocFailed(plan);
            if (end is Ended.Oom or Ended.Null && _acct is not null) Placed(_acct.AllocFailed(ctx, plan.Size, aligned), ctx);
            return true;
        }
        if ((result & 7) != 0 || (plan.Aligned && result % plan.AlignTo != 0))
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ctx)}/misaligned", $"pointer {Hex(result)} is not aligned to {(plan.Aligned ? plan.AlignTo : 8)}");
        ModelChunk chunk = _model.CommitAlloc(plan, result);
        if (_acct is not null)
        {
            NoteRetriedMalloc(failed, ctx);
            Placed(_acct.Allocated(chunk, plan.Size, aligned, result), ctx);
        }
        if (slabChoice) Reach.Hit(MmgrReach.SlabBlocklistChoice);
        if (genExact) Reach.Hit(MmgrReach.GenerationFreeblockExactFit);
        CheckChunkNow(chunk);
        return true;
    }

    /// <summary>Whether the accounting model has partly used blocks of this Slab on two blocklists,
    /// so that the next allocation depends on which list slab.c serves first.</summary>
    private static bool SlabHasBlocklistChoice(ModelContext ctx) =>
        ctx.Accounting is SlabAccounting { Unpredictable: null } s && s.Blocklist(1).Count > 0 && s.Blocklist(2).Count > 0;

    private bool DoRealloc(Realloc o)
    {
        ModelChunk? chunk = ChunkRef(o.Chunk);
        if (chunk is null) return false;
        ulong size = o.SlabFit && chunk.Owner.Kind == ModelContextKind.Slab ? chunk.Owner.SlabChunkSizeAsCreated : o.Size;
        int flags = (int)(o.Flags & ~AllocFlags.Zero);
        Expectation exp = _model.PlanRealloc(chunk, size, flags, (int)o.Entry, out ReallocPlan plan);
        if (plan.Skip) return false;
        bool damaged = chunk.SentinelDamaged;
        FailMark failed = Mark();
        ulong old = chunk.Address, result = 0;
        Exception? ex = null;
        try
        {
            result = o.Entry switch
            {
                ReallocEntry.Repalloc => _mcxt.repalloc(old, size),
                ReallocEntry.RepallocExtended => _mcxt.repalloc_extended(old, size, flags),
                _ => _mcxt.repalloc0(old, chunk.Requested, size),
            };
        }
        catch (Exception e) { ex = e; }
        Ended end = Match(exp, ex, result, true, failed, KindOf(chunk.Owner), CapacityBound(chunk.Owner, size, chunk.Aligned ? chunk.AlignTo : 0));
        // AllocSetRealloc and GenerationRealloc test the sentinel; SlabRealloc does not.
        if (damaged && Checking && chunk.Owner.Kind is ModelContextKind.AllocSet or ModelContextKind.Generation && !chunk.Aligned && exp.Kind != ExpectKind.Error)
            RequireWarningFor(chunk, "repalloc of a chunk with a damaged sentinel");
        if (end != Ended.Success)
        {
            if (end is Ended.Oom or Ended.Null && _acct is not null) Placed(_acct.ReallocFailed(chunk, size), chunk.Owner);
            return true;
        }
        if (plan.InPlace && result != old)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(chunk.Owner)}/moved", $"repalloc({Hex(old)}, {size}) moved to {Hex(result)}; it fits in place and must return the same pointer");
        if (!plan.InPlace && !plan.MayMove && result == old)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(chunk.Owner)}/not-moved", $"repalloc({Hex(old)}, {size}) returned the same pointer; it cannot fit");
        if ((result & 7) != 0 || (chunk.Aligned && result % chunk.AlignTo != 0))
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(chunk.Owner)}/misaligned", $"repalloc returned misaligned {Hex(result)}");
        if (_acct is not null)
        {
            NoteRetriedMalloc(failed, chunk.Owner);
            Placed(_acct.Reallocated(chunk, size, result), chunk.Owner);
        }
        _model.CommitRealloc(plan, result);
        CheckChunkNow(chunk);
        return true;
    }

    private bool DoFree(Free o)
    {
        ModelChunk? chunk = ChunkRef(o.Chunk);
        if (chunk is null) return false;
        Expectation exp = _model.PlanFree(chunk, out bool skip);
        if (skip) return false;
        bool damaged = chunk.SentinelDamaged;
        long blocks = _heap.OutstandingBlocks;
        Exception? ex = null;
        try
        {
            _mcxt.pfree(chunk.Address);
        }
        catch (Exception e) { ex = e; }
        Ended end = Match(exp, ex, 1, false, Mark(), KindOf(chunk.Owner));
        if (end != Ended.Success) return true;
        if (_heap.OutstandingBlocks < blocks)
            switch (chunk.Owner.Kind)
            {
                case ModelContextKind.AllocSet: Reach.Hit(MmgrReach.AsetBlockFreed); break;
                case ModelContextKind.Slab: Reach.Hit(MmgrReach.SlabEmptyBlockFreed); break;
                case ModelContextKind.Generation: Reach.Hit(MmgrReach.GenerationBlockFreed); break;
            }
        if (damaged && Checking) RequireWarningFor(chunk, "pfree of a chunk with a damaged sentinel");
        _acct?.Freed(chunk);
        _model.CommitFree(chunk);
        return true;
    }

    private bool DoWritePattern(WritePattern o)
    {
        ModelChunk? chunk = ChunkRef(o.Chunk);
        if (chunk is null || !chunk.HasContent) return false;
        int n = (int)chunk.Requested;
        if (n > 0)
        {
            Span<byte> span = _memory.Span(chunk.Address, (ulong)n);
            byte[] table = AllocatorModel.PatternTable(o.Seed);
            for (int at = 0; at < n; at += table.Length)
                table.AsSpan(0, Math.Min(table.Length, n - at)).CopyTo(span[at..]);
        }
        _model.WritePattern(chunk, o.Seed);
        return true;
    }

    private bool DoVerifyPattern(VerifyPattern o)
    {
        ModelChunk? chunk = ChunkRef(o.Chunk);
        if (chunk is null) return false;
        CompareContents(chunk);
        return true;
    }

    /// <summary>Checks a just-returned chunk: owner and space as the semantics say.</summary>
    private void CheckChunkNow(ModelChunk chunk)
    {
        if (_options.VerifyEvery == 1) return;   // VerifyAll follows immediately
        CheckChunkIdentity(chunk);
    }
}
