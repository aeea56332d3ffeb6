// DsmCheck: the invariant walker for the DSM control segment, the simulated implementation's
// objects and every attached backend's descriptors and mappings (dsm.c, PostgreSQL 17). Run at
// quiescence: no backend inside a dsm.c routine (so no slot is between its decrement to 1 and its
// reset to 0, and nobody holds the control lock). It only reads, through the control's own mapping
// and each backend's SimMemory, never through the seam. A violation names its number.
//
//   DSM1   the header is sane (dsm_control_segment_sane): the mapping holds the header, magic is
//          PG_DYNSHMEM_CONTROL_MAGIC, maxitems items fit in the mapping, nitems <= maxitems; and
//          maxitems is PG_DYNSHMEM_FIXED_SLOTS + PG_DYNSHMEM_SLOTS_PER_BACKEND * MaxBackends.
//   DSM2   slots at or above nitems were never used: all their bytes are zero.
//   DSM3   no slot has refcnt 1 (a segment being destroyed) at quiescence: the simulated destroy
//          cannot fail, so nothing is left moribund.
//   DSM4   every live slot (refcnt >= 2) has a valid, even (not main-region) handle, different from
//          the control segment's, and no two live slots share a handle.
//   DSM5   the live slots and the implementation's objects correspond: each live slot's handle
//          names an object, and every object but the control segment is named by a live slot (no
//          leaked segment, no segment destroyed while referenced).
//   DSM6   refcnt of a live slot = 1 + (pinned ? 1 : 0) + the number of descriptors, over all
//          attached backends, that hold a reference in it (control_slot == the slot). (A backend
//          that ran reset_on_dsm_detach has given its references to no one: this then fails, as it
//          should outside a forked child.)
//   DSM7   a slot that is not live is not pinned; no slot has main-region pages (first_page,
//          npages) or a Windows postmaster handle.
//   DSM8   per backend: each descriptor is its own and not freed, handles are unique within the
//          backend, and a descriptor holding a slot holds a live slot with its handle.
//   DSM9   per backend: a descriptor is mapped (mapped_address != 0) iff it has its region and a
//          size; a mapping lies in the backend's own slice, is mapped in the backend's memory at
//          mapped_address with length mapped_size, and maps the implementation object's bytes
//          while the object exists; a descriptor holding a slot is mapped.
//   DSM10  per backend: every region in the backend's DSM slice belongs to one of its descriptors
//          (no leaked mapping); the control segment is mapped at its base unless dsm_detach_all
//          unmapped it.
//   DSM11  per backend: resource owners agree with descriptors: a descriptor's owner remembers it,
//          and everything CurrentResourceOwner remembers is a live descriptor of this backend
//          that names it as owner.
//   DSM12  nobody holds DynamicSharedMemoryControlLock.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Sim;
using Allocator.Sync;
using static Allocator.Shmem.DsmConstants;

