// ProcList: doubly linked lists of PGPROCs threaded through PGPROC.lwWaitLink, linked by proc
// number rather than pointer (src/include/storage/proclist.h, proclist_types.h).
//
// A node with next == prev == 0 is in no list (proc 0 can never be both neighbours of one node),
// which proclist_delete restores and proclist_push_* asserts. The head is a (head, tail) pair of
// proc numbers: in shared memory for an LWLock's wait list, or a local variable for the wakeup
// list a releaser builds. Callers hold the list's wait-list lock, so plain memory accesses are
// enough and no scheduling point is needed.
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
    private static ulong Node(SyncSegment seg, int procno) => seg.ProcAddr(procno) + PgProcLayout.OFF_lwWaitLink_next;

    public static int Next(SimMemory mem, SyncSegment seg, int procno) => unchecked((int)mem.ReadU32(Node(seg, procno)));

    public static int Prev(SimMemory mem, SyncSegment seg, int procno) => unchecked((int)mem.ReadU32(Node(seg, procno) + 4));

    private static void Set(SimMemory mem, SyncSegment seg, int procno, int next, int prev)
    {
        ulong n = Node(seg, procno);
        mem.WriteU32(n, unchecked((uint)next));
        mem.WriteU32(n + 4, unchecked((uint)prev));
    }

    public static bool InNoList(SimMemory mem, SyncSegment seg, int procno) =>
        Next(mem, seg, procno) == 0 && Prev(mem, seg, procno) == 0;

    /// <summary>proclist_push_head.</summary>
    public static void PushHead(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno)
    {
        Pg.Assert(InNoList(mem, seg, procno));
        if (list.head == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.tail == LWLockConstants.INVALID_PROC_NUMBER);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, LWLockConstants.INVALID_PROC_NUMBER);
            list.tail = procno;
        }
        else
        {
            Pg.Assert(list.tail != LWLockConstants.INVALID_PROC_NUMBER);
            Pg.Assert(list.head != procno);
            Set(mem, seg, procno, list.head, LWLockConstants.INVALID_PROC_NUMBER);
            Set(mem, seg, list.head, Next(mem, seg, list.head), procno);
        }
        list.head = procno;
    }

    /// <summary>proclist_push_tail.</summary>
    public static void PushTail(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno)
    {
        Pg.Assert(InNoList(mem, seg, procno));
        if (list.tail == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.head == LWLockConstants.INVALID_PROC_NUMBER);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, LWLockConstants.INVALID_PROC_NUMBER);
            list.head = procno;
        }
        else
        {
            Pg.Assert(list.head != LWLockConstants.INVALID_PROC_NUMBER);
            Pg.Assert(list.tail != procno);
            Set(mem, seg, procno, LWLockConstants.INVALID_PROC_NUMBER, list.tail);
            Set(mem, seg, list.tail, procno, Prev(mem, seg, list.tail));
        }
        list.tail = procno;
    }

    /// <summary>proclist_delete: unlinks <paramref name="procno"/>, which must be on <paramref name="list"/>.</summary>
    public static void Delete(SimMemory mem, SyncSegment seg, ref ProcListHead list, int procno)
    {
        int next = Next(mem, seg, procno), prev = Prev(mem, seg, procno);
        Pg.Assert(next != 0 || prev != 0);
        if (prev == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.head == procno);
            list.head = next;
        }
        else
        {
            Set(mem, seg, prev, next, Prev(mem, seg, prev));
        }
        if (next == LWLockConstants.INVALID_PROC_NUMBER)
        {
            Pg.Assert(list.tail == procno);
            list.tail = prev;
        }
        else
        {
            Set(mem, seg, next, Next(mem, seg, next), prev);
        }
        Set(mem, seg, procno, 0, 0);
    }

    /// <summary>proclist_contains (by walking; used by checkers only).</summary>
    public static bool Contains(SimMemory mem, SyncSegment seg, ProcListHead list, int procno)
    {
        int steps = 0;
        for (int cur = list.head; cur != LWLockConstants.INVALID_PROC_NUMBER; cur = Next(mem, seg, cur))
        {
            if (cur == procno) return true;
            if (++steps > seg.NumProcs) return false; // a cycle: the checker reports it separately
        }
        return false;
    }
}
