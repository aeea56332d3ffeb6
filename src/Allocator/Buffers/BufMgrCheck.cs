// BufMgrCheck: the whole-pool invariant walker (spec §19). It composes the existing walkers
// (BufferCheck: B1-B13, P1-P4; FreelistCheck: F1, F2, F4, F6; DynaHash.Check: DH1-DH7) with the
// checks that need several structures at once. It only reads, through the pool's own mappings,
// never through the seam, and never follows a table link before DynaHash.Check has vouched for the
// chains, so a corrupted pool yields messages, not faults. Each message starts with its id.
//
//   M1  no two BM_TAG_VALID descriptors share a tag.
//   M2  every table entry names a buffer id in range whose descriptor is BM_TAG_VALID with the
//       entry's tag.
//   M3  every BM_TAG_VALID descriptor's tag is in the table, mapped to that descriptor.
//   M4  the table holds at most NBuffers entries (V16+: the old entry is deleted before the new one
//       is inserted).
//   M6  an entry's stored hash value is BufTableHashCode of its tag, and its bucket's low 7 bits are
//       the tag's partition (hash mod NUM_BUFFER_PARTITIONS).
//   B10 BM_IO_IN_PROGRESS => exactly one backend has the I/O in its resource owner; at quiescence
//       no BM_IO_IN_PROGRESS remains (and no resource owner remembers an I/O).
//   B15 BM_PERMANENT agrees with the relation: always set for INIT_FORKNUM, the same for every
//       BM_TAG_VALID buffer of one relation and, when the caller says which relations are
//       permanent, equal to that.
//   D1  a buffer's content lock: an exclusive holder excludes shared ones, and the holder counts in
//       its state word equal the backends' held_lwlocks entries for it.
//   LW1, LW9, LW10 (LWLockCheck.CheckStateWord) on each buffer's content lock word: no undefined
//       bit, shared count <= MAX_BACKENDS and, quiescent, the wait-list lock bit clear.
//   D5  (quiescent) a BM_VALID buffer that is not BM_DIRTY holds the page that is on disk (ignoring
//       pd_checksum, which FlushBuffer sets only on its private copy). A buffer whose page is all
//       zeros is exempt: RBM_ZERO_* modes legitimately leave a zeroed page that differs from disk.
//   D8  (quiescent) a BM_VALID buffer's block exists on disk: after DropRelationBuffers (or a
//       truncation) and the unlink, no buffer of the dropped blocks remains.
//   P5  (ours; quiescent, pool form only) each backend's resource owner remembers as many pins of a
//       buffer as its private refcount holds.
//
// The table's pool: each backend attaches the shared table with its own HTAB, and element_alloc
// (a freelist that ran dry, with shared memory left) records its batch only in the HTAB that did it
// (PostgreSQL records none). DynaHash.Check on the creator's HTAB would then call the other batches'
// elements foreign; the pool form passes every backend's attachment, and DH1/DH3/DH5 are judged
// over the union of their batches.
//
// Not quiescent (some backend parked inside a routine, for instance with a read in flight): a
// buffer whose header lock is held, a tag whose partition lock is held exclusively and the free
// list while buffer_strategy_lock is held are skipped; BufferCheck's B3, B5 and its quiescent B10
// are left out (they only hold between operations), as are F4 and SL, DynaHash.Check while any
// partition lock is held exclusively, and D5/D8 (a write may be under way).
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Buffers.Dynahash;
using Allocator.Sim;
using Allocator.Storage;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

[System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverage]   // oracle code: probestrip keeps SharpFuzz's probes out of it
public static partial class BufMgrCheck
{
    /// <summary>Everything the walker reads, so the parts can be checked on a pool under construction.</summary>
    public sealed record Parts(
        BufferDescriptors Descriptors,
        BufTable Table,
        StrategyControl Strategy,
        IReadOnlyList<BufferPins?> Pins,
        bool Quiescent)
    {
        /// <summary>Whether partition lock i (0..127) is held exclusively; null = none is.</summary>
        public Func<int, bool>? PartitionHeldExclusively { get; init; }

        /// <summary>How many backends' resource owners remember an I/O on buf_id; null = unknown (B10's owner part skipped).</summary>
        public Func<int, int>? IoOwners { get; init; }

        /// <summary>Whether a relation is permanent; null = only the internal-consistency part of B15.</summary>
        public Func<RelFileLocator, bool>? RelationIsPermanent { get; init; }

        /// <summary>Disk and the address of each buffer's page, for D5/D8; null = skipped.</summary>
        public SimStorage? Storage { get; init; }
        public Func<int, ulong>? BufHdrGetBlock { get; init; }
        public SimMemory? BlockMemory { get; init; }
        public int BlckSz { get; init; }

        /// <summary>Backends' lock bookkeeping for D1; null entries are skipped.</summary>
        public IReadOnlyList<SyncBackend?>? Backends { get; init; }

        /// <summary>Every other attachment of the same table (each backend's): element batches they
        /// carved out count as the table's pool too (see the header).</summary>
        public IReadOnlyList<BufTable>? Attachments { get; init; }
    }

