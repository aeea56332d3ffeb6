// Dlist: PostgreSQL's doubly linked list (dlist_head, dlist_node) on simulated memory; the one copy
// the memory contexts use (Generation and Bump chain their blocks on one, Slab its blocklist[]
// and, through Dclist, its emptyblocks).
//
// Ports the dlist part of src/include/lib/ilist.h: dlist_init, dlist_is_empty, dlist_push_head,
// dlist_push_tail, dlist_delete, dlist_head_node, dlist_has_next, and the dlist_foreach and
// dlist_foreach_modify macros (as the DlistIter and DlistMutableIter enumerators). Of
// src/backend/lib/ilist.c, only the ILIST_DEBUG checks concern dlists, and they are not ported
// (see below).
//
// Layout, exactly as in a 64-bit build: a node is {prev, next}, two pointers, prev at +0 and next
// at +8, embedded in its owner at the owner's own offset (0 in Generation and Bump blocks, 32 in a
// Slab block); the owner is node - offset (dlist_container). A head is such a node too. The list is
// circular: the head's next is the first node and its prev the last, and an empty head points at
// itself both ways. Every link lives in simulated memory, so a stray write corrupts exactly what
// it would corrupt in C.
//
// Divergences, all about heads and links that something has corrupted. They are kept because
// the contexts have always behaved this way, and the fuzz corpus and regression artifacts pin it:
//  - ilist.h treats a zeroed head (next == NULL) as empty in the foreach macros and initializes
//    it in dlist_push_head and dlist_push_tail. Here only DlistIsEmpty knows that case (Slab relies
//    on it); the enumerators and the pushes follow the NULL link, and the access faults
//    (SimFaultException), as any wild pointer does;
//  - ilist.h's own Asserts (dlist_head_node on an empty list) and its ILIST_DEBUG walks
//    (dlist_check, dlist_member_check) are not ported: the contexts assert what they rely on
//    themselves, and their verifiers (VerifyWalk.BlockList) walk the lists with bounds;
//  - DlistForeach can take a bound on the number of nodes it visits. The check walkers use it,
//    because their C loops never end on a cyclic list.
//  - dlist_delete reads both links before writing either; C re-reads them after its first write,
//    which differs only when that write lands on the node's own links (overlapping nodes).
//
// Functions are static and take the SimMemory as their receiver (`_mem.DlistPushHead(head, node)`),
// so call sites read like the C, hot paths inline, and nothing allocates.
using System.Runtime.CompilerServices;
using Allocator.Sim;

namespace Allocator.Common;

/// <summary>ilist.h's dlist operations on list heads and nodes in simulated memory.</summary>
public static class Dlist
{
    /// <summary>Offset of dlist_node.prev (in a head: the last node).</summary>
    public const ulong OffPrev = 0;
    /// <summary>Offset of dlist_node.next (in a head: the first node).</summary>
    public const ulong OffNext = 8;
    /// <summary>sizeof(dlist_node), and of dlist_head, which wraps one node.</summary>
    public const ulong SizeOfNode = 16;

    /// <summary>dlist_init: an empty list points at itself both ways.</summary>
    public static void DlistInit(this SimMemory mem, ulong head)
    {
        mem.WriteU64(head + OffPrev, head);
        mem.WriteU64(head + OffNext, head);
    }

    /// <summary>dlist_is_empty: true for a head that points at itself, and, as in C, for a zeroed
    /// head (next == NULL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DlistIsEmpty(this SimMemory mem, ulong head)
    {
        ulong next = mem.ReadU64(head + OffNext);
        return next == 0 || next == head;
    }

    /// <summary>dlist_push_head: <paramref name="node"/> becomes the first element.</summary>
    public static void DlistPushHead(this SimMemory mem, ulong head, ulong node)
    {
        ulong first = mem.ReadU64(head + OffNext);
        mem.WriteU64(node + OffNext, first);
        mem.WriteU64(node + OffPrev, head);
        mem.WriteU64(first + OffPrev, node);
        mem.WriteU64(head + OffNext, node);
    }

