// GoldenReplayer: runs an AllocatorOp stream on the port and prints, after every op, what
// tools/pg-golden/mmgr/driver.c prints for the same stream on PostgreSQL's own C: the op line, its
// result, every context's stats counters, every live chunk's offset and GetMemoryChunkSpace, and
// the heap's live blocks and bytes (GoldenFormat lists the lines). A golden vector is the C
// driver's output; replaying it means producing this text from its op lines and comparing.
//
// The op semantics are the driver's, kept deliberately small and identical on both sides (no
// model): relative references resolve over the stream's live contexts (creation order) and live
// chunks (allocation order, a realloc keeps its slot) as in AllocatorOp.cs; a context that is
// current, or below one about to be deleted, is left for TopMemoryContext first (the runner's
// caller discipline); cycle-making SetParent ops are skipped. Patterns, callbacks, checks and the
// hostile ops are "skip": they are the oracle runner's business, not observable figures.
//
// The simulated heap is SimHeap, and the driver links PostgreSQL's malloc/free/realloc to a C copy
// of it, so the same calls give the same offsets (from the heap's base) on both sides.
using System.Globalization;
using System.Text;
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Harness.Systems.Mmgr.Oracle;
using static Allocator.Mmgr.McxtConstants;

namespace Harness.Systems.Mmgr.Golden;

public sealed partial class GoldenReplayer
{
    /// <summary>The driver's fixed table sizes: an op that would exceed them is "skip" on both sides.</summary>
    public const int MaxContexts = 4096;
    public const int MaxChunks = 65536;

    private readonly MemoryContextOptions _options;
    private readonly SimMemory _memory;
    private readonly SimHeap _heap;
    private readonly ElogSink _log = new() { MinLevel = ElogLevel.Warning };
    private readonly StringBuilder _out = new();

    private Mcxt _m = null!;
    private readonly List<GoldenContext> _ctxs = new();
    private readonly List<GoldenChunk> _chunks = new();
    private int _created;

    private sealed record GoldenContext(ulong Address, ContextKind Kind, ulong SlabChunk);

    private sealed class GoldenChunk(ulong pointer, ulong owner, ulong requested)
    {
        public ulong Pointer = pointer;
        public readonly ulong Owner = owner;
        public ulong Requested = requested;
    }

    /// <param name="checking">The checking build (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY), as the driver's -chk.</param>
    /// <param name="heapMax">The simulated heap's limit (the driver's HEAP_MAX argument; 1 GiB by default).</param>
    /// <param name="asserts">USE_ASSERT_CHECKING, as the driver's -cas: the port's extra assertions
    /// on. Off for prod and chk, whose C builds have none (Pg.Assert itself is always on).</param>
    public GoldenReplayer(bool checking, ulong heapMax = SimMemory.DefaultHeapMax, bool asserts = false)
    {
        _memory = new SimMemory(heapMax, 1 << 16);
        _options = (checking ? MemoryContextOptions.Checking : MemoryContextOptions.Production) with { AssertChecking = asserts };
        _heap = new SimHeap(_memory);
    }

    /// <summary>Runs the ops on a fresh process and returns the driver-format text, ending "end\n".</summary>
    public string Run(IReadOnlyList<AllocatorOp> ops)
    {
        _out.Clear();
        _ctxs.Clear();
        _chunks.Clear();
        _created = 0;
        _log.Clear();
        _heap.Reset(new SimHeapOptions());
        _m = new Mcxt(_memory, _heap, _options, _log);
        _m.MemoryContextInit();
        foreach (AllocatorOp op in ops)
        {
            _out.Append(op.ToString()).Append('\n');
            int warnings = _log.Messages.Count;
            string result = Guard(() => Step(op));
            foreach (ElogMessage w in _log.Messages.Skip(warnings))
                if (w.Level == ElogLevel.Warning) _out.Append("  WARNING ").Append(Normalize(w.Text)).Append('\n');
            _out.Append("  = ").Append(result).Append('\n');
            // a CRASH is the process's end, as on the C side (whose text then stops)
            if (result.StartsWith("CRASH ", StringComparison.Ordinal)) break;
            string observed = op is Stats s ? Guard(() => { AppendStats(s); return ""; }) : "";
            if (observed.Length == 0) observed = Guard(() => { Observe(); return ""; });
            if (observed.StartsWith("CRASH ", StringComparison.Ordinal))
            {
                // died while observing (e.g. GetMemoryChunkSpace of a chunk whose header a wrapped
                // size left wrong): the C side dies there too, and its op's text is never written
                _out.Append("\n  = ").Append(observed).Append('\n');
                break;
            }
        }
        _out.Append("end\n");
        return _out.ToString();
    }

