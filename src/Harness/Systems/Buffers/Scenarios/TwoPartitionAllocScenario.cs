// two-partition-alloc (issue 13, scenario 11; spec §6.6, §18 rule 2): the historical BufferAlloc
// of PostgreSQL 15 and before (BufferAllocVariant.V15TwoPartitionLocks, BufMgr.ReadV15.cs), which
// renames a valid victim while holding the mapping partition locks of its old tag and of the new
// tag together, the lower partition number first. The relation's blocks are chosen so that only
// two partitions are in play: blocks Pa, Pb hash to partition p and Qa, Qb to partition q (p < q;
// found once by hashing the relation's first blocks). The pool has two buffers, filled before the
// iteration with Pa and Qa by a setup backend, so every miss evicts and most evictions cross: even
// backends update q blocks, odd backends p blocks (alternating the two of their partition), so a
// backend reading a q block that evicts a p block holds p and q while another, reading a p block
// that evicts a q block, wants the same pair from the other side. Taken in partition order the
// two cannot wait on each other; BufferCanary.TwoPartitionLocksNewFirst takes the new tag's lock
// first, and the explorer reports the wait-for cycle (a deadlock).
//
// Each op as in victim-race: pin the block, take the content lock exclusively, check the value is
// the last one written, increment it, mark the buffer dirty, unlock, release (so most victims are
// dirty and are written first, under their share content lock, before the partition locks are
// taken). Checked after every step while the block is pinned: the buffer still carries the block's
// tag and is valid (no pinned buffer evicted), and holds the block's last written value (same page
// for the same tag, no write lost); at the end every block's value in the pool or on disk is its
// last one, then the pool walk (BufMgrCheck). "no unpinned buffers available" (both buffers pinned
// during a lap of the clock, possible with more than two backends) aborts the op.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using Harness.Explore.Scenarios;
using Harness.Systems.Buffers.Oracle;

namespace Harness.Systems.Buffers.Scenarios;

public sealed class TwoPartitionAllocScenario : BufferScenarioInstance
{
    public const int NBuffers = 2;

    /// <summary>The two blocks of partition P (the lower) and the two of partition Q.</summary>
    public static readonly (int Pa, int Pb, int Qa, int Qb, int P, int Q) Blocks = FindBlocks();

    /// <summary>The relation's size: every chosen block exists.</summary>
    public static int RelPages => Math.Max(Math.Max(Blocks.Pa, Blocks.Pb), Math.Max(Blocks.Qa, Blocks.Qb)) + 1;

    private readonly ulong[] _expected = new ulong[RelPages];
    private static readonly int[] Chosen = [Blocks.Pa, Blocks.Pb, Blocks.Qa, Blocks.Qb];
    private readonly int[][] _plan;

    /// <param name="checkLockOrder">false turns the §18 lock-order checker off for this pool's
    /// backends, so a lock-order canary can only be caught by the deadlock it causes.</param>
    public TwoPartitionAllocScenario(ScenarioConfig config, IReadOnlyList<ISyncRuntime> rt, BufferCanary canary = BufferCanary.None, bool checkLockOrder = true)
        : base(config, rt, NBuffers, RelPages, canary, BufferAllocVariant.V15TwoPartitionLocks)
    {
        Pool.Sync.CheckLockOrder = checkLockOrder;
        // name the two partition locks in play, so a deadlock report tells them apart
        Rt[0].NameObject(Pool.Sync.GetLWLock(Blocks.P).StateAddr, $"BufferMapping partition {Blocks.P}");
        Rt[0].NameObject(Pool.Sync.GetLWLock(Blocks.Q).StateAddr, $"BufferMapping partition {Blocks.Q}");
        int[] p = [Blocks.Pb, Blocks.Pa], q = [Blocks.Qb, Blocks.Qa];
        _plan = new int[config.Backends][];
        for (int b = 0; b < config.Backends; b++)
        {
            Prng prng = DataPrng(b);
            int[] mine = b % 2 == 0 ? q : p;
            _plan[b] = Enumerable.Range(0, config.Ops).Select(op => config.MixSeed == 0 ? mine[(op + b / 2) % 2] : Chosen[prng.Index(Chosen.Length)]).ToArray();
        }
    }

    /// <summary>The partition of block <paramref name="page"/> of the scenarios' relation.</summary>
    public static int PartitionOf(int page) => BufTable.BufTableHashPartition(BufTable.BufTableHashCode(TagOf(page)));

    private static (int, int, int, int, int, int) FindBlocks()
    {
        // the first two partitions, in block order, that each hold two of the relation's blocks
        var seen = new Dictionary<int, List<int>>();
        var pairs = new List<(int Partition, int A, int B)>();
        for (int page = 0; pairs.Count < 2; page++)
        {
            int part = PartitionOf(page);
            if (!seen.TryGetValue(part, out List<int>? l)) seen[part] = l = [];
            l.Add(page);
            if (l.Count == 2) pairs.Add((part, l[0], l[1]));
        }
        (int Partition, int A, int B) lo = pairs[0].Partition < pairs[1].Partition ? pairs[0] : pairs[1];
        (int Partition, int A, int B) hi = pairs[0].Partition < pairs[1].Partition ? pairs[1] : pairs[0];
        return (lo.A, lo.B, hi.A, hi.B, lo.Partition, hi.Partition);
    }

    protected override void OnReset()
    {
        foreach (int page in Chosen) _expected[page] = InitialValue(page);
        // the pool starts full, one block of each partition, so the first misses already cross
        BufMgr setup = AttachSetupBackend();
        foreach (int page in new[] { Blocks.Pa, Blocks.Qa })
            setup.ReleaseBuffer(setup.ReadBuffer(Rel, ForkNumber.MAIN_FORKNUM, (uint)page));
    }

    protected override void Body(int me)
    {
        foreach (int page in _plan[me])
            UpdatePage(me, page, v => _expected[page] = v, (buffer, when) => CheckPinnedValue(me, buffer, page, when));
    }

    private void CheckPinnedValue(int me, int buffer, int page, string when)
    {
        CheckStillPinned(me, buffer, page, when);
        ulong v = ValueIn(me, buffer);
        Check(v == _expected[page], "lost-write", $"backend {me} pins block {page} in buffer {buffer}; {when} it holds {v}, but the last value written was {_expected[page]}");
    }

    protected override void OnCheckFinal()
    {
        foreach (int page in Chosen)
        {
            ulong want = _expected[page];
            int id = ResidentBufId(page);
            ulong v = id >= 0
                ? Pool.InitMemory.ReadU64(Pool.BufHdrGetBlock(id) + BufferRunner.OffValue)
                : BitConverter.ToUInt64(Storage.PeekBlock(Rel.Locator, ForkNumber.MAIN_FORKNUM, (uint)page), BufferRunner.OffValue);
            Check(v == want, "lost-write", $"block {page} holds {v} {(id >= 0 ? $"in buffer {id + 1}" : "on disk")} at the end; the last value written was {want}");
        }
    }
}