    /// <summary>dlist_push_tail: <paramref name="node"/> becomes the last element.</summary>
    public static void DlistPushTail(this SimMemory mem, ulong head, ulong node)
    {
        ulong last = mem.ReadU64(head + OffPrev);
        mem.WriteU64(node + OffNext, head);
        mem.WriteU64(node + OffPrev, last);
        mem.WriteU64(last + OffNext, node);
        mem.WriteU64(head + OffPrev, node);
    }

    /// <summary>dlist_delete: unlinks <paramref name="node"/> from whatever list it is on. The
    /// node's own links are left as they were.</summary>
    public static void DlistDelete(this SimMemory mem, ulong node)
    {
        ulong prev = mem.ReadU64(node + OffPrev);
        ulong next = mem.ReadU64(node + OffNext);
        mem.WriteU64(prev + OffNext, next);
        mem.WriteU64(next + OffPrev, prev);
    }

    /// <summary>dlist_head_node: the first node (without C's Assert that the list is not empty:
    /// on an empty list this is the head itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong DlistHeadNode(this SimMemory mem, ulong head) => mem.ReadU64(head + OffNext);

    /// <summary>dlist_has_next: whether <paramref name="node"/> is followed by another node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool DlistHasNext(this SimMemory mem, ulong head, ulong node) => mem.ReadU64(node + OffNext) != head;

    /// <summary>dlist_foreach: <c>foreach (ulong node in mem.DlistForeach(head))</c> visits the nodes
    /// in list order. The body must not unlink the current node (use DlistForeachModify).</summary>
    public static DlistIter DlistForeach(this SimMemory mem, ulong head) => new(mem, head, ulong.MaxValue);

    /// <summary>dlist_foreach that stops, silently, after <paramref name="nodesMax"/> nodes: for the
    /// check walkers, so that a cyclic (corrupted) list ends.</summary>
    public static DlistIter DlistForeach(this SimMemory mem, ulong head, ulong nodesMax) => new(mem, head, nodesMax);

    /// <summary>dlist_foreach_modify: like DlistForeach, but reads each node's successor before the
    /// body runs, so the body may unlink (and free) the current node.</summary>
    public static DlistMutableIter DlistForeachModify(this SimMemory mem, ulong head) => new(mem, head);
}

/// <summary>dlist_iter, the state of dlist_foreach, as a foreach enumerator. Each node's next link
/// is read when the loop moves on, after the body.</summary>
public struct DlistIter
{
    private readonly SimMemory _mem;
    private readonly ulong _end;
    private readonly ulong _nodesMax;
    private ulong _nodes;

    internal DlistIter(SimMemory mem, ulong head, ulong nodesMax)
    {
        _mem = mem;
        _end = head;
        _nodesMax = nodesMax;
        Current = head;
    }

    /// <summary>iter.cur: the node the body is visiting.</summary>
    public ulong Current { get; private set; }

    public readonly DlistIter GetEnumerator() => this;

    public bool MoveNext()
    {
        Current = _mem.ReadU64(Current + Dlist.OffNext);
        return Current != _end && ++_nodes <= _nodesMax;
    }
}

/// <summary>dlist_mutable_iter, the state of dlist_foreach_modify, as a foreach enumerator. The
/// successor is read before the body runs; the first node is read when the loop starts.</summary>
public struct DlistMutableIter
{
    private readonly SimMemory _mem;
    private readonly ulong _end;
    private ulong _next;

    internal DlistMutableIter(SimMemory mem, ulong head)
    {
        _mem = mem;
        _end = head;
        _next = mem.ReadU64(head + Dlist.OffNext);
        Current = head;
    }

    /// <summary>iter.cur: the node the body is visiting.</summary>
    public ulong Current { get; private set; }

    public readonly DlistMutableIter GetEnumerator() => this;

    public bool MoveNext()
    {
        Current = _next;
        if (Current == _end) return false;
        _next = _mem.ReadU64(Current + Dlist.OffNext);
        return true;
    }
}
