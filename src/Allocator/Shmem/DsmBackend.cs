// DsmBackend: one simulated backend's side of dsm.c (src/backend/storage/ipc/dsm.c, PostgreSQL 17):
// its dsm_segment_list (newest first), dsm_init_done, its CurrentResourceOwner, its DSM address
// slice, and the entry points dsm_create, dsm_attach, dsm_detach, dsm_backend_shutdown,
// dsm_detach_all, dsm_pin_mapping, dsm_unpin_mapping, dsm_pin_segment, dsm_unpin_segment,
// dsm_find_mapping, dsm_segment_address, dsm_segment_map_length, dsm_segment_handle, on_dsm_detach,
// cancel_on_dsm_detach, reset_on_dsm_detach and dsm_create_descriptor.
//
// The control segment is read and written through this backend's SimMemory only while it holds
// DynamicSharedMemoryControlLock (taken through its SyncBackend, so through the seam). The one
// unlocked access in dsm.c, dsm_detach's check that a segment it is about to destroy is not pinned,
// goes through the seam as a SharedRead32.
//
// Reference counting, as in PostgreSQL: a slot's refcnt is 0 when free, 1 while its segment is
// being destroyed (attach and unpin skip it, create cannot reuse it), and otherwise 1 plus one per
// backend mapping plus one for a pin. The destroyer drops the lock between the decrement to 1 and
// the reset to 0 (the object is unlinked in between).
//
// Errors: ERRORs are PgErrorExceptions thrown where PostgreSQL raises them, including those raised
// while the control lock is held (dsm_pin_segment, dsm_unpin_segment); the caller's error recovery
// (AbortCleanup, standing for AbortTransaction's LWLockReleaseAll and resource owner release) then
// releases the lock. Callbacks run with interrupts held off; a callback that throws leaves them
// held, as in C, until AbortCleanup.
//
// Divergences: no main-region segments (see DsmControl); the postmaster and single-user-mode
// assertions have no counterpart; a descriptor is marked Freed instead of pfree'd and every entry
// point asserts it is not (C would silently read freed memory).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Shmem;

public sealed class DsmBackend
{
    public DsmControl Control { get; }
    public SyncBackend Backend { get; }
    public DsmAddressSpace AddressSpace { get; }
    public SimMemory Memory => Backend.Memory;
    public ISyncRuntime Runtime => Backend.Runtime;
    public int MyProcNumber => Backend.MyProcNumber;

    /// <summary>CurrentResourceOwner: new descriptors are remembered by it; null = session lifetime.</summary>
    public DsmResourceOwner? CurrentResourceOwner { get; set; }

    /// <summary>dsm_segment_list: First is the head (the newest descriptor).</summary>
    private readonly LinkedList<DsmSegment> dsm_segment_list = new();
    private readonly Dictionary<DsmSegment, LinkedListNode<DsmSegment>> _nodes = new(ReferenceEqualityComparer.Instance);
    private bool dsm_init_done;
    private SimRegion? _controlMapping;

    internal DsmBackend(DsmControl control, SyncBackend backend)
    {
        Control = control;
        Backend = backend;
        AddressSpace = new DsmAddressSpace(backend.Memory, backend.MyProcNumber);
        _controlMapping = backend.Memory.Regions.First(r => ReferenceEquals(r.Backing, control.ControlBacking));
    }

    /// <summary>The descriptors, head (newest) first.</summary>
    public IReadOnlyCollection<DsmSegment> Segments => dsm_segment_list;

    /// <summary>False after dsm_detach_all unmapped the control segment.</summary>
    public bool ControlMapped => _controlMapping is not null;

