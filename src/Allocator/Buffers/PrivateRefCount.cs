// PrivateRefCount: one backend's pin bookkeeping (bufmgr.c PrivateRefCountArray,
// PrivateRefCountHash, PrivateRefCountOverflowed, PrivateRefCountClock, ReservedRefCountEntry,
// PostgreSQL 17). The shared refcount in the state word counts backends; how many times this
// backend pins a buffer lives here, so the shared word changes only on the first pin and last unpin.
//
// REFCOUNT_ARRAY_ENTRIES (8) slots are searched linearly; beyond that, entries spill into a hash.
// This is backend-local memory, not shared memory, so the hash is a Dictionary; anything that
// iterates it does so in buffer order, so that output is deterministic.
//
// Reservation: a slot must be reserved before the caller takes any spinlock, since spilling into
// the hash may allocate; NewPrivateRefCountEntry then only consumes the reservation.
//
// Divergence: entries are small objects rather than struct slots addressed by pointer; "is this
// an array slot" is a reference comparison against the eight array objects.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

/// <summary>PrivateRefCountEntry: {buffer, refcount}; an empty array slot has buffer == InvalidBuffer.</summary>
public sealed class PrivateRefCountEntry
{
    public int buffer;
    public int refcount;

    public override string ToString() => $"{{buffer {buffer}, refcount {refcount}}}";
}

public sealed class PrivateRefCount
{
    private readonly PrivateRefCountEntry[] PrivateRefCountArray = new PrivateRefCountEntry[REFCOUNT_ARRAY_ENTRIES];
    private readonly Dictionary<int, PrivateRefCountEntry> PrivateRefCountHash = new(PRIVATE_REFCOUNT_HASH_SIZE);
    private int PrivateRefCountOverflowed;
    private uint PrivateRefCountClock;
    private PrivateRefCountEntry? ReservedRefCountEntry;

    public PrivateRefCount()
    {
        for (int i = 0; i < REFCOUNT_ARRAY_ENTRIES; i++) PrivateRefCountArray[i] = new PrivateRefCountEntry();
    }

    /// <summary>Entries currently in the overflow hash.</summary>
    public int Overflowed => PrivateRefCountOverflowed;

    public int HashCount => PrivateRefCountHash.Count;

    public bool HasReservation => ReservedRefCountEntry is not null;

    /// <summary>Whether <paramref name="entry"/> is one of the array slots (as opposed to a hash entry).</summary>
    public bool IsArraySlot(PrivateRefCountEntry entry) => Array.IndexOf(PrivateRefCountArray, entry) >= 0;

    /// <summary>ReservePrivateRefCountEntry: make sure a free array slot is reserved, pushing the
    /// clock's victim into the hash if all eight are in use.</summary>
    public void ReservePrivateRefCountEntry()
    {
        if (ReservedRefCountEntry is not null) return;

        // first, a free array slot
        foreach (PrivateRefCountEntry res in PrivateRefCountArray)
        {
            if (res.buffer == InvalidBuffer)
            {
                ReservedRefCountEntry = res;
                return;
            }
        }

        // all in use: move one to the hash, round robin
        PrivateRefCountEntry victim = PrivateRefCountArray[PrivateRefCountClock++ % REFCOUNT_ARRAY_ENTRIES];
        Pg.Assert(victim.buffer != InvalidBuffer);
        bool added = PrivateRefCountHash.TryAdd(victim.buffer, new PrivateRefCountEntry { buffer = victim.buffer, refcount = victim.refcount });
        Pg.Assert(added); // !found
        victim.buffer = InvalidBuffer;
        victim.refcount = 0;
        ReservedRefCountEntry = victim;
        PrivateRefCountOverflowed++;
    }

    /// <summary>NewPrivateRefCountEntry: fill the reserved slot with {buffer, 0}. Never allocates.</summary>
    public PrivateRefCountEntry NewPrivateRefCountEntry(int buffer)
    {
        Pg.Assert(ReservedRefCountEntry is not null);
        PrivateRefCountEntry res = ReservedRefCountEntry;
        ReservedRefCountEntry = null;
        res.buffer = buffer;
        res.refcount = 0;
        return res;
    }

