// AccountingReplay: runs the accounting model (Models.Mmgr.AccountingModel, on the contents model
// AllocatorModel for the tree and the chunk references) over a golden vector's op stream, fed with
// what PostgreSQL's C did (each op's recorded result: its pointer, NULL, the ERROR), and compares
// the model's figures with the recorded ones after every op: for TopMemoryContext and every live
// user context, nblocks/totalspace/freespace/freechunks/mem_allocated and isReset, plus every
// pointer the model can place. No port code runs: this validates the model against C.
//
// The references resolve as GoldenReplayer (the driver's semantics) resolves them: contexts in
// creation order, chunks in allocation order, palloc in CurrentMemoryContext, a tree operation
// that would delete CurrentMemoryContext switching to TopMemoryContext first.
using System.Globalization;
using Harness.Systems.Mmgr.Oracle;
using Models.Mmgr;

namespace Harness.Tests.Systems.Mmgr.Golden;

internal sealed class AccountingReplay
{
    private readonly AllocatorModel _model;
    private readonly AccountingModel _acct;

    /// <summary>Ops applied, context figures compared, pointers the model placed and checked,
    /// context figures skipped because the model gave up on the context.</summary>
    public int Ops { get; private set; }
    public int FiguresChecked { get; private set; }
    public int PointersChecked => _acct.PointersPredicted;
    public int Skipped { get; private set; }

    private AccountingReplay(bool checking)
    {
        _model = new AllocatorModel(new ModelOptions { Checking = checking, Clobber = checking, AssertBuild = false });
        _acct = new AccountingModel(checking);
        _acct.AttachRoots(_model);
    }

    /// <summary>Replays one vector's text; returns the first disagreement (null if none) and the replay's counts.</summary>
    public static (string? Difference, AccountingReplay Replay) Run(string text, bool checking)
    {
        var r = new AccountingReplay(checking);
        return (r.Replay(text), r);
    }