    private LWLock ControlLock => Control.DynamicSharedMemoryControlLock;
    private ulong Item(uint slot) => Control.ItemAddr(slot);
    private uint NItems => Memory.ReadU32(Control.Base + OFF_nitems);
    private uint MaxItems => Memory.ReadU32(Control.Base + OFF_maxitems);
    private uint Refcnt(uint slot) => Memory.ReadU32(Item(slot) + ITEM_OFF_refcnt);
    private void SetRefcnt(uint slot, uint v) => Memory.WriteU32(Item(slot) + ITEM_OFF_refcnt, v);
    private uint Handle(uint slot) => Memory.ReadU32(Item(slot) + ITEM_OFF_handle);
    private bool Pinned(uint slot) => Memory.ReadU8(Item(slot) + ITEM_OFF_pinned) != 0;
    private void SetPinned(uint slot, bool v) => Memory.WriteU8(Item(slot) + ITEM_OFF_pinned, v ? (byte)1 : (byte)0);

    private void LockControl() => Backend.LWLocks.LWLockAcquire(ControlLock, LWLockMode.LW_EXCLUSIVE);
    private void UnlockControl() => Backend.LWLocks.LWLockRelease(ControlLock);

    private bool ImplOp(dsm_op op, DsmSegment seg, ulong size, DsmElevel elevel) =>
        Control.Impl.dsm_impl_op(op, seg.handle, size, ref seg.impl_private, ref seg.mapped_address,
            ref seg.mapped_size, elevel, AddressSpace);

    /// <summary>dsm_backend_startup: nothing to map without EXEC_BACKEND.</summary>
    private void dsm_backend_startup() => dsm_init_done = true;

    /// <summary>dsm_create: a new segment of <paramref name="size"/> bytes, mapped in this backend,
    /// with refcnt 2 (this mapping plus the "not being destroyed" 1). Null only with
    /// DSM_CREATE_NULL_IF_MAXSEGMENTS when every slot is taken.</summary>
    public DsmSegment? dsm_create(ulong size, int flags = 0)
    {
        if (!dsm_init_done) dsm_backend_startup();

        DsmSegment seg = dsm_create_descriptor();

        // Without preallocated main-region space, always a new implementation segment: draw even
        // handles until the implementation accepts one (it refuses names that exist).
        for (;;)
        {
            Pg.Assert(seg.mapped_address == 0 && seg.mapped_size == 0);
            seg.handle = Control.pg_prng_uint32() << 1;
            if (seg.handle == DSM_HANDLE_INVALID) continue; // the sentinel is never a handle
            if (ImplOp(dsm_op.DSM_OP_CREATE, seg, size, DsmElevel.ERROR)) break;
        }
        LockControl();

        // Reuse the first free slot below the high-water mark.
        uint nitems = NItems;
        for (uint i = 0; i < nitems; ++i)
        {
            if (Refcnt(i) == 0)
            {
                Pg.Assert(!is_main_region_dsm_handle(seg.handle));
                FillSlot(i, seg.handle);
                seg.control_slot = i;
                UnlockControl();
                return seg;
            }
        }

        if (nitems >= MaxItems)
        {
            UnlockControl();
            ImplOp(dsm_op.DSM_OP_DESTROY, seg, 0, DsmElevel.WARNING);
            seg.resowner?.ResourceOwnerForgetDSM(seg);
            RemoveDescriptor(seg);
            if ((flags & DSM_CREATE_NULL_IF_MAXSEGMENTS) != 0) return null;
            throw new PgErrorException("too many dynamic shared memory segments");
        }

        FillSlot(nitems, seg.handle);
        seg.control_slot = nitems;
        Memory.WriteU32(Control.Base + OFF_nitems, nitems + 1);
        UnlockControl();
        return seg;
    }

    /// <summary>Claims slot <paramref name="i"/> for a new segment (lock held). refcnt starts at 2:
    /// 1 would mean "being destroyed".</summary>
    private void FillSlot(uint i, uint handle)
    {
        Memory.WriteU32(Item(i) + ITEM_OFF_handle, handle);
        SetRefcnt(i, 2);
        Memory.WriteU64(Item(i) + ITEM_OFF_impl_private_pm_handle, 0);
        SetPinned(i, false);
    }

