// AllocatorRunner.Hostile: misbehaving callers, judged against PostgreSQL's documented reaction in
// MEMORY_CONTEXT_CHECKING builds (the runner skips them without checking, where the reaction is
// undefined: a double free silently corrupts a free list, an overrun goes unnoticed):
//   WritePastEnd   offset 0 hits the sentinel: pfree/repalloc WARN "detected write past chunk end
//                  in <name> <chunk>", the check walkers WARN "...in block <b>, chunk <chunk>"
//                  (BumpCheck verifies no sentinels); writes past the sentinel but inside the chunk
//                  are harmless. Writes beyond the chunk (the next header) have no defined reaction
//                  and are not made.
//   DoubleFree     an AllocSet small chunk still on its free list: ERROR "detected double pfree in
//                  <name> <chunk>" and nothing changes. (Dedicated chunks are not detected, quirk
//                  Q8, and their memory is gone: not attempted.)
//   FreeNonChunk   NULL: a fault (C reads address -8). A malloc'd block or garbage whose header
//                  word carries a reserved/unused method id: ERROR "pfree called with invalid
//                  pointer <p> (header 0x<16 hex>)"; Bump's id: "pfree is not supported by the
//                  bump memory allocator". Ids 3-6 on garbage would run a type's free on junk
//                  (assertions or crashes): not attempted.
//   UseAfterFree   bytes past the 8-byte free-list link of a freed AllocSet chunk: 0x7F under
//                  CLOBBER_FREED_MEMORY; writing them changes nothing anyone can observe.
using Allocator.Sim;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Models.Mmgr;

namespace Harness.Systems.Mmgr.Oracle;

public sealed partial class AllocatorRunner
{
    private FreedChunk? FreedRef(int r)
    {
        List<FreedChunk> list = _model.Freed;
        return list.Count == 0 ? null : list[(int)((uint)r % (uint)list.Count)];
    }

    private bool DoWritePastEnd(WritePastEnd o)
    {
        ModelChunk? ch = ChunkRef(o.Chunk);
        if (ch is null || !ch.HasContent || ch.Aligned) return false;
        ulong slack = ch.DataSize - ch.Requested;
        if (o.Offset >= slack) return false;
        _memory.WriteU8(ch.Address + ch.Requested + o.Offset, o.Value);
        // Bump chunks are marked too (MemoryContextVerify's BU2 may name them), but BumpCheck
        // verifies no sentinels, so no walker is required to report them.
        if (o.Offset == 0) ch.SentinelDamaged = o.Value != 0x7E;   // writing 0x7E back repairs it
        return true;
    }

    private bool DoDoubleFree(DoubleFree o)
    {
        FreedChunk? f = FreedRef(o.Freed);
        if (f is null) return false;
        var exp = Expectation.Error($"detected double pfree in {f.Owner.Name} {Hex(f.Address - _model.Hdr)}");
        Exception? ex = null;
        try
        {
            _mcxt.pfree(f.Address);
        }
        catch (Exception e) { ex = e; }
        Match(exp, ex, 1, false, Mark(), KindOf(f.Owner));
        return true;
    }

    private static readonly byte[] DefinedIds = [0, 1, 2, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    private bool DoFreeNonChunk(FreeNonChunk o)
    {
        ulong p;
        ulong malloced = 0;
        switch (o.Kind)
        {
            case NonChunkKind.Null:
                p = 0;
                break;
            case NonChunkKind.MallocBlock:
                malloced = _heap.Malloc(Math.Clamp(o.Arg, 1UL, 1UL << 20));
                if (malloced == 0) return false;
                p = malloced;
                break;
            case NonChunkKind.StackGarbage:
                ulong word = (o.Arg & ~15UL) | DefinedIds[(int)(o.Arg % (ulong)DefinedIds.Length)];
                p = _scratch + ScratchBytes - 16;
                _memory.WriteU64(p - 8, word);
                break;
            default:
                ModelChunk? ch = ChunkRef(o.Chunk);
                if (ch is null || !ch.HasContent || ch.Requested <= 8) return false;
                ulong slots = (ch.Requested - 1) / 8;
                p = ch.Address + 8 * (1 + o.Arg % slots);
                ulong id = _memory.ReadU64(p - 8) & 15;
                if (id >= 3 && id <= 6) return false;
                break;
        }
        Expectation exp;
        if (p == 0) exp = new Expectation(ExpectKind.Fault);
        else
        {
            ulong header = _memory.ReadU64(p - 8);
            exp = (header & 15) == 7
                ? Expectation.Error("pfree is not supported by the bump memory allocator")
                : Expectation.Error($"pfree called with invalid pointer {Hex(p)} (header 0x{header:x16})");
        }
        Exception? ex = null;
        try
        {
            _mcxt.pfree(p);
        }
        catch (Exception e) { ex = e; }
        try
        {
            Match(exp, ex, 1, false, Mark(), o.Kind.ToString());
        }
        finally
        {
            if (malloced != 0) _heap.Free(malloced);
        }
        return true;
    }

    private bool DoUseAfterFree(UseAfterFree o)
    {
        FreedChunk? f = FreedRef(o.Freed);
        if (f is null || f.Requested <= 8) return false;
        int off = 8 + (int)(o.Offset % (uint)(f.Requested - 8));
        ulong at = f.Address + (ulong)off;
        if (o.Access == MemoryAccess.Write)
        {
            _memory.WriteU8(at, o.Value);
            f.Bytes[off] = o.Value;
            f.Known[off] = true;
            return true;
        }
        byte b = _memory.ReadU8(at);
        if (f.Known[off] && b != f.Bytes[off])
            throw Fail(OutcomeKind.ModelMismatch, $"{KindOf(f.Owner)}/freed-bytes", $"freed chunk at {Hex(f.Address)} byte {off} is 0x{b:x2}; expected 0x{f.Bytes[off]:x2}");
        return true;
    }
}
