// AllocatorRunner.Verify: the whole-state comparison at verification points, the WARNING
// discipline of every op, and the end-of-run cleanup with its leak check.
//
// Accounting relations checked per context (from pg-mmgr-dsa.md 1.7, 2.10, 3.6, 4.5, 5.2; they
// follow from the semantics without modelling blocks):
//   all:        MemoryContextMemAllocated(c, false) == mem_allocated; IsEmpty and isReset as modelled
//   AllocSet:   total == mem_allocated;        used == 200 + 40 * nblocks + sum of live chunk spaces
//   Generation: total == 128 + mem_allocated;  used >= 128 + 56 * nblocks + sum of live chunk spaces
//   Slab:       total == header + mem_allocated; live chunks == nblocks * chunksPerBlock - freechunks
//   Bump:       total == mem_allocated - 112;  used == blockhdr * nblocks + sum of live chunk spaces
// and then, with the accounting model, the exact figures it predicts (AllocatorRunner.Accounting).
using Allocator.Mmgr;
using Allocator.Sim;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    private void VerifyAll(bool walk)
    {
        if (_aborted) return;
        // A new write epoch first: what the comparisons below (and the port code they call) write
        // is then seen by the next verification point.
        _memory.BeginWriteEpoch();
        long epoch = _memory.WriteEpoch;
        foreach (ModelChunk ch in _model.Chunks)
        {
            CompareContentsSince(ch, epoch);
            CheckChunkIdentity(ch);
        }
        CompareContext(_model.Top);
        CompareContext(_model.ErrorContext);
        foreach (ModelContext c in _model.UserContexts) CompareContext(c);
        if (_mcxt.CurrentMemoryContext != _model.Current.Address)
            throw Fail(OutcomeKind.ModelMismatch, "current", $"CurrentMemoryContext is {Hex(_mcxt.CurrentMemoryContext)}; expected {_model.Current.Name} at {Hex(_model.Current.Address)}");
        CompareFired();
        if (!walk) return;
        if (Checking)
        {
            RunCheckWalker(_model.Top);
            foreach (ModelContext c in _model.UserContexts)
                if (c.Parent is null) RunCheckWalker(c);
            CheckWarningsOfOp();
        }
        if (_options.InvariantWalk)
        {
            VerifyInvariants(_model.Top);
            foreach (ModelContext c in _model.UserContexts)
                if (c.Parent is null) VerifyInvariants(c);
        }
    }

    private void VerifyInvariants(ModelContext root)
    {
        IReadOnlyList<string> problems = _mcxt.MemoryContextVerify(root.Address);
        foreach (string line in problems)
        {
            if (NamesDamagedChunk(line)) continue;
            string id = line.Split(':', 2)[0];
            throw Fail(OutcomeKind.InvariantFailed, $"verify/{id}", $"MemoryContextVerify: {line}");
        }
    }

    /// <summary>Slices a large unchanged chunk is rechecked in: only slices with a written page are.</summary>
    private const int RecheckSlice = 4096;

    /// <summary>MC6 at a verification point: the chunk's known bytes match the model. Sound shortcut:
    /// a chunk whose bytes all matched at the previous point (epoch - 1), whose model contents and
    /// address have not changed since, needs rechecking only where SimMemory saw a write during the
    /// epoch that just ended (any other byte still holds what matched); everything else is compared
    /// in full.</summary>
    private void CompareContentsSince(ModelChunk ch, long epoch)
    {
        int n = ch.KnownLength;
        if (n == 0) return;
        bool unchanged = ch.CheckedEpoch == epoch - 1 && ch.CheckedEpoch > 0
            && ch.CheckedVersion == ch.KnownVersion && ch.CheckedAddress == ch.Address;
        if (!unchanged) CompareContents(ch);
        else if (_memory.WrittenInLastEpoch(ch.Address, (ulong)n))
        {
            if (n <= RecheckSlice) CompareContents(ch);
            else
            {
                for (int lo = 0; lo < n; lo += RecheckSlice)
                {
                    int hi = Math.Min(n, lo + RecheckSlice);
                    if (_memory.WrittenInLastEpoch(ch.Address + (ulong)lo, (ulong)(hi - lo))) CompareContents(ch, lo, hi);
                }
            }
        }
        ch.CheckedEpoch = epoch;
        ch.CheckedVersion = ch.KnownVersion;
        ch.CheckedAddress = ch.Address;
    }

    private void CompareContents(ModelChunk ch) => CompareContents(ch, 0, ch.KnownLength);

    /// <summary>Compares the chunk's known bytes at offsets [lo, hi) with the model's.</summary>
    private void CompareContents(ModelChunk ch, int lo, int hi)
    {
        int n = ch.KnownLength;
        if (n == 0) return;
        ReadOnlySpan<byte> actual = _memory.ReadSpan(ch.Address, (ulong)n);
        foreach (ContentRun run in ch.KnownRuns)
        {
            if (run.End <= lo || run.Start >= hi) continue;
            int bad = FirstMismatch(actual, run, Math.Max(lo, run.Start), Math.Min(hi, run.End));
            if (bad >= 0)
                throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ch.Owner)}/contents", $"{ch} at {Hex(ch.Address)}: byte {bad} is 0x{actual[bad]:x2}, expected 0x{run.ByteAt(bad):x2}");
        }
    }

    /// <summary>The first offset in [start, end) (inside the run) whose byte differs from the
    /// model's, or -1. Vectorized: zero runs scan for a non-zero byte, pattern runs compare against
    /// the seed's pattern period.</summary>
    private static int FirstMismatch(ReadOnlySpan<byte> chunk, ContentRun run, int start, int end)
    {
        ReadOnlySpan<byte> bytes = chunk[start..end];
        if (run.IsZero)
        {
            int i = bytes.IndexOfAnyExcept((byte)0);
            return i < 0 ? -1 : start + i;
        }
        byte[] table = AllocatorModel.PatternTable((byte)run.Seed);
        int pos = start;
        while (pos < end)
        {
            int phase = pos & (AllocatorModel.PatternPeriod - 1);
            int len = Math.Min(end - pos, AllocatorModel.PatternPeriod - phase);
            ReadOnlySpan<byte> got = chunk.Slice(pos, len), want = table.AsSpan(phase, len);
            int i = got.CommonPrefixLength(want);
            if (i < len) return pos + i;
            pos += len;
        }
        return -1;
    }

    /// <summary>GetMemoryChunkContext and GetMemoryChunkSpace as the semantics say (not for Bump,
    /// whose chunks support neither).</summary>
    private void CheckChunkIdentity(ModelChunk ch)
    {
        if (ch.Owner.Kind == ModelContextKind.Bump) return;
        ulong owner = _mcxt.GetMemoryChunkContext(ch.Address);
        if (owner != ch.Owner.Address)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ch.Owner)}/chunk-context", $"GetMemoryChunkContext({Hex(ch.Address)}) = {Hex(owner)}; expected {ch.Owner.Name} at {Hex(ch.Owner.Address)}");
        ulong space = _mcxt.GetMemoryChunkSpace(ch.Address);
        ulong expected = _model.ChunkSpace(ch);
        if (space != expected)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ch.Owner)}/chunk-space", $"GetMemoryChunkSpace of {ch} = {space}; expected {expected}");
    }

    private void CompareContext(ModelContext c)
    {
        ulong a = c.Address;
        ulong parent = _mcxt.GetParent(a);
        if (parent != (c.Parent?.Address ?? 0))
            throw Fail(OutcomeKind.ModelMismatch, "tree/parent", $"{c.Name}: parent {Hex(parent)}; expected {c.Parent?.Name ?? "none"}");
        ulong child = _mcxt.GetFirstChild(a);
        int i = 0;
        for (; child != 0 && i <= c.Children.Count; child = _mcxt.GetNextChild(child), i++)
        {
            if (i == c.Children.Count || c.Children[i].Address != child)
                throw Fail(OutcomeKind.ModelMismatch, "tree/children", $"{c.Name}: child {i} is {Hex(child)}; expected {(i < c.Children.Count ? c.Children[i].Name : "end of list")} (newest child first)");
        }
        if (i != c.Children.Count)
            throw Fail(OutcomeKind.ModelMismatch, "tree/children", $"{c.Name}: {i} children; expected {c.Children.Count}");
        bool isReset = _mcxt.GetIsReset(a);
        if (isReset != c.IsReset)
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(c)}/isReset", $"{c.Name}: isReset {isReset}; expected {c.IsReset}");
        bool empty = _mcxt.MemoryContextIsEmpty(a);
        if (empty != AllocatorModel.IsEmpty(c))
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(c)}/IsEmpty", $"{c.Name}: MemoryContextIsEmpty {empty}; expected {!empty}");
        CheckAccounting(c);
    }

    private void CheckAccounting(ModelContext c)
    {
        ulong a = c.Address;
        ulong mem = _mcxt.GetMemAllocated(a);
        if (_mcxt.MemoryContextMemAllocated(a, false) != mem)
            throw Fail(OutcomeKind.ModelMismatch, "accounting/mem-allocated", $"{c.Name}: MemoryContextMemAllocated differs from mem_allocated {mem}");
        var k = new MemoryContextCounters();
        _mcxt.MethodsOf(a).Stats(a, null, ref k);
        ulong used = k.totalspace - k.freespace;
        // The relation is tested first and described only when it fails: formatting the text for
        // every context after every op cost more than the test.
        bool ok = c.Kind switch
        {
            ModelContextKind.AllocSet => k.totalspace == mem && used == ChunkGeometry.AllocSetHeader + ChunkGeometry.AllocBlockHeader * k.nblocks + c.LiveSpace,
            ModelContextKind.Generation => k.totalspace == ChunkGeometry.GenerationHeader + mem && used >= ChunkGeometry.GenerationHeader + ChunkGeometry.GenerationBlockHeader * k.nblocks + c.LiveSpace,
            ModelContextKind.Slab => k.totalspace == SlabHeader(c) + mem && (ulong)c.LiveChunks == k.nblocks * c.SlabChunksPerBlock - k.freechunks,
            _ => k.totalspace + ChunkGeometry.BumpHeader == mem && used == BumpBlockHeader * k.nblocks + c.LiveSpace,
        };
        if (ok)
        {
            CheckPredictedFigures(c, k, mem);
            return;
        }
        string rule = c.Kind switch
        {
            ModelContextKind.AllocSet => $"total {k.totalspace} == mem_allocated {mem}, used {used} == 200 + 40*{k.nblocks} + live {c.LiveSpace}",
            ModelContextKind.Generation => $"total {k.totalspace} == 128 + mem_allocated {mem}, used {used} >= 128 + 56*{k.nblocks} + live {c.LiveSpace}",
            ModelContextKind.Slab => $"total {k.totalspace} == {SlabHeader(c)} + mem_allocated {mem}, live {c.LiveChunks} == {k.nblocks}*{c.SlabChunksPerBlock} - {k.freechunks}",
            _ => $"total {k.totalspace} == mem_allocated {mem} - 112, used {used} == {BumpBlockHeader}*{k.nblocks} + live {c.LiveSpace}",
        };
        throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(c)}/accounting", $"{c.Name}: {rule}");
    }

    private ulong SlabHeader(ModelContext c) => Checking ? ChunkGeometry.SlabHeaderChecking + c.SlabChunksPerBlock : ChunkGeometry.SlabHeader;

    private ulong BumpBlockHeader => Checking ? 40UL : 32UL;

    // ------------------------------------------------------------------ WARNING discipline

    /// <summary>Every WARNING the last op (or walk) emitted must be a "write past chunk end" report
    /// naming a chunk whose sentinel a hostile op damaged.</summary>
    private void CheckWarningsOfOp()
    {
        int count = _log.WarningCount;
        if (count == _warningsBefore) return;
        IReadOnlyList<Allocator.Common.ElogMessage> msgs = _log.Messages;
        for (int i = 0; i < msgs.Count; i++)
        {
            if (msgs[i].Level != Allocator.Common.ElogLevel.Warning) continue;
            string text = msgs[i].Text;
            if (text.Contains("write past chunk end", StringComparison.Ordinal) && NamesDamagedChunk(text)) continue;
            throw Fail(OutcomeKind.InvariantFailed, "warning", $"unexpected WARNING: {text}");
        }
        _log.Clear();
        _warningsBefore = 0;
    }

    private bool NamesDamagedChunk(string text)
    {
        foreach (ModelChunk ch in _model.Chunks)
            if (ch.SentinelDamaged && Names(text, ch)) return true;
        foreach (ulong address in _model.DroppedDamaged)
            if (Names(text, address)) return true;
        return false;
    }

    private bool Names(string text, ModelChunk ch) => Names(text, ch.Address);

    private bool Names(string text, ulong address) =>
        text.Contains(Hex(address - _model.Hdr), StringComparison.Ordinal) || text.Contains(Hex(address), StringComparison.Ordinal);

    private bool AnyWarningNames(ModelChunk ch, int fromMessage)
    {
        IReadOnlyList<Allocator.Common.ElogMessage> msgs = _log.Messages;
        for (int i = Math.Min(fromMessage, msgs.Count); i < msgs.Count; i++)
            if (msgs[i].Level == Allocator.Common.ElogLevel.Warning && Names(msgs[i].Text, ch)) return true;
        return false;
    }

    private void RequireWarningFor(ModelChunk ch, string what)
    {
        if (!AnyWarningNames(ch, 0))
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(ch.Owner)}/missed-overrun", $"{what}: no WARNING 'detected write past chunk end' for {ch} at {Hex(ch.Address)}");
    }

    // ------------------------------------------------------------------ cleanup and leaks

    private void CleanupAndCheckLeaks()
    {
        _op = null;
        _log.Clear();
        _warningsBefore = 0;
        _model.DroppedDamaged.Clear();
        _mcxt.MemoryContextSwitchTo(_mcxt.TopMemoryContext);
        _model.Current = _model.Top;
        while (_model.UserContexts.Count > 0)
        {
            ModelContext c = _model.UserContexts[0];
            while (c.Parent is not null && !c.Parent.IsTop) c = c.Parent;
            _mcxt.MemoryContextDelete(c.Address);
            _acct?.Delete(c);
            _model.Delete(c);
        }
        _mcxt.MemoryContextResetOnly(_mcxt.TopMemoryContext);
        _acct?.ResetOnly(_model.Top);
        _model.ResetOnly(_model.Top);
        CompareFired();
        CheckWarningsOfOp();
        CompareContext(_model.Top);
        CompareContext(_model.ErrorContext);
        if (_options.InvariantWalk) VerifyInvariants(_model.Top);
        _heap.Free(_scratch);
        HeapSnapshot now = _heap.Snapshot();
        int recycled = _model.RecycledCount(0) + _model.RecycledCount(1);
        long blocks = _baseline.Blocks + recycled;
        ulong bytes = _baseline.Bytes + _model.RecycledBytes();
        if (now.Blocks != blocks || now.Bytes != bytes)
            throw Fail(OutcomeKind.Leak, "heap", $"after deleting everything the heap holds {now.Blocks} blocks / {now.Bytes} bytes; PostgreSQL keeps Top + ErrorContext ({_baseline.Blocks} / {_baseline.Bytes}) + {recycled} recycled AllocSet contexts ({_model.RecycledBytes()} bytes) = {blocks} / {bytes}");
    }
}