    /// <summary>dsm_attach: maps the live segment named <paramref name="h"/>, or returns null if no
    /// slot holds it with refcnt >= 2 (it is gone or being destroyed).</summary>
    public DsmSegment? dsm_attach(uint h)
    {
        if (!dsm_init_done) dsm_backend_startup();

        // a cheap cross-check PostgreSQL keeps in production builds: one mapping per backend
        foreach (DsmSegment s in dsm_segment_list)
        {
            if (s.handle == h) throw new PgErrorException("can't attach the same segment more than once");
        }

        DsmSegment seg = dsm_create_descriptor();
        seg.handle = h;

        LockControl();
        uint nitems = NItems;
        for (uint i = 0; i < nitems; ++i)
        {
            // 0: free; 1: going away, and its handle may be reused by another slot already
            if (Refcnt(i) <= 1) continue;
            if (Handle(i) != seg.handle) continue;
            SetRefcnt(i, Refcnt(i) + 1);
            seg.control_slot = i;
            break;
        }
        UnlockControl();

        if (seg.control_slot == INVALID_CONTROL_SLOT)
        {
            dsm_detach(seg);
            return null;
        }

        ImplOp(dsm_op.DSM_OP_ATTACH, seg, 0, DsmElevel.ERROR);
        return seg;
    }

    /// <summary>dsm_backend_shutdown: detaches every segment, newest first.</summary>
    public void dsm_backend_shutdown()
    {
        while (dsm_segment_list.First is { } n) dsm_detach(n.Value);
    }

    /// <summary>dsm_detach_all: as dsm_backend_shutdown, then unmaps the control segment too (a
    /// process that should not use DSM at all). Any later use of DSM in this backend faults.</summary>
    public void dsm_detach_all()
    {
        while (dsm_segment_list.First is { } n) dsm_detach(n.Value);
        if (_controlMapping is not null)
        {
            Memory.UnmapRegion(_controlMapping);
            _controlMapping = null;
        }
    }

    /// <summary>dsm_detach: runs the on-detach callbacks (newest first, each popped before it runs),
    /// unmaps, drops this backend's reference, and destroys the segment if that was the last one.</summary>
    public void dsm_detach(DsmSegment seg)
    {
        CheckLive(seg);

        // Popping before calling means a callback that fails is not run again by the retry.
        Backend.HOLD_INTERRUPTS();
        while (seg.on_detach.Count > 0)
        {
            (on_dsm_detach_callback function, ulong arg) = seg.on_detach[0];
            seg.on_detach.RemoveAt(0);
            function(seg, arg);
        }
        Backend.RESUME_INTERRUPTS();

        // Unmap before dropping the reference: whoever sees the count reach 1 knows no mapping is left.
        if (seg.mapped_address != 0)
        {
            ImplOp(dsm_op.DSM_OP_DETACH, seg, 0, DsmElevel.WARNING);
            seg.impl_private = null;
            seg.mapped_address = 0;
            seg.mapped_size = 0;
        }

        if (seg.control_slot != INVALID_CONTROL_SLOT)
        {
            uint control_slot = seg.control_slot;
            LockControl();
            Pg.Assert(Handle(control_slot) == seg.handle);
            Pg.Assert(Refcnt(control_slot) > 1);
            uint refcnt = Refcnt(control_slot) - 1;
            SetRefcnt(control_slot, refcnt);
            seg.control_slot = INVALID_CONTROL_SLOT;
            UnlockControl();

            if (refcnt == 1)
            {
                // unlocked, as in dsm.c: a pin would have kept the count above 1
                Pg.Assert((Runtime.SharedRead32(Item(control_slot) + ITEM_OFF_pinned) & 0xff) == 0);

                // A failed destroy leaves refcnt at 1: nobody can attach, and the slot stays taken.
                if (ImplOp(dsm_op.DSM_OP_DESTROY, seg, 0, DsmElevel.WARNING))
                {
                    LockControl();
                    Pg.Assert(Handle(control_slot) == seg.handle);
                    Pg.Assert(Refcnt(control_slot) == 1);
                    SetRefcnt(control_slot, 0);
                    UnlockControl();
                }
            }
        }

        seg.resowner?.ResourceOwnerForgetDSM(seg);
        RemoveDescriptor(seg);
    }