namespace Allocator.Shmem;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static class DsmCheck
{
    public static List<string> Check(DsmControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        var errors = new List<string>();
        SimMemory m = control.InitMemory;
        ulong mapped = (ulong)control.ControlBacking.LongLength;

        // DSM1
        if (mapped < OFF_item)
        {
            errors.Add($"DSM1: control segment of {mapped} bytes cannot hold its header");
            return errors;
        }
        uint magic = control.Magic, nitems = control.NItems, maxitems = control.MaxItems;
        bool sane = true;
        if (magic != PG_DYNSHMEM_CONTROL_MAGIC) { errors.Add($"DSM1: magic is 0x{magic:x}, not 0x{PG_DYNSHMEM_CONTROL_MAGIC:x}"); sane = false; }
        if (dsm_control_bytes_needed(maxitems) > mapped) { errors.Add($"DSM1: maxitems {maxitems} does not fit in {mapped} bytes"); sane = false; }
        if (nitems > maxitems) { errors.Add($"DSM1: nitems {nitems} > maxitems {maxitems}"); sane = false; }
        if (maxitems != control.MaxItemsFor(control.Options.MaxBackends))
            errors.Add($"DSM1: maxitems {maxitems}, but MaxBackends {control.Options.MaxBackends} gives {control.MaxItemsFor(control.Options.MaxBackends)}");
        if (!sane) return errors; // iterating the items could overrun the mapping

        // DSM2
        for (uint i = nitems; i < maxitems; i++)
        {
            ReadOnlySpan<byte> item = m.ReadSpan(control.ItemAddr(i), SIZEOF_dsm_control_item);
            if (item.IndexOfAnyExcept((byte)0) >= 0) errors.Add($"DSM2: slot {i} at or above nitems {nitems} is not zero");
        }

        // references held by descriptors, per slot
        IReadOnlyList<DsmBackend?> backends = control.Backends;
        var held = new int[nitems];
        foreach (DsmBackend? b in backends)
        {
            if (b is null) continue;
            foreach (DsmSegment s in b.Segments)
            {
                if (s.control_slot != INVALID_CONTROL_SLOT && s.control_slot < nitems) held[s.control_slot]++;
            }
        }

        var objects = control.Impl.Objects();
        var objectByHandle = objects.ToDictionary(kv => kv.Key, kv => kv.Value);
        var liveByHandle = new Dictionary<uint, uint>();
        for (uint i = 0; i < nitems; i++)
        {
            ulong a = control.ItemAddr(i);
            uint handle = m.ReadU32(a + ITEM_OFF_handle);
            uint refcnt = m.ReadU32(a + ITEM_OFF_refcnt);
            bool pinned = m.ReadU8(a + ITEM_OFF_pinned) != 0;

            if (refcnt == 1) errors.Add($"DSM3: slot {i} (handle {handle}) is left being destroyed (refcnt 1)");

            if (refcnt >= 2)
            {
                // DSM4
                if (handle == DSM_HANDLE_INVALID) errors.Add($"DSM4: live slot {i} has the invalid handle");
                if (is_main_region_dsm_handle(handle)) errors.Add($"DSM4: live slot {i} has an odd (main-region) handle {handle}");
                if (handle == control.dsm_control_handle) errors.Add($"DSM4: live slot {i} has the control segment's handle {handle}");
                if (liveByHandle.TryGetValue(handle, out uint other)) errors.Add($"DSM4: slots {other} and {i} both hold handle {handle}");
                else liveByHandle.Add(handle, i);

                // DSM5
                if (!objectByHandle.ContainsKey(handle)) errors.Add($"DSM5: live slot {i}'s segment {handle} does not exist");

                // DSM6
                uint expect = 1 + (pinned ? 1u : 0u) + (uint)held[i];
                if (refcnt != expect)
                    errors.Add($"DSM6: slot {i} (handle {handle}) has refcnt {refcnt}, expected {expect} (1 + pin {(pinned ? 1 : 0)} + {held[i]} mappings)");
            }
            else
            {
                // DSM7 (not live)
                if (pinned) errors.Add($"DSM7: slot {i} is pinned but not live (refcnt {refcnt})");
                if (held[i] > 0) errors.Add($"DSM6: slot {i} is not live (refcnt {refcnt}) but {held[i]} descriptors hold it");
            }
            if (m.ReadU64(a + ITEM_OFF_first_page) != 0 || m.ReadU64(a + ITEM_OFF_npages) != 0)
                errors.Add($"DSM7: slot {i} has main-region pages");
            if (m.ReadU64(a + ITEM_OFF_impl_private_pm_handle) != 0)
                errors.Add($"DSM7: slot {i} has a postmaster handle");
        }

        // DSM5, the other direction
        foreach (var kv in objects)
        {
            if (kv.Key == control.dsm_control_handle) continue;
            if (!liveByHandle.ContainsKey(kv.Key)) errors.Add($"DSM5: segment {kv.Key} exists but no live slot names it");
        }
        if (!objectByHandle.ContainsKey(control.dsm_control_handle))
            errors.Add($"DSM5: the control segment {control.dsm_control_handle} does not exist");

        foreach (DsmBackend? b in backends)
        {
            if (b is not null) CheckBackend(control, b, nitems, liveByHandle, objectByHandle, errors);
        }

        // DSM12
        uint state = m.ReadU32(control.DynamicSharedMemoryControlLock.StateAddr);
        if ((state & LWLockConstants.LW_LOCK_MASK) != 0)
            errors.Add($"DSM12: {DsmControl.ControlLockName} is held (state 0x{state:x})");
        return errors;
    }

