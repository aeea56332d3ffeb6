// Mcxt.Tree: the context-tree operations of mcxt.c: MemoryContextInit, MemoryContextSwitchTo,
// MemoryContextReset, MemoryContextResetOnly, MemoryContextResetChildren, MemoryContextDelete,
// MemoryContextDeleteOnly, MemoryContextDeleteChildren, MemoryContextSetParent,
// MemoryContextSetIdentifier, MemoryContextAllowInCriticalSection, MemoryContextGetParent,
// MemoryContextIsEmpty and MemoryContextMemAllocated (pg-mmgr-dsa.md 1.6, 1.7).
//
// The links live in the context headers in simulated memory. As in C, nothing here recurses:
// Delete walks down firstchild to a leaf and back up through parent, and ResetChildren and the
// sums use MemoryContextTraverseNext (pre-order; quirk Q4), so a 10^5-deep chain is fine.
using Allocator.Common;
using Allocator.Sim;
using static Allocator.Mmgr.McxtConstants;

namespace Allocator.Mmgr;

public sealed partial class Mcxt
{
    /// <summary>MemoryContextInit: TopMemoryContext (a root AllocSet with default sizes, made current)
    /// and ErrorContext (min = init = max = 8 KiB, allowed in critical sections).</summary>
    public void MemoryContextInit()
    {
        Pg.Assert(TopMemoryContext == 0);
        TopMemoryContext = AllocSetContextCreate(0, "TopMemoryContext", ALLOCSET_DEFAULT_MINSIZE, ALLOCSET_DEFAULT_INITSIZE, ALLOCSET_DEFAULT_MAXSIZE);
        CurrentMemoryContext = TopMemoryContext;
        ErrorContext = AllocSetContextCreate(TopMemoryContext, "ErrorContext", 8 * 1024, 8 * 1024, 8 * 1024);
        MemoryContextAllowInCriticalSection(ErrorContext, true);
    }

    /// <summary>MemoryContextSwitchTo: no validation, returns the previous current context.</summary>
    public ulong MemoryContextSwitchTo(ulong context)
    {
        ulong old = CurrentMemoryContext;
        CurrentMemoryContext = context;
        return old;
    }

    private void AssertValid(ulong context) => Pg.Assert(MemoryContextIsValid(context), "MemoryContextIsValid(context)");

    /// <summary>MemoryContextReset: delete all children, then reset the context itself if it was used.</summary>
    public void MemoryContextReset(ulong context)
    {
        AssertValid(context);
        if (GetFirstChild(context) != 0) MemoryContextDeleteChildren(context);
        if (!GetIsReset(context)) MemoryContextResetOnly(context);
    }

    /// <summary>MemoryContextResetOnly: callbacks, then the type's reset; children are untouched and
    /// ident is kept (it may dangle if it pointed into the context, as in C).</summary>
    public void MemoryContextResetOnly(ulong context)
    {
        AssertValid(context);
        if (GetIsReset(context)) return;
        MemoryContextCallResetCallbacks(context);
        MethodsOf(context).Reset(context);
        SetIsReset(context, true);
    }

    /// <summary>MemoryContextResetChildren: ResetOnly on every proper descendant, pre-order (Q4).</summary>
    public void MemoryContextResetChildren(ulong context)
    {
        AssertValid(context);
        for (ulong curr = GetFirstChild(context); curr != 0; curr = MemoryContextTraverseNext(curr, context))
            MemoryContextResetOnly(curr);
    }

    /// <summary>MemoryContextDelete: delete the subtree bottom-up without recursion; among siblings
    /// the most recently linked goes first.</summary>
    public void MemoryContextDelete(ulong context)
    {
        AssertValid(context);
        ulong curr = context;
        while (true)
        {
            ulong child;
            while ((child = GetFirstChild(curr)) != 0) curr = child;
            ulong parent = GetParent(curr);
            MemoryContextDeleteOnly(curr);
            if (curr == context) break;
            curr = parent;
        }
    }