    /// <summary>GetPrivateRefCountEntry: this backend's entry for <paramref name="buffer"/>, or null.
    /// With <paramref name="do_move"/>, an entry found in the hash is moved into an array slot
    /// (which may push another entry into the hash) and the slot is returned.</summary>
    public PrivateRefCountEntry? GetPrivateRefCountEntry(int buffer, bool do_move)
    {
        Pg.Assert(buffer > 0); // BufferIsValid and not local

        foreach (PrivateRefCountEntry res in PrivateRefCountArray)
        {
            if (res.buffer == buffer) return res;
        }

        // only look in the hash if something was ever spilled into it
        if (PrivateRefCountOverflowed == 0) return null;

        if (!PrivateRefCountHash.TryGetValue(buffer, out PrivateRefCountEntry? hashed)) return null;
        if (!do_move) return hashed;

        // move it back into the array, where lookups are cheap
        ReservePrivateRefCountEntry();
        PrivateRefCountEntry free = ReservedRefCountEntry!;
        ReservedRefCountEntry = null;
        Pg.Assert(free.buffer == InvalidBuffer);
        free.buffer = buffer;
        free.refcount = hashed.refcount;
        bool found = PrivateRefCountHash.Remove(buffer);
        Pg.Assert(found);
        Pg.Assert(PrivateRefCountOverflowed > 0);
        PrivateRefCountOverflowed--;
        return free;
    }

    /// <summary>GetPrivateRefCount: how many times this backend pins <paramref name="buffer"/>.</summary>
    public int GetPrivateRefCount(int buffer)
    {
        PrivateRefCountEntry? r = GetPrivateRefCountEntry(buffer, false);
        return r is null ? 0 : r.refcount;
    }

    /// <summary>ForgetPrivateRefCountEntry: drop an entry whose count reached 0; a freed array slot
    /// becomes the reservation.</summary>
    public void ForgetPrivateRefCountEntry(PrivateRefCountEntry entry)
    {
        Pg.Assert(entry.refcount == 0);
        if (IsArraySlot(entry))
        {
            entry.buffer = InvalidBuffer;
            // the slot is free: keep it as the reservation, saving the next reserve a search
            ReservedRefCountEntry = entry;
        }
        else
        {
            bool found = PrivateRefCountHash.Remove(entry.buffer);
            Pg.Assert(found);
            Pg.Assert(PrivateRefCountOverflowed > 0);
            PrivateRefCountOverflowed--;
        }
    }

    /// <summary>Every live entry, array slots first (in slot order), then the hash in buffer order.</summary>
    public IEnumerable<PrivateRefCountEntry> Entries()
    {
        foreach (PrivateRefCountEntry res in PrivateRefCountArray)
            if (res.buffer != InvalidBuffer) yield return res;
        foreach (int k in PrivateRefCountHash.Keys.Order())
            yield return PrivateRefCountHash[k];
    }

    /// <summary>The array slot holding <paramref name="buffer"/>, or -1 (for tests).</summary>
    public int ArraySlotOf(int buffer)
    {
        for (int i = 0; i < REFCOUNT_ARRAY_ENTRIES; i++)
            if (PrivateRefCountArray[i].buffer == buffer) return i;
        return -1;
    }

    public bool InHash(int buffer) => PrivateRefCountHash.ContainsKey(buffer);

    /// <summary>P1 of spec §19.5, as violation strings: a buffer at most once across array and
    /// hash, Overflowed == hash size, every count positive, the reservation an empty array slot.</summary>
    public List<string> CheckP1(string who)
    {
        var errors = new List<string>();
        var seen = new HashSet<int>();
        foreach (PrivateRefCountEntry e in Entries())
        {
            if (!seen.Add(e.buffer)) errors.Add($"P1: {who}: buffer {e.buffer} appears twice in the private refcounts");
            if (e.refcount <= 0) errors.Add($"P1: {who}: buffer {e.buffer} has private refcount {e.refcount}");
        }
        if (PrivateRefCountOverflowed != PrivateRefCountHash.Count)
            errors.Add($"P1: {who}: PrivateRefCountOverflowed is {PrivateRefCountOverflowed} but the hash holds {PrivateRefCountHash.Count}");
        if (ReservedRefCountEntry is not null && (!IsArraySlot(ReservedRefCountEntry) || ReservedRefCountEntry.buffer != InvalidBuffer))
            errors.Add($"P1: {who}: the reserved entry {ReservedRefCountEntry} is not a free array slot");
        return errors;
    }
}