    /// <summary>dsm_pin_mapping: the mapping lasts until the session ends (no resource owner).</summary>
    public void dsm_pin_mapping(DsmSegment seg)
    {
        CheckLive(seg);
        if (seg.resowner is not null)
        {
            seg.resowner.ResourceOwnerForgetDSM(seg);
            seg.resowner = null;
        }
    }

    /// <summary>dsm_unpin_mapping: hands a session-lifetime mapping to CurrentResourceOwner.</summary>
    public void dsm_unpin_mapping(DsmSegment seg)
    {
        CheckLive(seg);
        Pg.Assert(seg.resowner is null);
        Pg.Assert(CurrentResourceOwner is not null); // C would dereference NULL
        CurrentResourceOwner.ResourceOwnerEnlarge();
        seg.resowner = CurrentResourceOwner;
        seg.resowner.ResourceOwnerRememberDSM(seg);
    }

    /// <summary>dsm_pin_segment: the segment survives with no mapping until dsm_unpin_segment (the pin
    /// is one more reference). ERROR if already pinned, raised with the control lock held.</summary>
    public void dsm_pin_segment(DsmSegment seg)
    {
        CheckLive(seg);
        LockControl();
        if (Pinned(seg.control_slot))
            throw new PgErrorException("cannot pin a segment that is already pinned");
        // dsm_impl_pin_segment has nothing to do outside Windows: impl_private_pm_handle stays 0
        SetPinned(seg.control_slot, true);
        SetRefcnt(seg.control_slot, Refcnt(seg.control_slot) + 1);
        Memory.WriteU64(Item(seg.control_slot) + ITEM_OFF_impl_private_pm_handle, 0);
        UnlockControl();
    }

    /// <summary>dsm_unpin_segment: drops the pin's reference, by handle (the caller need not map the
    /// segment), destroying the segment if it was the last one. ERRORs (lock held) if no live slot
    /// has the handle, or it is not pinned.</summary>
    public void dsm_unpin_segment(uint handle)
    {
        uint control_slot = INVALID_CONTROL_SLOT;
        bool destroy = false;

        LockControl();
        for (uint i = 0; i < NItems; ++i)
        {
            if (Refcnt(i) <= 1) continue; // free, or going away
            if (Handle(i) == handle)
            {
                control_slot = i;
                break;
            }
        }

        if (control_slot == INVALID_CONTROL_SLOT)
            throw new PgErrorException("cannot unpin unknown segment handle");
        if (!Pinned(control_slot))
            throw new PgErrorException("cannot unpin a segment that is not pinned");
        Pg.Assert(Refcnt(control_slot) > 1);

        // (dsm_impl_unpin_segment: Windows only)
        uint refcnt = Refcnt(control_slot) - 1;
        SetRefcnt(control_slot, refcnt);
        if (refcnt == 1) destroy = true;
        SetPinned(control_slot, false);
        UnlockControl();

        if (destroy)
        {
            // This backend cannot map the segment (its mapping would have kept the count above 1).
            SimRegion? junkImplPrivate = null;
            ulong junkAddress = 0, junkSize = 0;
            if (Control.Impl.dsm_impl_op(dsm_op.DSM_OP_DESTROY, handle, 0, ref junkImplPrivate, ref junkAddress,
                    ref junkSize, DsmElevel.WARNING, AddressSpace))
            {
                LockControl();
                Pg.Assert(Handle(control_slot) == handle);
                Pg.Assert(Refcnt(control_slot) == 1);
                SetRefcnt(control_slot, 0);
                UnlockControl();
            }
        }
    }

