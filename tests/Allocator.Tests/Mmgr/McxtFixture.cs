// McxtFixture: builds one simulated process (memory, heap, Mcxt) for the context tests.
using Allocator.Common;
using Allocator.Mmgr;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Mmgr;

internal static class McxtFixture
{
    public static MemoryContextOptions Production { get; } = new() { AssertChecking = true };
    public static MemoryContextOptions Checking { get; } = new() { MemoryContextChecking = true, ClobberFreedMemory = true };

    /// <summary>Both builds, for theories that must hold with checking on and off.</summary>
    public static TheoryData<bool> CheckingOnOff => new() { false, true };

    public static Mcxt New(MemoryContextOptions? options = null, SimHeapOptions? heapOptions = null, bool init = true)
    {
        var mem = new SimMemory();
        var heap = new SimHeap(mem, heapOptions);
        var mcxt = new Mcxt(mem, heap, options ?? Production, new ElogSink());
        if (init) mcxt.MemoryContextInit();
        return mcxt;
    }

    public static Mcxt New(bool checking, SimHeapOptions? heapOptions = null) => New(checking ? Checking : Production, heapOptions);

    /// <summary>A fresh default-size AllocSet under TopMemoryContext.</summary>
    public static ulong DefaultSet(Mcxt m, string name = "X") =>
        m.AllocSetContextCreate(m.TopMemoryContext, name, McxtConstants.ALLOCSET_DEFAULT_MINSIZE, McxtConstants.ALLOCSET_DEFAULT_INITSIZE, McxtConstants.ALLOCSET_DEFAULT_MAXSIZE);

    public static ulong SmallSet(Mcxt m, string name = "S") =>
        m.AllocSetContextCreate(m.TopMemoryContext, name, McxtConstants.ALLOCSET_SMALL_MINSIZE, McxtConstants.ALLOCSET_SMALL_INITSIZE, McxtConstants.ALLOCSET_SMALL_MAXSIZE);

    /// <summary>The stats line of one context (its first line of MemoryContextStats).</summary>
    public static string StatsLine(Mcxt m, ulong context) => m.MemoryContextStats(context).Split('\n')[0];

    /// <summary>Asserts MemoryContextVerify finds nothing under TopMemoryContext.</summary>
    public static void AssertClean(Mcxt m, ulong? root = null)
    {
        IReadOnlyList<string> problems = m.MemoryContextVerify(root ?? m.TopMemoryContext);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    public static List<string> Warnings(Mcxt m) =>
        m.Log.Messages.Where(x => x.Level == ElogLevel.Warning).Select(x => x.Text).ToList();
}
