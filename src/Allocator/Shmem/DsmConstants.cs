// DsmConstants: the constants and the control segment's byte layout of dsm.c / dsm.h / dsm_impl.h
// (src/backend/storage/ipc/dsm.c, PostgreSQL 17), with PostgreSQL's names.
//
// dsm_control_header (64-bit layout, offsets from the control segment's base):
//   +0   magic     uint32  PG_DYNSHMEM_CONTROL_MAGIC
//   +4   nitems    uint32  slots ever used (a high-water mark: it never shrinks)
//   +8   maxitems  uint32  PG_DYNSHMEM_FIXED_SLOTS + PG_DYNSHMEM_SLOTS_PER_BACKEND * MaxBackends
//   +12  (padding: item[] is 8-aligned)
//   +16  item[maxitems], each dsm_control_item (40 bytes):
//          +0  handle                  uint32  dsm_handle
//          +4  refcnt                  uint32  0 = free slot, 1 = being destroyed, 2+ = live
//          +8  first_page              uint64  main-region pages (always 0 here: see DsmControl)
//          +16 npages                  uint64  main-region pages (always 0 here)
//          +24 impl_private_pm_handle  uint64  Windows only; always 0 here
//          +32 pinned                  bool    (+3 bytes padding, then 4 more to 40)
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Shmem;

public static class DsmConstants
{
    /// <summary>PG_DYNSHMEM_CONTROL_MAGIC.</summary>
    public const uint PG_DYNSHMEM_CONTROL_MAGIC = 0x9a503d32;
    /// <summary>PG_DYNSHMEM_FIXED_SLOTS: slots every cluster has whatever MaxBackends is.</summary>
    public const uint PG_DYNSHMEM_FIXED_SLOTS = 64;
    /// <summary>PG_DYNSHMEM_SLOTS_PER_BACKEND.</summary>
    public const uint PG_DYNSHMEM_SLOTS_PER_BACKEND = 5;
    /// <summary>INVALID_CONTROL_SLOT: a descriptor that holds no reference in the control segment.</summary>
    public const uint INVALID_CONTROL_SLOT = uint.MaxValue;
    /// <summary>DSM_HANDLE_INVALID: never a real segment's handle.</summary>
    public const uint DSM_HANDLE_INVALID = 0;
    /// <summary>DSM_CREATE_NULL_IF_MAXSEGMENTS: dsm_create returns null instead of raising an ERROR
    /// when every slot is taken.</summary>
    public const int DSM_CREATE_NULL_IF_MAXSEGMENTS = 0x0001;

    // dsm_control_header
    public const ulong OFF_magic = 0;
    public const ulong OFF_nitems = 4;
    public const ulong OFF_maxitems = 8;
    /// <summary>offsetof(dsm_control_header, item).</summary>
    public const ulong OFF_item = 16;

    // dsm_control_item
    public const ulong ITEM_OFF_handle = 0;
    public const ulong ITEM_OFF_refcnt = 4;
    public const ulong ITEM_OFF_first_page = 8;
    public const ulong ITEM_OFF_npages = 16;
    public const ulong ITEM_OFF_impl_private_pm_handle = 24;
    public const ulong ITEM_OFF_pinned = 32;
    /// <summary>sizeof(dsm_control_item).</summary>
    public const ulong SIZEOF_dsm_control_item = 40;

    /// <summary>dsm_control_bytes_needed: the header plus <paramref name="nitems"/> items.</summary>
    public static ulong dsm_control_bytes_needed(uint nitems) => OFF_item + SIZEOF_dsm_control_item * nitems;

    /// <summary>is_main_region_dsm_handle: odd handles name pieces of the main region's preallocated
    /// DSM space. No such handle is made here (see DsmControl), so every live handle is even.</summary>
    public static bool is_main_region_dsm_handle(uint handle) => (handle & 1) != 0;
}
