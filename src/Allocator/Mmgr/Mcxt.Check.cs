// Mcxt.Check: MemoryContextCheck (mcxt.c, MEMORY_CONTEXT_CHECKING) and MemoryContextVerify, the
// harness's stronger walker over the common invariants MC1-MC8 (pg-mmgr-dsa.md 1.12) plus each
// type's own (AS1-AS10, GEN*, SL*, BU*) through IMemoryContextVerifier.
//
// MemoryContextCheck is PostgreSQL's: the type's check routine on the context and every descendant,
// pre-order, problems reported as WARNINGs.
//
// MemoryContextVerify and its helpers are oracle code, not the system under test: marked
// [ExcludeFromCodeCoverage]. SharpFuzz, the fuzzer's IL instrumenter, selects by type name only
// and probes them anyway (docs/fuzzing-instrumentation.md).
//
// MemoryContextVerify never throws for corruption, never allocates from the structures it checks,
// and bounds every walk (visited sets and counts, not trust in the links). Its collections come
// from VerifyScratch and problem strings are built only once a problem is found, so a walk that
// finds nothing allocates nothing on the host either (the fuzzer runs it ~10 times per execution). Each violation is one
// string starting with its invariant id. What it checks of the common invariants:
//   MC1 tree shape (parent links, doubly linked child lists, no cycles, valid tags) under c;
//   MC2 isReset implies no callbacks (the type verifier checks its post-reset shape);
//   MC3/MC4 through the type verifiers (accounting; headers decode to this context's blocks);
//   MC7 CurrentMemoryContext is a valid context header and not parked on a recycled list;
//   MC8 callback lists are finite and every func is a registered function.
// MC5 (disjoint user ranges) and MC6 (content preservation) need to know what the user asked for
// and wrote, which only a reference model knows; the harness's model checks those.
using System.Diagnostics.CodeAnalysis;
using Allocator.Common;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

/// <summary>A context type's invariant walker for MemoryContextVerify, implemented by the type's
/// method table (AllocSet: AS1-AS10). Adds one string per violation, each starting with its
/// invariant id. Must not throw for corruption, allocate from the context, or walk without a bound.</summary>
public interface IMemoryContextVerifier
{
    void Verify(ulong context, List<string> problems);
}

public sealed partial class Mcxt
{
    /// <summary>Most contexts a verify walk visits before calling the tree cyclic or runaway.</summary>
    public const int VerifyContextsMax = 1_000_000;

    /// <summary>MemoryContextCheck: the type's check walker on c and every descendant, pre-order.</summary>
    public void MemoryContextCheck(ulong context)
    {
        AssertValid(context);
        MethodsOf(context).Check(context);
        for (ulong curr = GetFirstChild(context); curr != 0; curr = MemoryContextTraverseNext(curr, context))
        {
            AssertValid(curr);
            MethodsOf(curr).Check(curr);
        }
    }

    /// <summary>MemoryContextVerify: every invariant violation found under c (empty when all hold).</summary>
    [ExcludeFromCodeCoverage]
    public IReadOnlyList<string> MemoryContextVerify(ulong context)
    {
        // The collections come from VerifyScratch (reused across walks and, when the caller shares
        // it, across Mcxt instances), so a walk that finds nothing allocates nothing; the result is
        // a fresh array only when something was found.
        VerifyScratch scratch = VerifyScratch;
        List<string> problems = scratch.Problems();
        List<ulong> contexts = scratch.Contexts();
        VerifyTree(context, contexts, problems, scratch);
        foreach (ulong c in contexts)
        {
            try
            {
                VerifyCommon(c, problems, scratch);
                if (MethodsOf(c) is IMemoryContextVerifier verifier) verifier.Verify(c, problems);
            }
            catch (Exception e) when (e is SimFaultException or AssertionFailureException or PgErrorException)
            {
                problems.Add($"MC1: context {Ptr(c)}: walking it failed: {e.Message}");
            }
        }
        VerifyCurrent(problems);
        _aset.VerifyRecycledLists(problems);
        if (problems.Count == 0) return Array.Empty<string>();
        string[] result = problems.ToArray();
        problems.Clear();   // do not keep the strings alive until the next walk
        return result;
    }

    /// <summary>Child lists up to this long are searched linearly for repeats (cheaper than
    /// hashing a handful of entries); longer ones switch to a set.</summary>
    private const int VerifyLinearChildren = 16;

