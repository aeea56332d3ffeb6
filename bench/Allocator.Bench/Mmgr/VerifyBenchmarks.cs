// VerifyBenchmarks: the cost of MemoryContextVerify, the invariant walk the fuzzer runs ~10 times
// per execution, on a small tree: 4 contexts of each type (AllocSet, Generation, Slab, Bump), ~50
// live chunks, some frees and one reset. [MemoryDiagnoser] shows the bytes a walk allocates (the
// happy path should allocate nothing once its scratch collections are warm).
//   Warm       one Mcxt, verified again and again (the scratch stays warm);
//   FreshMcxt  a new Mcxt over the same simulated memory before every walk (the fuzz runner builds
//              a new Mcxt per execution), with its own scratch or with one VerifyScratch shared
//              across them (what AllocatorRunner can pass); ConstructorOnly is the part of those
//              figures that is the Mcxt constructor, not the walk.
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*VerifyBenchmarks*'
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using BenchmarkDotNet.Attributes;

namespace Allocator.Bench.Mmgr;

[MemoryDiagnoser]
public class VerifyBenchmarks
{
    /// <summary>"production", or "checking" (MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY).</summary>
    [Params("production", "checking")]
    public string Build { get; set; } = "production";

    private MemoryContextOptions _options = MemoryContextOptions.Production;
    private SimMemory _memory = null!;
    private SimHeap _heap = null!;
    private Mcxt _mcxt = null!;
    private readonly ElogSink _log = new();
    private readonly VerifyScratch _shared = new();

    [GlobalSetup]
    public void Setup()
    {
        _options = Build == "checking" ? MemoryContextOptions.Checking : MemoryContextOptions.Production;
        _memory = new SimMemory();
        _heap = new SimHeap(_memory);
        _mcxt = new Mcxt(_memory, _heap, _options, _log);
        _mcxt.MemoryContextInit();
        BuildTree(_mcxt);
        if (Warm() != 0 || FreshMcxt_OwnScratch() != 0 || FreshMcxt_SharedScratch() != 0)
            throw new InvalidOperationException("the benchmark tree does not verify clean");
    }

    /// <summary>The small mixed tree: 16 contexts, 60 allocations of which every third is freed
    /// again (not in Bump), then one Generation context reset.</summary>
    internal static void BuildTree(Mcxt m)
    {
        var contexts = new List<(ulong Context, ulong SlabChunk)>();
        for (int i = 0; i < 4; i++)
        {
            ulong parent = i == 0 ? m.TopMemoryContext : contexts[(i - 1) * 4].Context;
            contexts.Add((m.AllocSetContextCreate(parent, "aset", 0, 1024, 8192), 0));
            contexts.Add((m.GenerationContextCreate(parent, "gen", 0, 8192, 65536), 0));
            contexts.Add((m.SlabContextCreate(parent, "slab", 8192, 64), 64));
            contexts.Add((m.BumpContextCreate(parent, "bump", 0, 8192, 65536), 0));
        }
        var live = new List<ulong>();
        for (int i = 0; i < 60; i++)
        {
            var (c, slabChunk) = contexts[i % contexts.Count];
            ulong size = slabChunk != 0 ? slabChunk : (ulong)(8 + (i * 37) % 300);
            ulong p = m.MemoryContextAlloc(c, size);
            if (i % 3 == 0 && i % 4 != 3) m.pfree(p);   // index 3 mod 4 is a Bump context
            else live.Add(p);
        }
        m.MemoryContextReset(contexts[5].Context);
    }

    [Benchmark]
    public int Warm() => _mcxt.MemoryContextVerify(_mcxt.TopMemoryContext).Count;

    [Benchmark]
    public int FreshMcxt_OwnScratch()
    {
        var m = new Mcxt(_memory, _heap, _options, _log);
        return m.MemoryContextVerify(_mcxt.TopMemoryContext).Count;
    }

    [Benchmark]
    public int FreshMcxt_SharedScratch()
    {
        var m = new Mcxt(_memory, _heap, _options, _log, _shared);
        return m.MemoryContextVerify(_mcxt.TopMemoryContext).Count;
    }

    [Benchmark]
    public Mcxt FreshMcxt_ConstructorOnly() => new(_memory, _heap, _options, _log, _shared);
}
