// OpTweaks: argument-level changes of one allocator operation, for mutation (Tweak: a boundary
// value, a neighbouring value, another ref) and for minimization (Simpler: candidates that are
// "smaller" in an obvious order: refs toward 0, sizes toward 0, flags cleared, plain entry points).
using Allocator.Common;
using Harness.Systems.Mmgr.Oracle;

using Harness.Fuzz;
using Harness.Fuzz.Engine;
namespace Harness.Systems.Mmgr.Fuzz;

public static class OpTweaks
{
    public static AllocatorOp Tweak(AllocatorOp op, Prng rng)
    {
        int r = rng.Index(4);
        int NewRef(int old) => rng.Index(3) switch { 0 => old + 1, 1 => Math.Max(0, old - 1), _ => rng.Index(8) };
        return op switch
        {
            CreateContext c => rng.Index(6) switch
            {
                0 => c with { Kind = (ContextKind)rng.Index(4) },
                1 => c with { Parent = rng.Index(4) == 0 ? AllocatorOp.NullParent : rng.Index(8) },
                2 => c with { MinContextSize = BoundarySizes.Pick(rng) },
                3 => c with { InitBlockSize = BoundarySizes.Pick(rng) },
                4 => c with { MaxBlockSize = BoundarySizes.Pick(rng) },
                _ => c with { ChunkSize = BoundarySizes.Pick(rng) },
            },
            Alloc a => r switch
            {
                0 => a with { Size = BoundarySizes.Pick(rng) },
                1 => a with { Flags = (AllocFlags)rng.Index(8) },
                2 => a with { Entry = (AllocEntry)rng.Index(4), AlignTo = 1UL << rng.Index(16), SlabFit = rng.NextBool() },
                _ => a with { Ctx = NewRef(a.Ctx) },
            },
            Realloc x => r switch
            {
                0 or 1 => x with { Size = BoundarySizes.Pick(rng) },
                2 => x with { Flags = (AllocFlags)rng.Index(8), Entry = (ReallocEntry)rng.Index(3), SlabFit = rng.NextBool() },
                _ => x with { Chunk = NewRef(x.Chunk) },
            },
            Free f => f with { Chunk = NewRef(f.Chunk) },
            WritePattern w => r == 0 ? w with { Seed = (byte)rng.NextU32() } : w with { Chunk = NewRef(w.Chunk) },
            VerifyPattern v => v with { Chunk = NewRef(v.Chunk) },
            Reset x => x with { Ctx = NewRef(x.Ctx) },
            ResetOnly x => x with { Ctx = NewRef(x.Ctx) },
            ResetChildren x => x with { Ctx = NewRef(x.Ctx) },
            Delete x => x with { Ctx = NewRef(x.Ctx) },
            DeleteChildren x => x with { Ctx = NewRef(x.Ctx) },
            SetParent s => r < 2 ? s with { Ctx = NewRef(s.Ctx) } : s with { NewParent = rng.Index(4) == 0 ? AllocatorOp.NullParent : rng.Index(8) },
            SwitchTo s => s with { Ctx = rng.Index(4) == 0 ? AllocatorOp.NullParent : rng.Index(8) },
            RegisterCallback x => x with { Ctx = NewRef(x.Ctx) },
            Stats s => s with { Ctx = rng.Index(8) },
            Check c => c with { Ctx = rng.Index(8) },
            WritePastEnd w => r switch { 0 => w with { Offset = (byte)rng.Index(16) }, 1 => w with { Value = (byte)rng.NextU32() }, _ => w with { Chunk = NewRef(w.Chunk) } },
            DoubleFree d => d with { Freed = NewRef(d.Freed) },
            FreeNonChunk n => r switch { 0 => n with { Kind = (NonChunkKind)rng.Index(4) }, 1 => n with { Arg = BoundarySizes.Pick(rng) }, _ => n with { Chunk = NewRef(n.Chunk) } },
            UseAfterFree u => r switch { 0 => u with { Access = (MemoryAccess)rng.Index(2) }, 1 => u with { Offset = (uint)BoundarySizes.Pick(rng) }, 2 => u with { Value = (byte)rng.NextU32() }, _ => u with { Freed = NewRef(u.Freed) } },
            _ => op,
        };
    }

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
