// SeedPrograms: the hand-written seed inputs of fuzz/corpus/allocator, as readable operation lists.
// CorpusTests encodes them and checks that each one is committed under its content-hash name; to
// (re)write them after editing this file run the tests with HARNESS_WRITE_SEEDS=1.
// At least one program per operation kind, plus the section-12 boundary sizes.
namespace Harness.Tests.Fuzz.Corpus;

internal static class SeedPrograms
{
    public static readonly (string Name, bool Hostile, string Ops)[] All =
    [
        ("palloc-basic", false, """
            Alloc ctx=#0 size=100 flags=0 entry=Palloc slabfit=0 align=0
            WritePattern chunk=#0 seed=1
            VerifyPattern chunk=#0
            Free chunk=#0
            """),
        ("allocset-context", false, """
            CreateContext kind=AllocSet parent=#0 min=0 init=8192 max=8388608
            Alloc ctx=#0 size=24 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Alloc ctx=#0 size=8193 flags=ZERO entry=MemoryContextAlloc slabfit=0 align=0
            Alloc ctx=#0 size=1024 flags=0 entry=AllocExtended slabfit=0 align=0
            Free chunk=#1
            Delete ctx=#0
            """),
        ("generation-context", false, """
            CreateContext kind=Generation parent=#0 min=0 init=8192 max=8388608
            Alloc ctx=#0 size=64 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Alloc ctx=#0 size=524289 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Free chunk=#0
            Reset ctx=#0
            """),
        ("slab-context", false, """
            CreateContext kind=Slab parent=#0 block=8192 chunk=64
            Alloc ctx=#0 size=64 flags=0 entry=MemoryContextAlloc slabfit=1 align=0
            Alloc ctx=#0 size=64 flags=0 entry=MemoryContextAlloc slabfit=1 align=0
            Free chunk=#0
            Alloc ctx=#0 size=64 flags=0 entry=MemoryContextAlloc slabfit=1 align=0
            Delete ctx=#0
            """),
        ("bump-context", false, """
            CreateContext kind=Bump parent=#0 min=0 init=8192 max=8388608
            Alloc ctx=#0 size=17 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Alloc ctx=#0 size=8192 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            ResetOnly ctx=#0
            """),
        ("realloc", false, """
            Alloc ctx=#0 size=16 flags=0 entry=Palloc slabfit=0 align=0
            WritePattern chunk=#0 seed=7
            Realloc chunk=#0 size=1025 flags=0 entry=Repalloc slabfit=0
            VerifyPattern chunk=#0
            Realloc chunk=#0 size=8 flags=0 entry=RepallocExtended slabfit=0
            Realloc chunk=#0 size=200 flags=0 entry=Repalloc0 slabfit=0
            """),
        ("aligned", false, """
            Alloc ctx=#0 size=100 flags=0 entry=AllocAligned slabfit=0 align=4096
            WritePattern chunk=#0 seed=3
            Free chunk=#0
            """),
        ("tree", false, """
            CreateContext kind=AllocSet parent=null min=0 init=1024 max=8192
            CreateContext kind=AllocSet parent=#1 min=0 init=8192 max=8388608
            CreateContext kind=Generation parent=#2 min=0 init=8192 max=8388608
            SetParent ctx=#2 parent=#0
            SwitchTo ctx=#2
            Alloc ctx=#0 size=48 flags=0 entry=Palloc slabfit=0 align=0
            SwitchTo ctx=null
            ResetChildren ctx=#0
            DeleteChildren ctx=#0
            Delete ctx=#0
            """),
        ("callbacks-stats-check", false, """
            CreateContext kind=AllocSet parent=#0 min=0 init=8192 max=8388608
            RegisterCallback ctx=#0
            Alloc ctx=#0 size=32 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Stats ctx=#1
            Check ctx=null
            Reset ctx=#0
            """),
        ("boundary-errors", false, """
            Alloc ctx=#0 size=1073741824 flags=NO_OOM entry=AllocExtended slabfit=0 align=0
            Alloc ctx=#0 size=1073741824 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Alloc ctx=#0 size=0 flags=0 entry=Palloc slabfit=0 align=0
            """),
        ("hostile-write-past-end", true, """
            Alloc ctx=#0 size=20 flags=0 entry=Palloc slabfit=0 align=0
            WritePastEnd chunk=#0 offset=0 value=65
            Free chunk=#0
            """),
        ("hostile-double-free", true, """
            CreateContext kind=AllocSet parent=#0 min=0 init=8192 max=8388608
            Alloc ctx=#0 size=40 flags=0 entry=MemoryContextAlloc slabfit=0 align=0
            Free chunk=#0
            DoubleFree freed=#0
            """),
        ("hostile-free-non-chunk", true, """
            Alloc ctx=#0 size=64 flags=0 entry=Palloc slabfit=0 align=0
            FreeNonChunk kind=InsideChunk chunk=#0 arg=16
            FreeNonChunk kind=StackGarbage chunk=#0 arg=5
            FreeNonChunk kind=MallocBlock chunk=#0 arg=64
            FreeNonChunk kind=Null chunk=#0 arg=0
            """),
        ("hostile-use-after-free", true, """
            Alloc ctx=#0 size=64 flags=0 entry=Palloc slabfit=0 align=0
            Free chunk=#0
            UseAfterFree freed=#0 access=Read offset=16 value=0
            UseAfterFree freed=#0 access=Write offset=24 value=9
            """),
    ];
}