    /// <summary>The whole pool, with its attached backends (spec §19). <paramref name="quiescent"/>: no
    /// backend is inside a buffer-manager or lock routine. <paramref name="relationIsPermanent"/>, when
    /// given, is the truth B15 compares BM_PERMANENT with.</summary>
    public static List<string> Check(BufferPool pool, IReadOnlyList<BufMgr> backends, bool quiescent,
        Func<RelFileLocator, bool>? relationIsPermanent = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(backends);
        SimMemory m = pool.InitMemory;
        var parts = new Parts(pool.Descriptors, pool.Table, pool.Strategy, backends.Select(b => (BufferPins?)b.Pins).ToArray(), quiescent)
        {
            PartitionHeldExclusively = i => (m.ReadU32(pool.Sync.GetLWLock(i).StateAddr) & LWLockConstants.LW_VAL_EXCLUSIVE) != 0,
            IoOwners = id => backends.Count(b => b.Owner.IOs.Contains(id + 1)),
            RelationIsPermanent = relationIsPermanent,
            Storage = pool.Storage,
            BufHdrGetBlock = pool.BufHdrGetBlock,
            BlockMemory = m,
            BlckSz = pool.BlckSz,
            Backends = backends.Select(b => (SyncBackend?)b.Backend).ToArray(),
            Attachments = backends.Select(b => b.Table).ToArray(),
        };
        List<string> errors = CheckParts(parts);
        if (quiescent) CheckOwnerPins(backends, errors);
        return errors;
    }

    /// <summary>P5 (ours): between operations, each backend's resource owner remembers exactly as many
    /// pins of a buffer as its private refcount says (every pin goes through both).</summary>
    private static void CheckOwnerPins(IReadOnlyList<BufMgr> backends, List<string> errors)
    {
        foreach (BufMgr b in backends)
        {
            var owned = new SortedDictionary<int, int>();
            foreach (int buffer in b.Owner.Pins) owned[buffer] = owned.GetValueOrDefault(buffer) + 1;
            foreach (PrivateRefCountEntry e in b.Pins.Refs.Entries())
                if (!owned.ContainsKey(e.buffer)) owned[e.buffer] = 0;
            foreach (var (buffer, count) in owned)
            {
                int priv = b.Pins.Refs.GetPrivateRefCount(buffer);
                if (priv != count)
                    errors.Add($"P5: backend {b.Backend.MyProcNumber}: buffer {buffer}: private refcount {priv} but the resource owner remembers {count} pin(s)");
            }
        }
    }

    private static string Name(int bufId, uint s) => $"buffer {bufId + 1} (state 0x{s:x8})";

    /// <summary>The composed check over explicit parts.</summary>
    public static List<string> CheckParts(Parts p)
    {
        var errors = new List<string>();
        BufferDescriptors descs = p.Descriptors;
        SimMemory m = descs.InitMemory;
        int n = descs.NBuffers;
        var states = new uint[n];
        for (int i = 0; i < n; i++) states[i] = m.ReadU32(descs.GetBufferDescriptor(i).StateAddr);

        // BufferCheck: B1-B13, P1-P4.
        List<string> be = BufferCheck.Check(descs, p.Pins);
        if (p.Quiescent)
        {
            // its B10 says only "left at quiescence": ours says more, so keep one of them
            errors.AddRange(be.Where(e => !e.StartsWith("B10:", StringComparison.Ordinal)));
        }
        else
        {
            foreach (string e in be)
            {
                if (e.StartsWith("B3:", StringComparison.Ordinal) || e.StartsWith("B5:", StringComparison.Ordinal)
                    || e.StartsWith("B10:", StringComparison.Ordinal)) continue;
                int id = BufferIdInMessage(e);
                if (id > 0 && id <= n && (states[id - 1] & BM_LOCKED) != 0) continue;
                errors.Add(e);
            }
        }

        // FreelistCheck: F1, F2, F4, F6, SL.
        if (p.Quiescent)
            errors.AddRange(FreelistCheck.Check(p.Strategy));
        else if (!p.Strategy.LockHeld(m))
            errors.AddRange(FreelistCheck.Check(p.Strategy).Where(e =>
                !e.StartsWith("F4:", StringComparison.Ordinal) && !e.StartsWith("SL:", StringComparison.Ordinal)));

        CheckMapping(p, states, errors);
        CheckIo(p, states, errors);
        CheckPermanence(p, states, errors);
        CheckContentLocks(p, states, errors);
        if (p.Quiescent) CheckDisk(p, states, errors);
        return errors;
    }