    private static void CheckBackend(DsmControl control, DsmBackend b, uint nitems, Dictionary<uint, uint> liveByHandle,
        Dictionary<uint, byte[]> objectByHandle, List<string> errors)
    {
        string who = $"backend {b.MyProcNumber}";
        var handles = new HashSet<uint>();
        var regions = new HashSet<SimRegion>(ReferenceEqualityComparer.Instance);
        SimMemory mem = b.Memory;

        foreach (DsmSegment s in b.Segments)
        {
            // DSM8
            if (!ReferenceEquals(s.Owner, b)) errors.Add($"DSM8: {who}: holds a descriptor of backend {s.Owner.MyProcNumber}");
            if (s.Freed) errors.Add($"DSM8: {who}: descriptor for {s.handle} is freed but still listed");
            if (!handles.Add(s.handle)) errors.Add($"DSM8: {who}: two descriptors for segment {s.handle}");
            if (s.control_slot != INVALID_CONTROL_SLOT)
            {
                if (s.control_slot >= nitems)
                    errors.Add($"DSM8: {who}: descriptor for {s.handle} holds slot {s.control_slot} >= nitems {nitems}");
                else if (!liveByHandle.TryGetValue(s.handle, out uint slot) || slot != s.control_slot)
                    errors.Add($"DSM8: {who}: descriptor for {s.handle} holds slot {s.control_slot}, which is not live with that handle");
            }

            // DSM9
            bool mappedAddr = s.mapped_address != 0;
            if (mappedAddr != (s.impl_private is not null) || mappedAddr != (s.mapped_size != 0))
            {
                errors.Add($"DSM9: {who}: descriptor for {s.handle} has address 0x{s.mapped_address:x}, size {s.mapped_size}, region {(s.impl_private is null ? "none" : "set")}");
                continue;
            }
            if (!mappedAddr)
            {
                if (s.control_slot != INVALID_CONTROL_SLOT) errors.Add($"DSM9: {who}: descriptor for {s.handle} holds slot {s.control_slot} but is not mapped");
                continue;
            }
            SimRegion r = s.impl_private!;
            regions.Add(r);
            if (!b.AddressSpace.Contains(s.mapped_address))
                errors.Add($"DSM9: {who}: segment {s.handle} is mapped at 0x{s.mapped_address:x}, outside its slice");
            if (r.Base != s.mapped_address || r.Length != s.mapped_size)
                errors.Add($"DSM9: {who}: segment {s.handle}'s region is 0x{r.Base:x}+{r.Length}, descriptor says 0x{s.mapped_address:x}+{s.mapped_size}");
            if (!mem.Regions.Contains(r))
                errors.Add($"DSM9: {who}: segment {s.handle}'s region is not mapped in its memory");
            if (objectByHandle.TryGetValue(s.handle, out byte[]? bytes) && !ReferenceEquals(bytes, r.Backing))
                errors.Add($"DSM9: {who}: segment {s.handle} maps bytes other than the segment's");
        }

        // DSM10
        foreach (SimRegion r in b.AddressSpace.Mappings())
        {
            if (!regions.Contains(r)) errors.Add($"DSM10: {who}: mapping {r.Name} at 0x{r.Base:x} belongs to no descriptor");
        }
        if (b.ControlMapped && !mem.Regions.Any(r => r.Base == control.Base && ReferenceEquals(r.Backing, control.ControlBacking)))
            errors.Add($"DSM10: {who}: the control segment is not mapped at 0x{control.Base:x}");

        // DSM11
        foreach (DsmSegment s in b.Segments)
        {
            if (s.resowner is not null && !s.resowner.Segments.Contains(s))
                errors.Add($"DSM11: {who}: descriptor for {s.handle} names owner {s.resowner.Name}, which does not remember it");
        }
        if (b.CurrentResourceOwner is { } owner)
        {
            foreach (DsmSegment s in owner.Segments)
            {
                if (s.Freed || !ReferenceEquals(s.Owner, b) || !ReferenceEquals(s.resowner, owner))
                    errors.Add($"DSM11: {who}: owner {owner.Name} remembers segment {s.handle}, which is not its live descriptor");
            }
        }
    }
}
