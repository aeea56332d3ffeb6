// `harness contexts --demo [--checking]`: runs a small, fixed, backend-like workload on one simulated
// process and prints the MemoryContextStats tree, the text a user would otherwise dig out of a
// backend with gdb (`call MemoryContextStats(TopMemoryContext)`). Then it runs the invariant walker
// (and, with --checking, PostgreSQL's check walkers) and says what they found.
//
// The workload is deterministic (no seed: sizes come from the benchmark's LCG starting at x = 42), so
// the output is the same on every machine and doubles as a readable example of each context type.
using Harness.Core;
using System.CommandLine;
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Harness.Cli;
using static Allocator.Mmgr.McxtConstants;

namespace Harness.Systems.Mmgr.Cli;

public sealed class ContextsCommand : IHarnessCommand
{
    public string Name => "contexts";
    public string Summary => "print a MemoryContextStats tree after a small backend-like workload (--demo)";

    private readonly Option<bool> _demo = CliOptions.Flag("--demo",
        "run the built-in workload (a few contexts of every type, a child tree, allocations, frees, a reset) and print MemoryContextStats(TopMemoryContext)");
    private readonly Option<bool> _checking = CliOptions.Flag("--checking",
        "simulate a MEMORY_CONTEXT_CHECKING + CLOBBER_FREED_MEMORY build (16-byte chunk headers, sentinels) and run MemoryContextCheck as well");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_demo, _checking);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        bool demo = args.Value(_demo);
        bool checking = args.Value(_checking);
        if (!demo) throw new UsageException("nothing to do: pass --demo");

        MemoryContextOptions options = checking ? MemoryContextOptions.Checking : MemoryContextOptions.Production;
        var mem = new SimMemory();
        var heap = new SimHeap(mem);
        var mcxt = new Mcxt(mem, heap, options);
        stdout.WriteLine($"contexts: demo workload, {options}");
        mcxt.MemoryContextInit();
        RunWorkload(mcxt);

        stdout.Write(mcxt.MemoryContextStats(mcxt.TopMemoryContext));
        if (checking) mcxt.MemoryContextCheck(mcxt.TopMemoryContext);
        IReadOnlyList<string> problems = mcxt.MemoryContextVerify(mcxt.TopMemoryContext);
        foreach (ElogMessage w in mcxt.Log.Messages)
            if (w.Level == ElogLevel.Warning) stdout.WriteLine($"WARNING:  {w.Text}");
        foreach (string p in problems) stdout.WriteLine($"verify: {p}");
        stdout.WriteLine($"contexts: {problems.Count} invariant violations, {mcxt.Log.WarningCount} warnings; simulated heap holds {heap.OutstandingBlocks} blocks, {heap.OutstandingBytes} bytes");
        return problems.Count == 0 && mcxt.Log.WarningCount == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    /// <summary>A miniature backend: a relcache, a message context reset after each "query", and an
    /// executor tree with one context of every type.</summary>
    private static void RunWorkload(Mcxt m)
    {
        ulong x = 42;
        ulong NextSize()
        {
            x = unchecked(x * 6364136223846793005UL + 1442695040888963407UL);
            return 8 + (x >> 33) % 1017;
        }

        ulong top = m.TopMemoryContext;
        ulong cache = m.AllocSetContextCreate(top, "CacheMemoryContext", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        foreach (string rel in new[] { "pg_class", "pg_attribute", "pg_proc", "pg_type", "orders", "customers" })
        {
            ulong index = m.AllocSetContextCreate(cache, "index info", ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_SMALL_MAXSIZE);
            m.MemoryContextCopyAndSetIdentifier(index, rel + "_pkey");
            m.MemoryContextAlloc(index, 200);
            m.MemoryContextStrdup(cache, rel);
            m.MemoryContextAlloc(cache, NextSize());
        }

        ulong message = m.AllocSetContextCreate(top, "MessageContext", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        for (int query = 0; query < 3; query++)
        {
            m.MemoryContextReset(message);
            ulong old = m.MemoryContextSwitchTo(message);
            for (int i = 0; i < 40; i++) m.palloc(NextSize());
            m.pstrdup($"SELECT * FROM orders WHERE id = {query}");
            m.MemoryContextSwitchTo(old);
        }

        ulong portal = m.AllocSetContextCreate(top, "PortalContext", ALLOCSET_SMALL_MINSIZE, ALLOCSET_SMALL_INITSIZE, ALLOCSET_START_SMALL_SIZES_MAX);
        m.MemoryContextCopyAndSetIdentifier(portal, "<unnamed>");
        ulong executor = m.AllocSetContextCreate(portal, "ExecutorState", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        ulong expr = m.AllocSetContextCreate(executor, "ExprContext", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        ulong hash = m.GenerationContextCreate(executor, "HashBatchContext", 0, 8 * 1024, 8 * 1024 * 1024);
        ulong slots = m.SlabContextCreate(executor, "TupleSlots", SLAB_DEFAULT_BLOCK_SIZE, 64);
        ulong sort = m.BumpContextCreate(executor, "TupleSort sort", 0, 8 * 1024, 8 * 1024 * 1024);

        var keep = new List<ulong>();
        for (int i = 0; i < 200; i++)
        {
            ulong p = m.MemoryContextAlloc(executor, NextSize());
            if (i % 3 == 0) m.pfree(p); else keep.Add(p);
            m.MemoryContextAlloc(expr, 48);
            ulong h = m.MemoryContextAlloc(hash, NextSize());
            if (i % 2 == 0) m.pfree(h);
            ulong s = m.MemoryContextAlloc(slots, 64);
            if (i % 4 != 0) m.pfree(s);
            m.MemoryContextAlloc(sort, NextSize());
        }
        m.MemoryContextReset(expr);
        m.repalloc(keep[0], 20000);   // grows into a dedicated block
        m.MemoryContextAlloc(executor, 100000);
    }
}