    /// <summary>MC1: walks the subtree under <paramref name="root"/> without trusting its links and
    /// collects the contexts that have a valid header, pre-order.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyTree(ulong root, List<ulong> contexts, List<string> problems, VerifyScratch scratch)
    {
        HashSet<ulong> seen = scratch.TreeSeen();
        Stack<ulong> stack = scratch.TreeStack();
        List<ulong> children = scratch.Children();
        HashSet<ulong> childSet = scratch.ChildSet();
        if (!MemoryContextIsValid(root))
        {
            problems.Add($"MC1: context {Ptr(root)} is not a valid context header");
            return;
        }
        stack.Push(root);
        while (stack.Count > 0)
        {
            ulong c = stack.Pop();
            if (!seen.Add(c))
            {
                problems.Add($"MC1: context {Ptr(c)} is reachable twice (cycle or shared child)");
                continue;
            }
            if (seen.Count > VerifyContextsMax)
            {
                problems.Add($"MC1: more than {VerifyContextsMax} contexts under {Ptr(root)}; walk stopped");
                return;
            }
            contexts.Add(c);
            children.Clear();
            bool hashed = false;   // childSet mirrors children (it is filled once the list is long)
            if (childSet.Count != 0) childSet.Clear();
            ulong prev = 0;
            for (ulong x = GetFirstChild(c); x != 0; prev = x, x = GetNextChild(x))
            {
                if (!MemoryContextIsValid(x))
                {
                    problems.Add($"MC1: child {Ptr(x)} of {Ptr(c)} is not a valid context header");
                    break;
                }
                ulong parent = GetParent(x);
                if (parent != c) problems.Add($"MC1: child {Ptr(x)} of {Ptr(c)} has parent {Ptr(parent)}");
                ulong prevChild = GetPrevChild(x);
                if (prevChild != prev) problems.Add($"MC1: child {Ptr(x)} of {Ptr(c)} has prevchild {Ptr(prevChild)}, expected {Ptr(prev)}");
                if (children.Count > VerifyContextsMax || ChildSeen(children, childSet, ref hashed, x))
                {
                    problems.Add($"MC1: child list of {Ptr(c)} does not end (cycle)");
                    break;
                }
                children.Add(x);
                if (hashed) childSet.Add(x);
            }
            for (int i = children.Count - 1; i >= 0; i--) stack.Push(children[i]);   // pre-order, list order
        }
    }

    /// <summary>Whether <paramref name="x"/> is already in this child list: a linear search while
    /// the list is short, then (from the first long search on) the mirrored set.</summary>
    [ExcludeFromCodeCoverage]
    private static bool ChildSeen(List<ulong> children, HashSet<ulong> childSet, ref bool hashed, ulong x)
    {
        if (!hashed)
        {
            if (children.Count <= VerifyLinearChildren) return children.Contains(x);
            foreach (ulong y in children) childSet.Add(y);
            hashed = true;
        }
        return childSet.Contains(x);
    }

    /// <summary>MC2 and MC8 for one context.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyCommon(ulong c, List<string> problems, VerifyScratch scratch)
    {
        ulong cbs = GetResetCbs(c);
        if (GetIsReset(c) && cbs != 0)
            problems.Add($"MC2: context {Ptr(c)} ({GetName(c)}) is marked reset but has callbacks registered");
        if (cbs == 0) return;
        HashSet<ulong> seen = scratch.Callbacks();
        for (ulong cb = cbs; cb != 0; cb = Memory.ReadU64(cb + OffCallbackNext))
        {
            if (!seen.Add(cb))
            {
                problems.Add($"MC8: callback list of context {Ptr(c)} is cyclic at record {Ptr(cb)}");
                break;
            }
            ulong func = Memory.ReadU64(cb + OffCallbackFunc);
            if (!IsCallbackFunction(func))
                problems.Add($"MC8: callback record {Ptr(cb)} of context {Ptr(c)} calls unregistered function 0x{func:x}");
        }
    }

    /// <summary>The bytes SimMemory.ReadCString looks at by default (GetName's window).</summary>
    private const int NameWindowBytes = 1024;

    /// <summary>Performs GetName's reads without building the string: faults exactly where
    /// GetName(c) would (a wild name field, or a name that runs into unmapped memory), and returns
    /// quietly where it would succeed. A walker that names its context only in violation texts
    /// calls this up front, so a bad name pointer is still found at the same point of the walk.</summary>
    [ExcludeFromCodeCoverage]
    internal void TouchName(ulong c)
    {
        ulong name = Memory.ReadU64(c + OffName);
        // ReadCString's fast path: a fully mapped window cannot fault; anything else (NULL, a window
        // running off the mapping) takes its byte-by-byte path, which faults where it would.
        if (name != 0 && Memory.IsMapped(name, NameWindowBytes)) return;
        _ = Memory.ReadCString(name, NameWindowBytes);
    }

    /// <summary>MC7: CurrentMemoryContext is a live context.</summary>
    [ExcludeFromCodeCoverage]
    private void VerifyCurrent(List<string> problems)
    {
        ulong cur = CurrentMemoryContext;
        if (cur == 0) return;   // before MemoryContextInit
        if (!MemoryContextIsValid(cur))
            problems.Add($"MC7: CurrentMemoryContext {Ptr(cur)} is not a valid context header (deleted?)");
        else if (!Heap.IsLive(cur))   // every type mallocs its header at the start of a block
            problems.Add($"MC7: CurrentMemoryContext {Ptr(cur)} was deleted (its memory was freed)");
        else if (_aset.IsRecycled(cur))
            problems.Add($"MC7: CurrentMemoryContext {Ptr(cur)} was deleted (it is parked on a recycled-context list)");
    }
}