    /// <summary>"Xn: buffer K ..." -> K, or -1.</summary>
    private static int BufferIdInMessage(string e)
    {
        const string key = ": buffer ";
        int at = e.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return -1;
        int start = at + key.Length, end = start;
        while (end < e.Length && char.IsAsciiDigit(e[end])) end++;
        return end > start && int.TryParse(e.AsSpan(start, end - start), out int v) ? v : -1;
    }

    /// <summary>Not quiescent and the tag's partition lock held exclusively (someone may be changing
    /// the tag's entry); at quiescence every partition is judged.</summary>
    private static bool PartitionBusy(Parts p, in BufferTag tag) =>
        !p.Quiescent && p.PartitionHeldExclusively is { } f && f(BufTable.BufTableHashPartition(BufTable.BufTableHashCode(tag)));

    // ------------------------------------------------------------------ M1-M4, M6

    private static void CheckMapping(Parts p, uint[] states, List<string> errors)
    {
        BufferDescriptors descs = p.Descriptors;
        SimMemory m = descs.InitMemory;
        int n = descs.NBuffers;
        bool anyPartitionBusy = false;
        if (p.PartitionHeldExclusively is { } f)
            for (int i = 0; i < BufTable.NUM_BUFFER_PARTITIONS && !anyPartitionBusy; i++) anyPartitionBusy = f(i);

        // M1, descriptors only
        var owner = new Dictionary<BufferTag, int>();
        var tags = new BufferTag?[n];
        for (int i = 0; i < n; i++)
        {
            uint s = states[i];
            if ((s & BM_TAG_VALID) == 0) continue;
            if (!p.Quiescent && (s & BM_LOCKED) != 0) continue;
            BufferTag tag = BufferDescriptors.ReadTag(m, descs.GetBufferDescriptor(i));
            tags[i] = tag;
            if (owner.TryGetValue(tag, out int other))
                errors.Add($"M1: buffers {other + 1} and {i + 1} both hold {tag.RelPath()} block {tag.BlockNum}");
            else
                owner.Add(tag, i);
        }

        // The table's own walker first; its chains are followed only when it found them sound.
        DynaHash h = p.Table.Hash;
        if (!p.Quiescent && anyPartitionBusy) return;
        List<string> dh = h.Check();
        if (OtherAttachmentsAllocated(p, out var pool))
        {
            // DynaHash.Check knows only its own HTAB's batches: judge DH1, DH3 and DH5 over all of them
            dh = dh.Where(e => !e.StartsWith("DH1:", StringComparison.Ordinal) && !e.StartsWith("DH3:", StringComparison.Ordinal)
                && !e.StartsWith("DH5:", StringComparison.Ordinal)).ToList();
            if (!dh.Any(e => e.StartsWith("DH7:", StringComparison.Ordinal))) dh.AddRange(PoolAccounting(h, pool));
        }
        errors.AddRange(p.Quiescent ? dh : dh.Where(e => !e.StartsWith("DH6:", StringComparison.Ordinal)));
        if (dh.Any(e => e.StartsWith("DH1:", StringComparison.Ordinal) || e.StartsWith("DH7:", StringComparison.Ordinal)))
        {
            errors.Add("M2: the buffer table's chains are unsound (see DH1/DH7); M2, M3, M4 and M6 not judged");
            return;
        }

        SimMemory tm = h.Mem;
        var entries = new Dictionary<BufferTag, int>();
        long count = 0;
        for (uint b = 0; b <= h.MaxBucket; b++)
        {
            for (ulong e = tm.ReadU64(h.BucketHeadAddr(b)); e != 0; e = tm.ReadU64(e + DynaHash.ElemOffLink))
            {
                count++;
                ulong key = DynaHash.ElementKey(e);
                BufferTag tag = BufferTag.Read(tm, key);
                int id = (int)tm.ReadU32(key + BufTable.OffId);
                uint hv = tm.ReadU32(e + DynaHash.ElemOffHashValue);
                uint expect = BufTable.BufTableHashCode(tag);
                string what = $"entry {tag.RelPath()} block {tag.BlockNum} -> {id}";

                if (hv != expect)
                    errors.Add($"M6: {what}: stored hash 0x{hv:x8}, BufTableHashCode 0x{expect:x8}");
                if (b % BufTable.NUM_BUFFER_PARTITIONS != (uint)BufTable.BufTableHashPartition(expect))
                    errors.Add($"M6: {what}: in bucket {b}, whose low 7 bits are not partition {BufTable.BufTableHashPartition(expect)}");
                entries.TryAdd(tag, id);

                if (PartitionBusy(p, tag)) continue;
                if (id < 0 || id >= n)
                    errors.Add($"M2: {what}: buffer id out of range 0..{n - 1}");
                else if ((states[id] & BM_TAG_VALID) == 0)
                    errors.Add($"M2: {what}: {Name(id, states[id])} is not BM_TAG_VALID");
                else if (tags[id] is BufferTag dt && dt != tag)
                    errors.Add($"M2: {what}: {Name(id, states[id])} holds {dt.RelPath()} block {dt.BlockNum}");
            }
        }

        if (count > n) errors.Add($"M4: the buffer table holds {count} entries, more than NBuffers {n}");

        for (int i = 0; i < n; i++)
        {
            if (tags[i] is not BufferTag tag || PartitionBusy(p, tag)) continue;
            if (!entries.TryGetValue(tag, out int id))
                errors.Add($"M3: {Name(i, states[i])} holds {tag.RelPath()} block {tag.BlockNum}, which is not in the buffer table");
            else if (id != i && owner.GetValueOrDefault(tag, -1) == i)
                errors.Add($"M3: {Name(i, states[i])} holds {tag.RelPath()} block {tag.BlockNum}, but the table maps it to buffer {id + 1}");
        }
    }