    /// <summary>MemoryContextDeleteOnly: callbacks (before unlinking, so an erroring callback leaks a
    /// still-linked context rather than a half-destroyed one), unlink, clear ident, type delete.</summary>
    private void MemoryContextDeleteOnly(ulong context)
    {
        AssertValid(context);
        Pg.Assert(context != TopMemoryContext, "context != TopMemoryContext");
        Pg.Assert(context != CurrentMemoryContext, "context != CurrentMemoryContext");
        Pg.Assert(GetFirstChild(context) == 0, "context->firstchild == NULL");
        MemoryContextCallResetCallbacks(context);
        MemoryContextSetParent(context, 0);
        Memory.WriteU64(context + OffIdent, 0);
        MethodsOf(context).Delete(context);
    }

    /// <summary>MemoryContextDeleteChildren: delete the first child until there is none.</summary>
    public void MemoryContextDeleteChildren(ulong context)
    {
        AssertValid(context);
        ulong child;
        while ((child = GetFirstChild(context)) != 0) MemoryContextDelete(child);
    }

    /// <summary>MemoryContextSetParent: move a context to the head of a new parent's child list (or
    /// make it a root). Never raises an ERROR; multi-level cycles are not checked, as in C.</summary>
    public void MemoryContextSetParent(ulong context, ulong newParent)
    {
        AssertValid(context);
        Pg.Assert(context != newParent, "context != new_parent");
        SimMemory m = Memory;
        ulong parent = GetParent(context);
        if (newParent == parent) return;

        if (parent != 0)
        {
            ulong prev = GetPrevChild(context);
            ulong next = GetNextChild(context);
            if (prev != 0) m.WriteU64(prev + OffNextChild, next);
            else
            {
                Pg.Assert(GetFirstChild(parent) == context, "parent->firstchild == context");
                m.WriteU64(parent + OffFirstChild, next);
            }
            if (next != 0) m.WriteU64(next + OffPrevChild, prev);
        }

        if (newParent != 0)
        {
            AssertValid(newParent);
            ulong first = GetFirstChild(newParent);
            m.WriteU64(context + OffParent, newParent);
            m.WriteU64(context + OffPrevChild, 0);
            m.WriteU64(context + OffNextChild, first);
            if (first != 0) m.WriteU64(first + OffPrevChild, context);
            m.WriteU64(newParent + OffFirstChild, context);
        }
        else
        {
            m.WriteU64(context + OffParent, 0);
            m.WriteU64(context + OffPrevChild, 0);
            m.WriteU64(context + OffNextChild, 0);
        }
    }

    /// <summary>MemoryContextSetIdentifier: ident is a C-string address (0 forgets it); the caller keeps it alive.</summary>
    public void MemoryContextSetIdentifier(ulong context, ulong identAddress)
    {
        AssertValid(context);
        Memory.WriteU64(context + OffIdent, identAddress);
    }

    /// <summary>MemoryContextCopyAndSetIdentifier: copy ident into the context itself, then set it.</summary>
    public void MemoryContextCopyAndSetIdentifier(ulong context, string ident)
    {
        ulong copy = MemoryContextStrdup(context, ident);
        MemoryContextSetIdentifier(context, copy);
    }

    /// <summary>MemoryContextAllowInCriticalSection.</summary>
    public void MemoryContextAllowInCriticalSection(ulong context, bool allow)
    {
        AssertValid(context);
        SetAllowInCritSection(context, allow);
    }

    /// <summary>MemoryContextGetParent.</summary>
    public ulong MemoryContextGetParent(ulong context)
    {
        AssertValid(context);
        return GetParent(context);
    }

    /// <summary>MemoryContextIsEmpty: a context with children is not empty; else the type decides.</summary>
    public bool MemoryContextIsEmpty(ulong context)
    {
        AssertValid(context);
        if (GetFirstChild(context) != 0) return false;
        return MethodsOf(context).IsEmpty(context);
    }

    /// <summary>MemoryContextMemAllocated: mem_allocated, plus every descendant's if recurse.</summary>
    public ulong MemoryContextMemAllocated(ulong context, bool recurse)
    {
        ulong total = GetMemAllocated(context);
        AssertValid(context);
        if (recurse)
        {
            for (ulong curr = GetFirstChild(context); curr != 0; curr = MemoryContextTraverseNext(curr, context))
                total += GetMemAllocated(curr);
        }
        return total;
    }
}
