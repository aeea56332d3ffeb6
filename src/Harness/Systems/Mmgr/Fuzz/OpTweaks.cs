// OpTweaks: argument-level changes of one allocator operation, for mutation (Tweak: a boundary
// value, a neighbouring value, another ref). Minimization goes the other way: OpSimplifier.
using Allocator.Common;
using Harness.Fuzz.Engine;
using Harness.Fuzz;
using Harness.Systems.Mmgr.Oracle;

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
}