    /// <summary>True (with the union of element batches) when some attachment other than the
    /// checked HTAB carved out elements the checked HTAB does not know about.</summary>
    private static bool OtherAttachmentsAllocated(Parts p, out List<(ulong First, long Count)> pool)
    {
        var known = new SortedDictionary<ulong, long>();
        foreach (var (first, count) in p.Table.Hash.Batches) known[first] = count;
        int own = known.Count;
        if (p.Attachments is not null)
            foreach (BufTable t in p.Attachments)
                foreach (var (first, count) in t.Hash.Batches) known.TryAdd(first, count);
        pool = known.Select(kv => (kv.Key, kv.Value)).ToList();
        return known.Count != own;
    }

    /// <summary>DynaHash.Check's DH1, DH3 and DH5 over the union of every attachment's batches.</summary>
    private static List<string> PoolAccounting(DynaHash h, List<(ulong First, long Count)> batches)
    {
        var errors = new List<string>();
        SimMemory mem = h.Mem;
        ulong elementSize = h.ElementSize;
        var pool = new HashSet<ulong>();
        long poolSize = 0;
        foreach (var (first, count) in batches)
        {
            poolSize += count;
            for (long i = 0; i < count; i++) pool.Add(first + (ulong)i * elementSize);
        }
        var where = new Dictionary<ulong, string>();
        bool Visit(ulong e, string place)
        {
            if (!pool.Contains(e)) { errors.Add($"DH1: {place} links to 0x{e:x}, which is not an element of any attachment's pool"); return false; }
            if (where.TryGetValue(e, out string? other))
            {
                errors.Add(other == place ? $"DH1: {place} reaches element 0x{e:x} twice (a cycle)" : $"DH1: element 0x{e:x} is in {other} and in {place}");
                return false;
            }
            where.Add(e, place);
            return true;
        }

        long free = 0, chained = 0;
        for (int i = 0; i < DynaHash.NUM_FREELISTS; i++)
            for (ulong e = h.FreeListHead(i); e != 0; e = mem.ReadU64(e + DynaHash.ElemOffLink))
            {
                if (!Visit(e, $"freelist {i}")) break;
                free++;
            }
        var perFreelist = new long[DynaHash.NUM_FREELISTS];
        for (uint b = 0; b <= h.MaxBucket; b++)
            for (ulong e = mem.ReadU64(h.BucketHeadAddr(b)); e != 0; e = mem.ReadU64(e + DynaHash.ElemOffLink))
            {
                if (!Visit(e, $"bucket {b}")) break;
                chained++;
                perFreelist[h.FreelistIdx(mem.ReadU32(e + DynaHash.ElemOffHashValue))]++;
            }

        long sum = 0;
        for (int i = 0; i < DynaHash.NUM_FREELISTS; i++) sum += h.FreeListNEntries(i);
        if (sum != chained) errors.Add($"DH3: the freelists' nentries sum to {sum}, but {chained} elements are in bucket chains");
        if (h.IsPartitioned)
            for (int i = 0; i < DynaHash.NUM_FREELISTS; i++)
                if (h.FreeListNEntries(i) != perFreelist[i])
                    errors.Add($"DH3: freelist {i} has nentries {h.FreeListNEntries(i)}, but {perFreelist[i]} chained entries hash to it");
        if (chained + free != poolSize) errors.Add($"DH5: {chained} chained + {free} free elements != pool size {poolSize} (all attachments)");
        return errors;
    }