    /// <summary>An ERROR is an observation; anything else the port throws is a crash line, which
    /// the C side never prints.</summary>
    private string Guard(Func<string> f)
    {
        try
        {
            return f();
        }
        catch (PgErrorException e)
        {
            return e.Detail is null ? $"ERROR {Normalize(e.Message)}" : $"ERROR {Normalize(e.Message)} DETAIL {Normalize(e.Detail)}";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"CRASH {e.GetType().Name}: {e.Message.Replace('\n', ' ')}";
        }
    }

    /// <summary>driver.c's emit_normalized: hexadecimal numbers that are heap addresses become
    /// "heap+0x&lt;offset&gt;" (the same heap range as the C side: the heap's maximum plus its alignment).</summary>
    private static string Normalize(string text) => HexNumber().Replace(text, m =>
    {
        ulong v = ulong.Parse(m.Value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return v >= SimMemory.HeapBase && v - SimMemory.HeapBase < SimMemory.DefaultHeapMax + 0x10000000UL
            ? $"heap+0x{(v - SimMemory.HeapBase).ToString("x", CultureInfo.InvariantCulture)}"
            : m.Value;
    });

    [System.Text.RegularExpressions.GeneratedRegex("0x[0-9a-fA-F]{1,16}")]
    private static partial System.Text.RegularExpressions.Regex HexNumber();

    private static string D(ulong v) => v.ToString(CultureInfo.InvariantCulture);

    private string Ptr(ulong p) => p == 0 ? "null" : "p" + D(p - SimMemory.HeapBase);

    // ------------------------------------------------------------------ references (driver.c's)

    private GoldenContext? UserCtx(int r) => _ctxs.Count == 0 ? null : _ctxs[(int)((uint)r % (uint)_ctxs.Count)];

    private ulong ParentOrView(int r, bool nullAllowed)
    {
        if (r < 0) return nullAllowed ? 0 : _m.TopMemoryContext;
        int i = (int)((uint)r % (uint)(_ctxs.Count + 1));
        return i == 0 ? _m.TopMemoryContext : _ctxs[i - 1].Address;
    }

    private GoldenContext? CtxOf(ulong address) => _ctxs.Find(c => c.Address == address);

    private bool AncestorOrSelf(ulong a, ulong c)
    {
        for (; c != 0; c = _m.GetParent(c))
            if (c == a) return true;
        return false;
    }

    /// <summary>driver.c's forget: drops chunks owned by root (self) and/or its descendants, and
    /// with dropContexts those contexts too; reads the tree, so it runs before the op.</summary>
    private void Forget(ulong root, bool self, bool descendants, bool dropContexts)
    {
        bool Hit(ulong o) => (self && o == root) || (descendants && o != root && AncestorOrSelf(root, o));
        _chunks.RemoveAll(ch => Hit(ch.Owner));
        if (dropContexts) _ctxs.RemoveAll(c => Hit(c.Address));
    }

    // ------------------------------------------------------------------ operations

    private string Step(AllocatorOp op) => op switch
    {
        CreateContext o => DoCreate(o),
        Alloc o => DoAlloc(o),
        Realloc o => DoRealloc(o),
        Free o => DoFree(o),
        SetParent o => DoSetParent(o),
        SwitchTo o => DoSwitchTo(o),
        Stats => "ok",
        _ => TreeTarget(op) is int r ? DoTree(op.Code, r) : "skip",
    };

    /// <summary>The ctx ref of the five tree operations (reset, reset-only, reset-children,
    /// delete, delete-children); null for any other op.</summary>
    private static int? TreeTarget(AllocatorOp op) => op switch
    {
        Reset o => o.Ctx,
        ResetOnly o => o.Ctx,
        ResetChildren o => o.Ctx,
        Delete o => o.Ctx,
        DeleteChildren o => o.Ctx,
        _ => null,
    };

    private string DoCreate(CreateContext o)
    {
        if (_ctxs.Count >= MaxContexts) return "skip";
        ulong parent = ParentOrView(o.Parent, nullAllowed: true);
        var (min, init, max, chunk) = ContextParams.Normalize(o);
        string name = "c" + _created.ToString(CultureInfo.InvariantCulture);
        _created++;
        ulong c = o.Kind switch
        {
            ContextKind.AllocSet => _m.AllocSetContextCreate(parent, name, min, init, max),
            ContextKind.Generation => _m.GenerationContextCreate(parent, name, min, init, max),
            ContextKind.Slab => _m.SlabContextCreate(parent, name, init, chunk),
            _ => _m.BumpContextCreate(parent, name, min, init, max),
        };
        _ctxs.Add(new GoldenContext(c, o.Kind, chunk));
        return "ok";
    }

    private string DoAlloc(Alloc o)
    {
        if (_chunks.Count >= MaxChunks) return "skip";
        GoldenContext? uc = o.Entry == AllocEntry.Palloc ? CtxOf(_m.CurrentMemoryContext) : UserCtx(o.Ctx);
        ulong c = o.Entry == AllocEntry.Palloc ? _m.CurrentMemoryContext : uc?.Address ?? 0;
        if (c == 0) return "skip";
        ulong size = o.SlabFit && uc is { Kind: ContextKind.Slab } ? uc.SlabChunk : o.Size;
        int flags = (int)o.Flags;
        ulong alignto = o.Entry == AllocEntry.AllocAligned ? ContextParams.NormalizeAlign(o.AlignTo) : 0;
        ulong p = o.Entry switch
        {
            AllocEntry.Palloc => flags == 0 ? _m.palloc(size) : flags == MCXT_ALLOC_ZERO ? _m.palloc0(size) : _m.palloc_extended(size, flags),
            AllocEntry.MemoryContextAlloc => (flags & MCXT_ALLOC_HUGE) != 0 ? _m.MemoryContextAllocHuge(c, size)
                : (flags & MCXT_ALLOC_ZERO) != 0 ? _m.MemoryContextAllocZero(c, size) : _m.MemoryContextAlloc(c, size),
            AllocEntry.AllocExtended => _m.MemoryContextAllocExtended(c, size, flags),
            _ => _m.MemoryContextAllocAligned(c, size, alignto, flags),
        };
        if (p != 0) _chunks.Add(new GoldenChunk(p, c, size));
        return Ptr(p);
    }

    private string DoRealloc(Realloc o)
    {
        if (_chunks.Count == 0) return "skip";
        GoldenChunk ch = _chunks[(int)((uint)o.Chunk % (uint)_chunks.Count)];
        GoldenContext? uc = CtxOf(ch.Owner);
        ulong size = o.SlabFit && uc is { Kind: ContextKind.Slab } ? uc.SlabChunk : o.Size;
        int flags = (int)(o.Flags & ~AllocFlags.Zero);
        ulong p = o.Entry switch
        {
            ReallocEntry.Repalloc => _m.repalloc(ch.Pointer, size),
            ReallocEntry.RepallocExtended => _m.repalloc_extended(ch.Pointer, size, flags),
            _ => _m.repalloc0(ch.Pointer, ch.Requested, size),
        };
        if (p != 0)
        {
            ch.Pointer = p;
            ch.Requested = size;
        }
        return Ptr(p);
    }

    private string DoFree(Free o)
    {
        if (_chunks.Count == 0) return "skip";
        int i = (int)((uint)o.Chunk % (uint)_chunks.Count);
        _m.pfree(_chunks[i].Pointer);
        _chunks.RemoveAt(i);
        return "ok";
    }

    private string DoTree(OpCode code, int r)
    {
        GoldenContext? uc = UserCtx(r);
        if (uc is null) return "skip";
        ulong c = uc.Address, cur = _m.CurrentMemoryContext;
        bool deletesCurrent = code switch
        {
            OpCode.Delete => AncestorOrSelf(c, cur),
            OpCode.Reset or OpCode.DeleteChildren => cur != c && AncestorOrSelf(c, cur),
            _ => false,
        };
        if (deletesCurrent) _m.MemoryContextSwitchTo(_m.TopMemoryContext);
        switch (code)
        {
            case OpCode.Reset:
                Forget(c, self: true, descendants: true, dropContexts: false);
                Forget(c, self: false, descendants: true, dropContexts: true);
                _m.MemoryContextReset(c);
                break;
            case OpCode.ResetOnly:
                Forget(c, self: true, descendants: false, dropContexts: false);
                _m.MemoryContextResetOnly(c);
                break;
            case OpCode.ResetChildren:
                Forget(c, self: false, descendants: true, dropContexts: false);
                _m.MemoryContextResetChildren(c);
                break;
            case OpCode.Delete:
                Forget(c, self: true, descendants: true, dropContexts: true);
                _m.MemoryContextDelete(c);
                break;
            default:
                Forget(c, self: false, descendants: true, dropContexts: true);
                _m.MemoryContextDeleteChildren(c);
                break;
        }
        return "ok";
    }

    private string DoSetParent(SetParent o)
    {
        GoldenContext? uc = UserCtx(o.Ctx);
        if (uc is null) return "skip";
        ulong p = ParentOrView(o.NewParent, nullAllowed: true);
        if (p != 0 && AncestorOrSelf(uc.Address, p)) return "skip";
        _m.MemoryContextSetParent(uc.Address, p);
        return "ok";
    }

    private string DoSwitchTo(SwitchTo o)
    {
        _m.MemoryContextSwitchTo(ParentOrView(o.Ctx, nullAllowed: false));
        return "ok";
    }

    // ------------------------------------------------------------------ observations

    private void AppendStats(Stats o)
    {
        ulong c = ParentOrView(o.Ctx, nullAllowed: false);
        var ignored = new MemoryContextCounters();
        _out.Append("  stats");
        MemoryStatsPrintFunc print = (ctx, text) => _out.Append(' ').Append(_m.GetName(ctx)).Append(": ").Append(text).Append(';');
        _m.MethodsOf(c).Stats(c, print, ref ignored);
        for (ulong d = _m.GetFirstChild(c); d != 0; d = _m.GetNextChild(d))
            _m.MethodsOf(d).Stats(d, print, ref ignored);
        MemoryContextCounters t = _m.MemoryContextMemConsumed(c);
        _out.Append($" consumed {D(t.nblocks)}/{D(t.totalspace)}/{D(t.freespace)}/{D(t.freechunks)}\n");
    }

    private void AppendContext(string label, ulong c)
    {
        var t = new MemoryContextCounters();
        _m.MethodsOf(c).Stats(c, null, ref t);
        _out.Append(' ').Append(label).Append('=')
            .Append($"{D(t.nblocks)}/{D(t.totalspace)}/{D(t.freespace)}/{D(t.freechunks)}/{D(_m.GetMemAllocated(c))}")
            .Append(_m.GetIsReset(c) ? "/R" : "");
    }

    private void Observe()
    {
        AppendContext("top", _m.TopMemoryContext);
        foreach (GoldenContext c in _ctxs) AppendContext(_m.GetName(c.Address), c.Address);
        _out.Append("\n  chunks");
        foreach (GoldenChunk ch in _chunks)
        {
            // bump.c has no GetMemoryChunkSpace: its ERROR is the observation ("+E")
            string space;
            try
            {
                space = D(_m.GetMemoryChunkSpace(ch.Pointer));
            }
            catch (PgErrorException)
            {
                space = "E";
            }
            _out.Append(' ').Append(D(ch.Pointer - SimMemory.HeapBase)).Append('+').Append(space);
        }
        _out.Append($"\n  heap {_heap.OutstandingBlocks.ToString(CultureInfo.InvariantCulture)} {D(_heap.OutstandingBytes)}\n");
    }
}
