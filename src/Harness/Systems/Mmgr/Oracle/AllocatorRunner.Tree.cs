// AllocatorRunner.Tree: tree operations, callbacks, stats and check ops.
//
// Caller discipline the runner keeps (as well-behaved PostgreSQL code does): before an operation
// deletes the context that is CurrentMemoryContext (or an ancestor of it), it switches to
// TopMemoryContext on both sides; SetParent that would make a cycle is skipped.
using System.Globalization;
using Allocator.Mmgr;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    private bool DoTree(OpCode code, int r)
    {
        ModelContext? c = UserCtx(r);
        if (c is null) return false;
        ModelContext cur = _model.Current;
        bool deletesCurrent = code switch
        {
            OpCode.Delete => AllocatorModel.IsAncestorOrSelf(c, cur),
            OpCode.Reset or OpCode.DeleteChildren => cur != c && AllocatorModel.IsAncestorOrSelf(c, cur),
            _ => false,
        };
        if (deletesCurrent)
        {
            _mcxt.MemoryContextSwitchTo(_mcxt.TopMemoryContext);
            _model.Current = _model.Top;
        }
        Exception? ex = null;
        long blocks = _heap.OutstandingBlocks;
        try
        {
            switch (code)
            {
                case OpCode.Reset: _mcxt.MemoryContextReset(c.Address); break;
                case OpCode.ResetOnly: _mcxt.MemoryContextResetOnly(c.Address); break;
                case OpCode.ResetChildren: _mcxt.MemoryContextResetChildren(c.Address); break;
                case OpCode.Delete: _mcxt.MemoryContextDelete(c.Address); break;
                default: _mcxt.MemoryContextDeleteChildren(c.Address); break;
            }
        }
        catch (Exception e) { ex = e; }
        Match(Expectation.Ok(), ex, 1, false, Mark(), KindOf(c));
        if (code is OpCode.Reset or OpCode.ResetOnly && _heap.OutstandingBlocks < blocks) Reach.Hit(MmgrReach.ResetKeptKeeper);
        // the accounting model walks the tree as it was, so it goes before the contents model
        switch (code)
        {
            case OpCode.Reset: _acct?.Reset(c); _model.Reset(c); break;
            case OpCode.ResetOnly: _acct?.ResetOnly(c); _model.ResetOnly(c); break;
            case OpCode.ResetChildren: _acct?.ResetChildren(c); _model.ResetChildren(c); break;
            case OpCode.Delete: _acct?.Delete(c); _model.Delete(c); break;
            default: _acct?.DeleteChildren(c); _model.DeleteChildren(c); break;
        }
        CompareFired();
        return true;
    }

    private bool DoSetParent(SetParent o)
    {
        ModelContext? c = UserCtx(o.Ctx);
        if (c is null) return false;
        ModelContext? p = ParentOrView(o.NewParent, nullAllowed: true);
        if (p is not null && AllocatorModel.IsAncestorOrSelf(c, p)) return false;
        Exception? ex = null;
        try
        {
            _mcxt.MemoryContextSetParent(c.Address, p?.Address ?? 0);
        }
        catch (Exception e) { ex = e; }
        Match(Expectation.Ok(), ex, 1, false, Mark(), KindOf(c));
        AllocatorModel.SetParent(c, p);
        return true;
    }

    private bool DoSwitchTo(SwitchTo o)
    {
        ModelContext c = ParentOrView(o.Ctx, nullAllowed: false)!;
        ulong old = _mcxt.MemoryContextSwitchTo(c.Address);
        if (old != _model.Current.Address)
            throw Fail(OutcomeKind.ModelMismatch, "current", $"MemoryContextSwitchTo returned {Hex(old)}; expected the previous current {_model.Current.Name} at {Hex(_model.Current.Address)}");
        _model.Current = c;
        return true;
    }

    private bool DoRegisterCallback(RegisterCallback o)
    {
        ModelContext? c = UserCtx(o.Ctx);
        if (c is null) return false;
        int id = _model.RegisterCallbackPeekId();
        if (id > CallbacksMax) return false;
        ulong record = _scratch + (ulong)(id - 1) * 24;
        Exception? ex = null;
        try
        {
            _mcxt.InitCallbackRecord(record, _callbackFunc, (ulong)id);
            _mcxt.MemoryContextRegisterResetCallback(c.Address, record);
        }
        catch (Exception e) { ex = e; }
        Match(Expectation.Ok(), ex, 1, false, Mark(), KindOf(c));
        _model.RegisterCallback(c);
        return true;
    }

    private bool DoStats(Stats o)
    {
        ModelContext c = ParentOrView(o.Ctx, nullAllowed: false)!;
        string text = _mcxt.MemoryContextStats(c.Address);
        MemoryContextCounters consumed = _mcxt.MemoryContextMemConsumed(c.Address);
        // The printout is read line by line in place (StatsLines), and the expected texts are built
        // only for a failure message: Stats ops are frequent in fuzz inputs, and splitting the
        // printout and formatting every expected prefix made most of their garbage.
        ReadOnlySpan<char> body = text.AsSpan().TrimEnd('\n');
        int lineCount = body.Count('\n') + 1;
        _scratchContexts.Clear();
        AllocatorModel.PreOrder(c, _scratchContexts);
        bool summarized = false;
        foreach (ModelContext x in _scratchContexts) summarized |= x.Children.Count > 100;
        if (!summarized)
        {
            if (lineCount != _scratchContexts.Count + 1)
                throw Fail(OutcomeKind.ModelMismatch, "stats/lines", $"MemoryContextStats printed {lineCount - 1} context lines; the subtree has {_scratchContexts.Count} contexts");
            int baseDepth = AllocatorModel.Depth(c);
            ReadOnlySpan<char> rest = body;
            for (int i = 0; i < _scratchContexts.Count; i++)
            {
                ModelContext x = _scratchContexts[i];
                ReadOnlySpan<char> line = NextLine(ref rest);
                int indent = 2 * (AllocatorModel.Depth(x) - baseDepth);
                if (!StartsWithContextPrefix(line, indent, x.Name))
                {
                    string prefix = new string(' ', indent) + x.Name + ": ";
                    throw Fail(OutcomeKind.ModelMismatch, "stats/tree", $"stats line {i + 1} is '{line}'; expected it to start with '{prefix}' (pre-order, newest child first)");
                }
            }
        }
        ReadOnlySpan<char> last = body[(body.LastIndexOf('\n') + 1)..];
        Span<char> grand = stackalloc char[256];
        if (!grand.TryWrite(CultureInfo.InvariantCulture, $"Grand total: {consumed.totalspace} bytes in {consumed.nblocks} blocks; {consumed.freespace} free ({consumed.freechunks} chunks); {consumed.totalspace - consumed.freespace} used", out int written)
            || !last.SequenceEqual(grand[..written]))
        {
            string expected = string.Create(CultureInfo.InvariantCulture, $"Grand total: {consumed.totalspace} bytes in {consumed.nblocks} blocks; {consumed.freespace} free ({consumed.freechunks} chunks); {consumed.totalspace - consumed.freespace} used");
            throw Fail(OutcomeKind.ModelMismatch, "stats/grand-total", $"'{last}' differs from MemoryContextMemConsumed: '{expected}'");
        }
        CheckPredictedGrandTotal(c, _scratchContexts, consumed);
        return true;
    }

    /// <summary>The text up to the next '\n' (or the end), and rest moved past it.</summary>
    private static ReadOnlySpan<char> NextLine(ref ReadOnlySpan<char> rest)
    {
        int nl = rest.IndexOf('\n');
        ReadOnlySpan<char> line = nl < 0 ? rest : rest[..nl];
        rest = nl < 0 ? ReadOnlySpan<char>.Empty : rest[(nl + 1)..];
        return line;
    }

    /// <summary>Whether a stats line starts with <paramref name="indent"/> spaces, the context's name and ": ".</summary>
    private static bool StartsWithContextPrefix(ReadOnlySpan<char> line, int indent, string name)
    {
        if (line.Length < indent + name.Length + 2) return false;
        for (int k = 0; k < indent; k++)
            if (line[k] != ' ') return false;
        return line.Slice(indent, name.Length).SequenceEqual(name) && line[indent + name.Length] == ':' && line[indent + name.Length + 1] == ' ';
    }

    private bool DoCheck(Check o)
    {
        if (!Checking) return false;
        ModelContext c = ParentOrView(o.Ctx, nullAllowed: false)!;
        RunCheckWalker(c);
        return true;
    }

    /// <summary>MemoryContextCheck of a subtree: every damaged sentinel of a non-Bump chunk in it
    /// must be reported (BumpCheck does not verify sentinels), and nothing else (CheckWarningsOfOp).</summary>
    private void RunCheckWalker(ModelContext c)
    {
        int before = _log.Messages.Count;
        _mcxt.MemoryContextCheck(c.Address);
        foreach (ModelChunk ch in _model.Chunks)
        {
            if (!ch.SentinelDamaged || ch.Owner.Kind == ModelContextKind.Bump || !AllocatorModel.IsAncestorOrSelf(c, ch.Owner)) continue;
            if (!AnyWarningNames(ch, before))
                throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ch.Owner)}/walker-missed-overrun", $"MemoryContextCheck did not report the write past the end of {ch} at {Hex(ch.Address)}");
        }
    }

    private void CompareFired()
    {
        List<int> expected = _model.FiredCallbacks;
        if (expected.Count == _fired.Count)
        {
            bool same = true;
            for (int i = 0; i < expected.Count; i++) same &= expected[i] == _fired[i];
            if (same) return;
        }
        throw Fail(OutcomeKind.ModelMismatch, "callbacks", $"callbacks ran in order [{string.Join(",", _fired)}]; expected [{string.Join(",", expected)}]");
    }

    internal static string Dec(ulong v) => v.ToString(CultureInfo.InvariantCulture);
}