    // ------------------------------------------------------------------ B10

    private static void CheckIo(Parts p, uint[] states, List<string> errors)
    {
        for (int i = 0; i < states.Length; i++)
        {
            uint s = states[i];
            int owners = p.IoOwners?.Invoke(i) ?? -1;
            bool io = (s & BM_IO_IN_PROGRESS) != 0;
            if (io)
            {
                if (p.Quiescent)
                    errors.Add($"B10: {Name(i, s)}: BM_IO_IN_PROGRESS left at quiescence");
                if (BUF_STATE_GET_REFCOUNT(s) == 0 && !(!p.Quiescent && (s & BM_LOCKED) != 0))
                    errors.Add($"B10: {Name(i, s)}: BM_IO_IN_PROGRESS on an unpinned buffer");
                if (owners >= 0 && owners != 1 && (p.Quiescent || (s & BM_LOCKED) == 0))
                    errors.Add($"B10: {Name(i, s)}: BM_IO_IN_PROGRESS with {owners} resource owner(s) remembering the I/O, not exactly one");
            }
            else if (owners > 0 && (p.Quiescent || (s & BM_LOCKED) == 0))
            {
                // between StartBufferIO's unlock and ResourceOwnerRememberBufferIO the flag is set
                // and the owner does not know yet; the reverse (owner knows, flag clear) only inside
                // TerminateBufferIO, which is not quiescent.
                if (p.Quiescent)
                    errors.Add($"B10: {Name(i, s)}: {owners} resource owner(s) remember an I/O that is not in progress");
            }
        }
    }

    // ------------------------------------------------------------------ B15

    private static void CheckPermanence(Parts p, uint[] states, List<string> errors)
    {
        SimMemory m = p.Descriptors.InitMemory;
        var perRel = new Dictionary<RelFileLocator, (int Buf, bool Perm)>();
        for (int i = 0; i < states.Length; i++)
        {
            uint s = states[i];
            if ((s & BM_TAG_VALID) == 0 || (!p.Quiescent && (s & BM_LOCKED) != 0)) continue;
            BufferTag tag = BufferDescriptors.ReadTag(m, p.Descriptors.GetBufferDescriptor(i));
            var rel = new RelFileLocator(tag.SpcOid, tag.DbOid, tag.RelNumber);
            bool perm = (s & BM_PERMANENT) != 0;
            if (tag.ForkNum == ForkNumber.INIT_FORKNUM)
            {
                if (!perm) errors.Add($"B15: {Name(i, s)}: an init fork page ({tag.RelPath()}) without BM_PERMANENT");
                continue;
            }
            if (p.RelationIsPermanent is { } isPerm && isPerm(rel) != perm)
                errors.Add($"B15: {Name(i, s)}: BM_PERMANENT is {perm} but relation {tag.RelPath()} is {(isPerm(rel) ? "permanent" : "not permanent")}");
            if (perRel.TryGetValue(rel, out var first))
            {
                if (first.Perm != perm)
                    errors.Add($"B15: {Name(i, s)}: BM_PERMANENT is {perm} but buffer {first.Buf + 1} of the same relation {tag.RelPath()} has {first.Perm}");
            }
            else
            {
                perRel.Add(rel, (i, perm));
            }
        }
    }

