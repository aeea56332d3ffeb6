// OpSimplifier: the one simplifier of memory-context operations, shared by FsCheck's shrinking
// (AllocatorGen.Shrink) and the fuzzer's minimizer (AllocatorFuzzTarget.SimplifyUnit): candidates
// "smaller" than an op in an obvious order, most aggressive first: refs toward 0, sizes toward 0
// through a few boundary steps, flags cleared, plain entry points. References are relative, so
// every candidate still runs.
namespace Harness.Systems.Mmgr.Oracle;

public static class OpSimplifier
{
    /// <summary>Simpler variants of one operation, most aggressive first.</summary>
    public static IEnumerable<AllocatorOp> Simpler(AllocatorOp op)
    {
        switch (op)
        {
            case CreateContext c:
                if (c.Parent != 0) yield return c with { Parent = 0 };
                if (c.Kind != ContextKind.AllocSet) yield return c with { Kind = ContextKind.AllocSet };
                foreach (ulong v in Smaller(c.MinContextSize)) yield return c with { MinContextSize = v };
                foreach (ulong v in Smaller(c.InitBlockSize)) yield return c with { InitBlockSize = v };
                foreach (ulong v in Smaller(c.MaxBlockSize)) yield return c with { MaxBlockSize = v };
                foreach (ulong v in Smaller(c.ChunkSize)) yield return c with { ChunkSize = v };
                break;
            case Alloc a:
                if (a.Ctx != 0) yield return a with { Ctx = 0 };
                if (a.Entry != AllocEntry.Palloc || a.Flags != AllocFlags.None || a.SlabFit || a.AlignTo != 0)
                    yield return a with { Entry = AllocEntry.Palloc, Flags = AllocFlags.None, SlabFit = false, AlignTo = 0 };
                if (a.Entry != AllocEntry.MemoryContextAlloc && a.Entry != AllocEntry.Palloc)
                    yield return a with { Entry = AllocEntry.MemoryContextAlloc, Flags = AllocFlags.None, SlabFit = false, AlignTo = 0 };
                if (a.Flags != AllocFlags.None) yield return a with { Flags = AllocFlags.None };
                if (a.SlabFit) yield return a with { SlabFit = false };
                foreach (ulong v in Smaller(a.Size)) yield return a with { Size = v };
                break;
            case Realloc r:
                if (r.Chunk != 0) yield return r with { Chunk = 0 };
                if (r.Entry != ReallocEntry.Repalloc || r.Flags != AllocFlags.None || r.SlabFit)
                    yield return r with { Entry = ReallocEntry.Repalloc, Flags = AllocFlags.None, SlabFit = false };
                foreach (ulong v in Smaller(r.Size)) yield return r with { Size = v };
                break;
            case Free f when f.Chunk != 0: yield return f with { Chunk = 0 }; break;
            case WritePattern w when w.Chunk != 0 || w.Seed != 0: yield return w with { Chunk = 0, Seed = 0 }; break;
            case VerifyPattern v when v.Chunk != 0: yield return v with { Chunk = 0 }; break;
            case Reset x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case ResetOnly x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case ResetChildren x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case Delete x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case DeleteChildren x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case SetParent s when s.Ctx != 0 || s.NewParent != 0: yield return s with { Ctx = 0, NewParent = 0 }; break;
            case RegisterCallback x when x.Ctx != 0: yield return x with { Ctx = 0 }; break;
            case DoubleFree d when d.Freed != 0: yield return d with { Freed = 0 }; break;
            case WritePastEnd w when w.Chunk != 0 || w.Offset != 0: yield return w with { Chunk = 0, Offset = 0 }; break;
            case FreeNonChunk n when n.Chunk != 0: yield return n with { Chunk = 0 }; break;
            case UseAfterFree u when u.Freed != 0: yield return u with { Freed = 0 }; break;
        }
    }

    // Toward zero: 0, then a few boundary steps below, then halving and minus one.
    private static IEnumerable<ulong> Smaller(ulong v)
    {
        if (v == 0) yield break;
        yield return 0;
        foreach (ulong b in new ulong[] { 1, 8, 16, 64, 1024, 8192 })
            if (b < v) yield return b;
        if (v / 2 > 0) yield return v / 2;
        yield return v - 1;
    }
}
