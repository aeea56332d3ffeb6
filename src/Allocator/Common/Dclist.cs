// Dclist: PostgreSQL's counted doubly linked list (dclist_head) on simulated memory: a Dlist head
// followed by a uint32 count of its nodes. Slab keeps its retained empty blocks on one
// (SlabContext.emptyblocks), so that "fewer than SLAB_MAXIMUM_EMPTY_BLOCKS" needs no walk.
//
// Ports the dclist part of src/include/lib/ilist.h: dclist_init, dclist_count, dclist_push_head,
// dclist_delete_from, dclist_pop_head_node and dclist_foreach_modify. The list operations are
// Dlist's (the dlist_head sits at offset 0 of the dclist_head); this file adds the count.
//
// Layout, as in a 64-bit build: {dlist_head (16 bytes), uint32 count}, padded to 24 bytes.
//
// Divergences, besides Dlist's (no NULL-head handling, no ilist.h Asserts such as count > 0 before
// a delete, no ILIST_DEBUG): dclist_push_head and dclist_pop_head_node read the count before
// relinking and store it changed by one afterwards, where C updates it after relinking. The two
// differ only if the relinking writes over the count itself (a corrupted list whose links point
// into the head); the contexts have always done it this way, and the fuzz corpus pins it.
using System.Runtime.CompilerServices;
using Allocator.Sim;

namespace Allocator.Common;

/// <summary>ilist.h's dclist operations on counted list heads in simulated memory.</summary>
public static class Dclist
{
    /// <summary>Offset of dclist_head.count: right after the dlist_head.</summary>
    public const ulong OffCount = Dlist.SizeOfNode;
    /// <summary>sizeof(dclist_head): the dlist_head, the uint32 count, and 4 bytes of padding.</summary>
    public const ulong SizeOfHead = 24;

    /// <summary>dclist_init: an empty list with count 0.</summary>
    public static void DclistInit(this SimMemory mem, ulong head)
    {
        mem.DlistInit(head);
        mem.WriteU32(head + OffCount, 0);
    }

    /// <summary>dclist_count: the stored count (not a walk).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint DclistCount(this SimMemory mem, ulong head) => mem.ReadU32(head + OffCount);

    /// <summary>dclist_push_head: <paramref name="node"/> becomes the first element; count + 1.</summary>
    public static void DclistPushHead(this SimMemory mem, ulong head, ulong node)
    {
        uint count = mem.ReadU32(head + OffCount);
        mem.DlistPushHead(head, node);
        mem.WriteU32(head + OffCount, count + 1);
    }

    /// <summary>dclist_delete_from: unlinks <paramref name="node"/>, which must be on this list;
    /// count - 1.</summary>
    public static void DclistDeleteFrom(this SimMemory mem, ulong head, ulong node)
    {
        mem.DlistDelete(node);
        mem.WriteU32(head + OffCount, mem.ReadU32(head + OffCount) - 1);
    }

    /// <summary>dclist_pop_head_node: unlinks and returns the first node; count - 1. The list must
    /// not be empty (not asserted, as in Dlist.DlistHeadNode).</summary>
    public static ulong DclistPopHeadNode(this SimMemory mem, ulong head)
    {
        uint count = mem.ReadU32(head + OffCount);
        ulong node = mem.DlistHeadNode(head);
        mem.DlistDelete(node);
        mem.WriteU32(head + OffCount, count - 1);
        return node;
    }

    /// <summary>dclist_foreach_modify: Dlist's DlistForeachModify over the list part.</summary>
    public static DlistMutableIter DclistForeachModify(this SimMemory mem, ulong head) => mem.DlistForeachModify(head);

    /// <summary>dclist_foreach, optionally bounded as Dlist's DlistForeach.</summary>
    public static DlistIter DclistForeach(this SimMemory mem, ulong head, ulong nodesMax = ulong.MaxValue) => mem.DlistForeach(head, nodesMax);
}