    private string? Replay(string text)
    {
        string[] lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Length == 0 || line[0] == '#' || line[0] == ' ') continue;
            if (line == "end" || line.StartsWith("crash ", StringComparison.Ordinal)) return null;
            AllocatorOp op = AllocatorOpText.Parse(line, i + 1);
            string? result = null, figures = null;
            int j = i + 1;
            for (; j < lines.Length && lines[j].StartsWith(' '); j++)
            {
                if (lines[j].StartsWith("  = ", StringComparison.Ordinal)) result ??= lines[j][4..];
                else if (lines[j].StartsWith(" top=", StringComparison.Ordinal)) figures = lines[j];
            }
            if (result is null || result.StartsWith("CRASH", StringComparison.Ordinal)) return null;
            string where = $"line {i + 1} '{line}' = {result}";
            string? placed = Apply(op, result);
            if (placed is not null) return $"{where}: {placed}";
            Ops++;
            if (figures is null) return null;   // the C side died while observing
            string? diff = CompareFigures(figures);
            if (diff is not null) return $"{where}: {diff}";
            i = j - 1;
        }
        return null;
    }

    private static bool IsOom(string result) => result == "null" || result.StartsWith("ERROR out of memory", StringComparison.Ordinal);

    private static ulong Pointer(string result) => ulong.Parse(result.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture);

    private ModelContext? UserCtx(int r) => _model.UserContexts.Count == 0 ? null : _model.UserContexts[(int)((uint)r % (uint)_model.UserContexts.Count)];

    private ModelContext? ParentOrView(int r, bool nullAllowed)
    {
        if (r < 0) return nullAllowed ? null : _model.Top;
        int i = (int)((uint)r % (uint)(_model.UserContexts.Count + 1));
        return i == 0 ? _model.Top : _model.UserContexts[i - 1];
    }

    private ModelChunk? ChunkRef(int r) => _model.Chunks.Count == 0 ? null : _model.Chunks[(int)((uint)r % (uint)_model.Chunks.Count)];

    /// <summary>Applies one op with its recorded result; returns a pointer the model placed elsewhere.</summary>
    private string? Apply(AllocatorOp op, string result)
    {
        if (result == "skip") return null;
        switch (op)
        {
            case CreateContext o:
            {
                if (result != "ok")
                {
                    _model.CommitCreateFailed();
                    return null;
                }
                var (min, init, max, chunk) = ContextParams.Normalize(o);
                ModelContext c = _model.CommitCreate((ModelContextKind)(byte)o.Kind, ParentOrView(o.Parent, nullAllowed: true), min, init, max, chunk, 0);
                _acct.Created(c);
                return null;
            }
            case Alloc o:
            {
                ModelContext ctx = (o.Entry == AllocEntry.Palloc ? _model.Current : UserCtx(o.Ctx))!;
                ulong size = o.SlabFit && ctx.Kind == ModelContextKind.Slab ? ctx.SlabChunkSizeAsCreated : o.Size;
                ulong alignto = o.Entry == AllocEntry.AllocAligned ? ContextParams.NormalizeAlign(o.AlignTo) : 0;
                _model.PlanAlloc(ctx, size, (int)o.Flags, (ModelAllocEntry)(byte)o.Entry, alignto, out AllocPlan plan);
                ulong aligned = plan.Aligned ? plan.AlignTo : 0;
                if (result[0] == 'p')
                {
                    ulong p = Pointer(result);
                    ModelChunk ch = _model.CommitAlloc(plan, p);
                    return _acct.Allocated(ch, plan.Size, aligned, p);
                }
                _model.CommitAllocFailed(plan);
                return IsOom(result) ? _acct.AllocFailed(ctx, plan.Size, aligned) : null;
            }
            case Realloc o:
            {
                ModelChunk ch = ChunkRef(o.Chunk)!;
                ulong size = o.SlabFit && ch.Owner.Kind == ModelContextKind.Slab ? ch.Owner.SlabChunkSizeAsCreated : o.Size;
                _model.PlanRealloc(ch, size, (int)(o.Flags & ~AllocFlags.Zero), (int)o.Entry, out ReallocPlan plan);
                if (result[0] == 'p')
                {
                    ulong p = Pointer(result);
                    string? placed = _acct.Reallocated(ch, size, p);
                    _model.CommitRealloc(plan, p);
                    return placed;
                }
                return IsOom(result) ? _acct.ReallocFailed(ch, size) : null;
            }
            case Free o:
            {
                if (result != "ok") return null;
                ModelChunk ch = ChunkRef(o.Chunk)!;
                _acct.Freed(ch);
                _model.CommitFree(ch);
                return null;
            }
            case SetParent o:
                AllocatorModel.SetParent(UserCtx(o.Ctx)!, ParentOrView(o.NewParent, nullAllowed: true));
                return null;
            case SwitchTo o:
                _model.Current = ParentOrView(o.Ctx, nullAllowed: false)!;
                return null;
            case Reset or ResetOnly or ResetChildren or Delete or DeleteChildren:
                ApplyTree(op);
                return null;
            default:
                return null;
        }
    }

    private void ApplyTree(AllocatorOp op)
    {
        int r = op switch { Reset o => o.Ctx, ResetOnly o => o.Ctx, ResetChildren o => o.Ctx, Delete o => o.Ctx, DeleteChildren o => o.Ctx, _ => 0 };
        ModelContext c = UserCtx(r)!;
        ModelContext cur = _model.Current;
        bool deletesCurrent = op switch
        {
            Delete => AllocatorModel.IsAncestorOrSelf(c, cur),
            Reset or DeleteChildren => cur != c && AllocatorModel.IsAncestorOrSelf(c, cur),
            _ => false,
        };
        if (deletesCurrent) _model.Current = _model.Top;
        switch (op)
        {
            case Reset: _acct.Reset(c); _model.Reset(c); break;
            case ResetOnly: _acct.ResetOnly(c); _model.ResetOnly(c); break;
            case ResetChildren: _acct.ResetChildren(c); _model.ResetChildren(c); break;
            case Delete: _acct.Delete(c); _model.Delete(c); break;
            default: _acct.DeleteChildren(c); _model.DeleteChildren(c); break;
        }
    }

    /// <summary>The recorded " top=F c0=F ..." line against the model's figures for Top and the
    /// live user contexts, context by context.</summary>
    private string? CompareFigures(string recorded)
    {
        string[] tokens = recorded.Trim().Split(' ');
        var contexts = new List<ModelContext> { _model.Top };
        contexts.AddRange(_model.UserContexts);
        if (tokens.Length != contexts.Count)
            return $"{tokens.Length} contexts recorded, the model has {contexts.Count}";
        for (int k = 0; k < tokens.Length; k++)
        {
            ModelContext c = contexts[k];
            string recordedFigures = tokens[k][(tokens[k].IndexOf('=', StringComparison.Ordinal) + 1)..];
            AccountingContext a = c.Accounting!;
            if (a.Unpredictable is not null)
            {
                Skipped++;
                continue;
            }
            string mine = a.Figures() + (c.IsReset ? "/R" : "");
            FiguresChecked++;
            if (mine != recordedFigures)
                return $"{tokens[k]} recorded; the model says {mine} for {c.Name} (nblocks/totalspace/freespace/freechunks/mem_allocated)";
        }
        return null;
    }
}