    /// <summary>dsm_find_mapping: this backend's descriptor for <paramref name="handle"/>, or null.</summary>
    public DsmSegment? dsm_find_mapping(uint handle)
    {
        foreach (DsmSegment seg in dsm_segment_list)
        {
            if (seg.handle == handle) return seg;
        }
        return null;
    }

    /// <summary>dsm_segment_address: where the segment is mapped in THIS backend.</summary>
    public static ulong dsm_segment_address(DsmSegment seg)
    {
        CheckLive(seg);
        Pg.Assert(seg.mapped_address != 0);
        return seg.mapped_address;
    }

    /// <summary>dsm_segment_map_length.</summary>
    public static ulong dsm_segment_map_length(DsmSegment seg)
    {
        CheckLive(seg);
        Pg.Assert(seg.mapped_address != 0);
        return seg.mapped_size;
    }

    /// <summary>dsm_segment_handle: the name other backends attach with.</summary>
    public static uint dsm_segment_handle(DsmSegment seg) => seg.handle;

    /// <summary>on_dsm_detach: registers a callback; the newest runs first.</summary>
    public static void on_dsm_detach(DsmSegment seg, on_dsm_detach_callback function, ulong arg)
    {
        CheckLive(seg);
        seg.on_detach.Insert(0, (function, arg));
    }

    /// <summary>cancel_on_dsm_detach: removes the newest registration of (function, arg), if any.</summary>
    public static void cancel_on_dsm_detach(DsmSegment seg, on_dsm_detach_callback function, ulong arg)
    {
        CheckLive(seg);
        for (int i = 0; i < seg.on_detach.Count; i++)
        {
            if (seg.on_detach[i].function == function && seg.on_detach[i].arg == arg)
            {
                seg.on_detach.RemoveAt(i);
                break;
            }
        }
    }

    /// <summary>reset_on_dsm_detach: forgets every callback and every reference without running or
    /// dropping them (a child process that must not touch its parent's segments): the descriptors
    /// stay, with control_slot INVALID, so detaching them later leaves the counts alone.</summary>
    public void reset_on_dsm_detach()
    {
        foreach (DsmSegment seg in dsm_segment_list)
        {
            seg.on_detach.Clear();
            seg.control_slot = INVALID_CONTROL_SLOT;
        }
    }

    /// <summary>dsm_create_descriptor: a new descriptor at the head of the list, remembered by
    /// CurrentResourceOwner if there is one.</summary>
    private DsmSegment dsm_create_descriptor()
    {
        CurrentResourceOwner?.ResourceOwnerEnlarge();
        var seg = new DsmSegment(this);
        _nodes.Add(seg, dsm_segment_list.AddFirst(seg));
        seg.resowner = CurrentResourceOwner;
        CurrentResourceOwner?.ResourceOwnerRememberDSM(seg);
        return seg;
    }

    /// <summary>dlist_delete + pfree.</summary>
    private void RemoveDescriptor(DsmSegment seg)
    {
        dsm_segment_list.Remove(_nodes[seg]);
        _nodes.Remove(seg);
        seg.Freed = true;
    }

    private static void CheckLive(DsmSegment seg)
    {
        ArgumentNullException.ThrowIfNull(seg);
        Pg.Assert(!seg.Freed); // use of a pfree'd dsm_segment
    }

    /// <summary>Error recovery after a caught ERROR (AbortTransaction's part for DSM): release every
    /// LWLock, clear the interrupt holdoff, and release CurrentResourceOwner (detaching what it owns).</summary>
    public void AbortCleanup()
    {
        Backend.LWLocks.LWLockReleaseAll();
        Backend.InterruptHoldoffCount = 0;
        CurrentResourceOwner?.ResourceOwnerRelease(isCommit: false, Control.Elog);
    }

    /// <summary>Backend exit: dsm_backend_shutdown (as on_shmem_exit), then the sync backend's exit;
    /// the proc number is free to attach again.</summary>
    public void Exit()
    {
        dsm_backend_shutdown();
        Backend.Exit();
        Control.Detached(this);
    }
}