    // ------------------------------------------------------------------ D1

    private static void CheckContentLocks(Parts p, uint[] states, List<string> errors)
    {
        BufferDescriptors descs = p.Descriptors;
        SimMemory m = descs.InitMemory;
        int n = descs.NBuffers;
        var ex = new int[n];
        var sh = new int[n];
        foreach (SyncBackend? b in p.Backends ?? [])
        {
            if (b is null) continue;
            for (int h = 0; h < b.LWLocks.NumHeld; h++)
            {
                var held = b.LWLocks.Held(h);
                int id = descs.BufIdOf(new BufferDesc(held.Lock.Address - BufferDescLayout.OFF_content_lock));
                if (id < 0) continue;
                if (held.Mode == LWLockMode.LW_EXCLUSIVE) ex[id]++;
                else sh[id]++;
            }
        }
        for (int i = 0; i < n; i++)
        {
            uint ls = m.ReadU32(descs.GetBufferDescriptor(i).ContentLock.StateAddr);
            bool lex = (ls & LWLockConstants.LW_VAL_EXCLUSIVE) != 0;
            uint lsh = ls & LWLockConstants.LW_SHARED_MASK;
            string name = $"buffer {i + 1} (content lock 0x{ls:x8})";
            if (lex && lsh != 0) errors.Add($"D1: {name}: exclusive and {lsh} shared holders at once");
            // LW9/LW10 always; LW1 (the wait-list lock bit) only between operations.
            LWLockCheck.CheckStateWord(ls, name, p.Quiescent, errors);
            // Without the backends' bookkeeping only the word itself is judged; a backend inside
            // LWLockAcquire/Release is between word and list.
            if (p.Backends is null || !p.Quiescent) continue;
            if ((lex ? 1 : 0) != ex[i]) errors.Add($"D1: {name}: exclusive bit is {lex} but {ex[i]} backend(s) hold it exclusively");
            if (lsh != (uint)sh[i]) errors.Add($"D1: {name}: shared count {lsh} but {sh[i]} backend(s) hold it shared");
        }
    }

    // ------------------------------------------------------------------ D5, D8

    private static void CheckDisk(Parts p, uint[] states, List<string> errors)
    {
        if (p.Storage is not SimStorage st || p.BufHdrGetBlock is null || p.BlockMemory is null) return;
        SimMemory m = p.Descriptors.InitMemory;
        for (int i = 0; i < states.Length; i++)
        {
            uint s = states[i];
            if ((s & BM_VALID) == 0 || (s & BM_TAG_VALID) == 0) continue;
            BufferTag tag = BufferDescriptors.ReadTag(m, p.Descriptors.GetBufferDescriptor(i));
            var rel = new RelFileLocator(tag.SpcOid, tag.DbOid, tag.RelNumber);
            if (tag.ForkNum < ForkNumber.MAIN_FORKNUM || tag.ForkNum > ForkNumber.INIT_FORKNUM
                || !st.Exists(rel, tag.ForkNum) || tag.BlockNum >= st.Nblocks(rel, tag.ForkNum))
            {
                errors.Add($"D8: {Name(i, s)}: valid page of {tag.RelPath()} block {tag.BlockNum}, which does not exist on disk");
                continue;
            }
            if ((s & BM_DIRTY) != 0) continue;
            byte[] page = p.BlockMemory.ReadSpan(p.BufHdrGetBlock(i), (ulong)p.BlckSz).ToArray();
            if (PageHeader.IsAllZeros(page)) continue;
            byte[] disk = st.PeekBlock(rel, tag.ForkNum, tag.BlockNum);
            PageHeader.SetChecksum(page, 0);
            PageHeader.SetChecksum(disk, 0);
            if (!page.AsSpan().SequenceEqual(disk))
            {
                int at = page.AsSpan().CommonPrefixLength(disk);
                errors.Add($"D5: {Name(i, s)}: clean page of {tag.RelPath()} block {tag.BlockNum} differs from disk at byte {at}");
            }
        }
    }
}
