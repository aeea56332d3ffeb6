// Mcxt.Stats: MemoryContextStats, MemoryContextStatsDetail and MemoryContextStatsInternal
// (mcxt.c), producing PostgreSQL's exact text (pg-mmgr-dsa.md 1.8): the tree a user would otherwise
// dig out of a backend with gdb. Both forms are supported: the stderr form (indented lines, then a
// Grand total) and the log form (each line its own message, prefixed "level: N; ").
//
// Recursion is bounded by max_level (100 by default); contexts below that level, and children past
// max_children, are summed by the iterative MemoryContextTraverseNext walk, as in C.
using System.Text;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    /// <summary>MemoryContextStats(c): max_level 100, max_children 100, stderr form, as text.</summary>
    public string MemoryContextStats(ulong context) => MemoryContextStatsDetail(context, 100, 100, printToStderr: true);

    /// <summary>MemoryContextStatsDetail. The stderr form returns the whole text; the log form
    /// returns one line per log message.</summary>
    public string MemoryContextStatsDetail(ulong context, int maxLevel, int maxChildren, bool printToStderr)
    {
        var sb = new StringBuilder();
        var grand = new MemoryContextCounters();
        StatsInternal(context, 1, maxLevel, maxChildren, ref grand, sb, printToStderr);
        sb.Append($"Grand total: {grand.totalspace} bytes in {grand.nblocks} blocks; {grand.freespace} free ({grand.freechunks} chunks); {grand.Used} used\n");
        return sb.ToString();
    }

    /// <summary>The out-of-memory dump: the stats of a tree, written to the process's log.</summary>
    public void MemoryContextStatsToLog(ulong context)
    {
        try
        {
            if (Log.Wants(Common.ElogLevel.Log)) Log.Emit(Common.ElogLevel.Log, MemoryContextStats(context).TrimEnd('\n'));
            else
            {
                // Nobody keeps LOG messages: walk the tree exactly as the dump does (each context's
                // stats routine, which may assert on a damaged context), without composing text.
                // Only reads of names and idents are skipped, and their faults are swallowed below.
                var grand = new MemoryContextCounters();
                StatsInternal(context, 1, 100, 100, ref grand, null, printToStderr: true);
                Log.Emit(Common.ElogLevel.Log, "");   // counted, not kept
            }
        }
        catch (Common.SimFaultException)
        {
            // A corrupt tree must not turn the out-of-memory ERROR into a fault; C would print what
            // it could before crashing, and the ERROR is the outcome that matters here.
            Log.Emit(Common.ElogLevel.Log, "(memory context stats unavailable: corrupt context tree)");
        }
    }

    /// <summary>Sums stats of a context and all its descendants (MemoryContextMemConsumed).</summary>
    public MemoryContextCounters MemoryContextMemConsumed(ulong context)
    {
        var totals = new MemoryContextCounters();
        MethodsOf(context).Stats(context, null, ref totals);
        // Then the descendants only: starting the walk at the context itself would step on to its
        // next sibling when it has no children.
        for (ulong c = GetFirstChild(context); c != 0; c = MemoryContextTraverseNext(c, context))
            MethodsOf(c).Stats(c, null, ref totals);
        return totals;
    }

    /// <summary>MemoryContextTraverseNext: the next context after <paramref name="curr"/> in a
    /// pre-order walk of the subtree rooted at <paramref name="top"/>, or 0 when done.</summary>
    public ulong MemoryContextTraverseNext(ulong curr, ulong top)
    {
        ulong first = GetFirstChild(curr);
        if (first != 0) return first;
        while (GetNextChild(curr) == 0)
        {
            curr = GetParent(curr);
            if (curr == top || curr == 0) return 0;
        }
        return GetNextChild(curr);
    }

    /// <summary>The recursive walk; with <paramref name="sb"/> null it composes no text.</summary>
    private void StatsInternal(ulong context, int level, int maxLevel, int maxChildren, ref MemoryContextCounters totals, StringBuilder? sb, bool printToStderr)
    {
        MemoryContextMethods methods = MethodsOf(context);
        methods.Stats(context, sb is null ? null : (c, stats) => PrintLine(c, stats, level, sb, printToStderr), ref totals);

        ulong child = GetFirstChild(context);
        int ichild = 0;
        if (level <= maxLevel)
        {
            for (; child != 0 && ichild < maxChildren; child = GetNextChild(child), ichild++)
                StatsInternal(child, level + 1, maxLevel, maxChildren, ref totals, sb, printToStderr);
        }
        if (child == 0) return;

        // Summarise the remaining children and all their descendants without printing them.
        var local = new MemoryContextCounters();
        ichild = 0;
        for (ulong curr = child; curr != 0; curr = MemoryContextTraverseNext(curr, context))
        {
            ichild++;
            MethodsOf(curr).Stats(curr, null, ref local);
        }
        totals.Add(local);
        if (sb is null) return;
        string line = $"{ichild} more child contexts containing {local.totalspace} total in {local.nblocks} blocks; {local.freespace} free ({local.freechunks} chunks); {local.Used} used";
        if (printToStderr) sb.Append(' ', 2 * level).Append(line).Append('\n');
        else sb.Append($"level: {level}; {line}\n");
    }

    private void PrintLine(ulong context, string stats, int level, StringBuilder sb, bool printToStderr)
    {
        string name = GetName(context);
        ulong identAddr = GetIdent(context);
        string? ident = identAddr != 0 ? ClipIdent(identAddr) : null;
        if (name == "dynahash" && ident is not null)
        {
            name = ident;
            ident = null;
        }
        string suffix = ident is null ? "" : ": " + ident;
        if (printToStderr) sb.Append(' ', 2 * (level - 1)).Append($"{name}: {stats}{suffix}\n");
        else sb.Append($"level: {level}; {name}: {stats}{suffix}\n");
    }

    /// <summary>The ident as printed: at most 100 bytes, clipped on a UTF-8 character boundary with
    /// "..." appended, control bytes (below 0x20) shown as spaces.</summary>
    private string ClipIdent(ulong identAddr)
    {
        const int MaxIdent = 100;
        var bytes = new List<byte>();
        for (int i = 0; i <= MaxIdent; i++)
        {
            byte b = Memory.ReadU8(identAddr + (ulong)i);
            if (b == 0) break;
            bytes.Add(b);
        }
        bool clipped = bytes.Count > MaxIdent;
        if (clipped)
        {
            int len = MaxIdent;
            while (len > 0 && (bytes[len] & 0xC0) == 0x80) len--;   // do not split a multibyte character
            bytes.RemoveRange(len, bytes.Count - len);
        }
        for (int i = 0; i < bytes.Count; i++) if (bytes[i] < 0x20) bytes[i] = (byte)' ';
        return Encoding.UTF8.GetString(bytes.ToArray()) + (clipped ? "..." : "");
    }
}
