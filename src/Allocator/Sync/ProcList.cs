// ProcList: doubly linked lists of PGPROCs threaded through a proclist_node in PGPROC, linked by
// proc number rather than pointer (src/include/storage/proclist.h, proclist_types.h). Which node
// is the last argument, an offset into PGPROC (proclist.h's *_offset functions); it defaults to
// lwWaitLink, the LWLock wait lists' node, and condition variables pass cvWaitLink.
//
// A node with next == prev == 0 is in no list (proc 0 can never be both neighbours of one node),
// which proclist_delete restores and proclist_push_* asserts. The head is a (head, tail) pair of
// proc numbers: in shared memory for an LWLock's wait list, or a local variable for the wakeup
// list a releaser builds; in a condition variable for its wakeup list. Callers hold the list's
// lock (wait-list lock, CV mutex), so plain memory accesses are enough and no scheduling point is
// needed.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Sync;

public struct ProcListHead
{
    public int head;
    public int tail;

    public static ProcListHead Empty => new() { head = LWLockConstants.INVALID_PROC_NUMBER, tail = LWLockConstants.INVALID_PROC_NUMBER };

    public readonly bool IsEmpty => head == LWLockConstants.INVALID_PROC_NUMBER;

    public static ProcListHead Load(SimMemory mem, ulong addr) =>
        new() { head = unchecked((int)mem.ReadU32(addr)), tail = unchecked((int)mem.ReadU32(addr + 4)) };

    public readonly void Store(SimMemory mem, ulong addr)
    {
        mem.WriteU32(addr, unchecked((uint)head));
        mem.WriteU32(addr + 4, unchecked((uint)tail));
    }
}

public static class ProcList
{
    /// <summary>offsetof(PGPROC, lwWaitLink): the default node.</summary>
    public const ulong LwWaitLink = PgProcLayout.OFF_lwWaitLink_next;

    /// <summary>offsetof(PGPROC, cvWaitLink).</summary>
    public const ulong CvWaitLink = PgProcLayout.OFF_cvWaitLink_next;

    private static ulong Node(SyncSegment seg, int procno, ulong node) => seg.ProcAddr(procno) + node;

    public static int Next(SimMemory mem, SyncSegment seg, int procno, ulong node = LwWaitLink) =>
        unchecked((int)mem.ReadU32(Node(seg, procno, node)));

    public static int Prev(SimMemory mem, SyncSegment seg, int procno, ulong node = LwWaitLink) =>
        unchecked((int)mem.ReadU32(Node(seg, procno, node) + 4));

    private static void Set(SimMemory mem, SyncSegment seg, int procno, int next, int prev, ulong node)
    {
        ulong n = Node(seg, procno, node);
        mem.WriteU32(n, unchecked((uint)next));
        mem.WriteU32(n + 4, unchecked((uint)prev));
    }

    public static bool InNoList(SimMemory mem, SyncSegment seg, int procno, ulong node = LwWaitLink) =>
        Next(mem, seg, procno, node) == 0 && Prev(mem, seg, procno, node) == 0;

    /// <summary>proclist_push_head.</summary>
    public static void PushHead(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno, ulong node = LwWaitLink)
    {
        Pg.Assert(InNoList(mem, seg, procno, node));
        if (list.head == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.tail == LWLockConstants.INVALID_PROC_NUMBER);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, LWLockConstants.INVALID_PROC_NUMBER, node);
            list.tail = procno;
        }
        else
        {
            Pg.Assert(list.tail != LWLockConstants.INVALID_PROC_NUMBER);
            Pg.Assert(list.head != procno);
            Set(mem, seg, procno, list.head, LWLockConstants.INVALID_PROC_NUMBER, node);
            Set(mem, seg, list.head, Next(mem, seg, list.head, node), procno, node);
        }
        list.head = procno;
    }

    /// <summary>proclist_push_tail.</summary>
    public static void PushTail(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno, ulong node = LwWaitLink)
    {
        Pg.Assert(InNoList(mem, seg, procno, node));
        if (list.tail == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.head == LWLockConstants.INVALID_PROC_NUMBER);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, LWLockConstants.INVALID_PROC_NUMBER, node);
            list.head = procno;
        }
        else
        {
            Pg.Assert(list.head != LWLockConstants.INVALID_PROC_NUMBER);
            Pg.Assert(list.tail != procno);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, list.tail, node);
            Set(mem, seg, list.tail, procno, Prev(mem, seg, list.tail, node), node);
        }
        list.tail = procno;
    }

    /// <summary>proclist_delete: unlinks <paramref name="procno"/>, which must be on <paramref name="list"/>.</summary>
    public static void Delete(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno, ulong node = LwWaitLink)
    {
        int next = Next(mem, seg, procno, node), prev = Prev(mem, seg, procno, node);
        Pg.Assert(next != 0 || prev != 0);
        if (prev == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.head == procno);
            list.head = next;
        }
        else
        {
            Set(mem, seg, prev, next, Prev(mem, seg, prev, node), node);
        }
        if (next == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.tail == procno);
            list.tail = prev;
        }
        else
        {
            Set(mem, seg, next, Next(mem, seg, next, node), prev, node);
        }
        Set(mem, seg, procno, 0, 0, node);
    }

    /// <summary>proclist_contains: O(1), trusting that a linked node is on <paramref name="list"/>
    /// (true of a node that only ever joins one list at a time, as cvWaitLink, whose CV is the
    /// backend's one sleep target); the head and tail cases are asserted, as proclist.h does.</summary>
    public static bool ContainsLinked(SimMemory mem, SyncSegment seg, ProcListHead list, int procno, ulong node)
    {
        int next = Next(mem, seg, procno, node), prev = Prev(mem, seg, procno, node);
        if (prev == 0 && next == 0) return false;
        Pg.Assert(prev != LWLockConstants.INVALID_PROC_NUMBER || list.head == procno);
        Pg.Assert(next != LWLockConstants.INVALID_PROC_NUMBER || list.tail == procno);
        return true;
    }

    /// <summary>proclist_pop_head_node: unlinks and returns the head, which must exist.</summary>
    public static int PopHead(SimMemory mem, SyncSegment seg, ref ProcListHead list, ulong node = LwWaitLink)
    {
        Pg.Assert(!list.IsEmpty);
        int procno = list.head;
        Delete(mem, seg, ref list, procno, node);
        return procno;
    }

    /// <summary>Membership by walking the list (checkers only).</summary>
    public static bool Contains(SimMemory mem, SyncSegment seg, ProcListHead list, int procno, ulong node = LwWaitLink)
    {
        int steps = 0;
        for (int cur = list.head; cur != LWLockConstants.INVALID_PROC_NUMBER; cur = Next(mem, seg, cur, node))
        {
            if (cur == procno) return true;
            if (++steps > seg.NumProcs) return false; // a cycle: the checker reports it separately
        }
        return false;
    }
}
