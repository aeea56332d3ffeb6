// BufferAccessStrategy: a backend-private ring of buffers for bulk operations (freelist.c,
// PostgreSQL 17: GetAccessStrategy, GetAccessStrategyWithSize, GetAccessStrategyBufferCount,
// GetAccessStrategyPinLimit, FreeAccessStrategy, GetBufferFromRing, AddBufferToRing,
// StrategyRejectBuffer).
//
// A ring recycles its own few buffers instead of pushing the whole pool through the clock: a
// buffer it used last time is taken again if nobody pins it and its usage count is at most 1 (the
// count our own ring pin left, PinBuffer never raising it above 1 for a ring); otherwise the
// caller falls back to the shared strategy and the slot is overwritten with what that returns.
//
// Ring sizes (kB, converted with the pool's BLCKSZ and capped at NBuffers/8): BULKREAD 256, BULKWRITE 16 MB,
// VACUUM 2048 (vacuum_buffer_usage_limit's default); BAS_NORMAL has no ring (null strategy).
//
// Divergences: the ring is a managed object, not a palloc'd chunk in the caller's memory context
// (it is backend-private and never shared); NBuffers comes from the descriptor array passed in
// rather than from the global.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sync;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Buffers;

/// <summary>BufferAccessStrategyType (bufmgr.h).</summary>
public enum BufferAccessStrategyType
{
    BAS_NORMAL,
    BAS_BULKREAD,
    BAS_BULKWRITE,
    BAS_VACUUM,
}

public sealed class BufferAccessStrategy
{
    public const int BULKREAD_RING_KB = 256;
    public const int BULKWRITE_RING_KB = 16 * 1024;
    public const int VACUUM_RING_KB = 2048;

    public BufferAccessStrategyType btype { get; }
    /// <summary>Number of ring slots.</summary>
    public int nbuffers { get; }
    /// <summary>Index of the slot used most recently.</summary>
    public int current { get; private set; }
    /// <summary>Buffer numbers (InvalidBuffer = empty slot).</summary>
    public int[] buffers { get; }
    /// <summary>The pool the ring's buffer numbers refer to (null only for pin-only test rings).</summary>
    public BufferDescriptors? Descriptors { get; }

    /// <summary>A ring of <paramref name="nbuffers"/> empty slots. GetAccessStrategy is the normal way
    /// in; direct construction serves tests that only need PinBuffer's ring rule.</summary>
    public BufferAccessStrategy(BufferAccessStrategyType btype, int nbuffers = 1, BufferDescriptors? descriptors = null)
    {
        Pg.Assert(nbuffers > 0);
        this.btype = btype;
        this.nbuffers = nbuffers;
        buffers = new int[nbuffers];
        Descriptors = descriptors;
    }

    /// <summary>The ring size in kB PostgreSQL 17 uses for <paramref name="btype"/> (0: none).</summary>
    public static int RingSizeKb(BufferAccessStrategyType btype) => btype switch
    {
        BufferAccessStrategyType.BAS_NORMAL => 0,
        BufferAccessStrategyType.BAS_BULKREAD => BULKREAD_RING_KB,
        BufferAccessStrategyType.BAS_BULKWRITE => BULKWRITE_RING_KB,
        BufferAccessStrategyType.BAS_VACUUM => VACUUM_RING_KB,
        _ => throw new PgErrorException($"unrecognized buffer access strategy: {(int)btype}"),
    };

    /// <summary>GetAccessStrategy: null for BAS_NORMAL (the default strategy). <paramref name="blcksz"/>
    /// is the pool's page size: PostgreSQL's BLCKSZ is the build's, the simulated pool's is an option.</summary>
    public static BufferAccessStrategy? GetAccessStrategy(BufferAccessStrategyType btype, BufferDescriptors descs, int blcksz) =>
        btype == BufferAccessStrategyType.BAS_NORMAL ? null : GetAccessStrategyWithSize(btype, RingSizeKb(btype), descs, blcksz);

    /// <summary>GetAccessStrategyWithSize: ring_size_kb / (BLCKSZ/1024) buffers, capped at NBuffers/8;
    /// 0 kB means no ring. (The port converted with a fixed 8 kB until the replacement-policy
    /// oracle's author noticed; the NBuffers/8 cap hid it in every pool the engines use.)</summary>
    public static BufferAccessStrategy? GetAccessStrategyWithSize(BufferAccessStrategyType btype, int ring_size_kb, BufferDescriptors descs, int blcksz)
    {
        Pg.Assert(ring_size_kb >= 0);
        Pg.Assert(blcksz >= 1024 && blcksz % 1024 == 0);
        int ring_buffers = ring_size_kb / (blcksz / 1024);
        if (ring_buffers == 0) return null;
        // at most an eighth of the pool
        ring_buffers = Math.Min(descs.NBuffers / 8, ring_buffers);
        // a pool of at least 16 buffers (PostgreSQL's minimum) always leaves a ring of >= 2
        Pg.Assert(ring_buffers > 0);
        return new BufferAccessStrategy(btype, ring_buffers, descs);
    }

    /// <summary>GetAccessStrategyBufferCount (0 for no strategy).</summary>
    public static int GetAccessStrategyBufferCount(BufferAccessStrategy? strategy) => strategy?.nbuffers ?? 0;

    /// <summary>GetAccessStrategyPinLimit: how many buffers a look-ahead may pin with this strategy.</summary>
    public static int GetAccessStrategyPinLimit(BufferAccessStrategy? strategy, int NBuffers) => strategy switch
    {
        null => NBuffers,
        // a bulk read drops dirty ring buffers (StrategyRejectBuffer), so it may pin the whole ring
        { btype: BufferAccessStrategyType.BAS_BULKREAD } => strategy.nbuffers,
        // the others keep half the ring back, so write-back and its WAL flushes can be deferred
        _ => strategy.nbuffers / 2,
    };

    /// <summary>GetBufferFromRing: the next slot's buffer, header-locked, if it can be reused;
    /// otherwise null (the slot advances either way).</summary>
    public BufferDesc? GetBufferFromRing(SyncBackend b, out uint buf_state)
    {
        buf_state = 0;
        if (++current >= nbuffers) current = 0;
        int bufnum = buffers[current];
        if (bufnum == InvalidBuffer) return null;
        Pg.Assert(Descriptors is not null);
        BufferDesc buf = Descriptors!.GetBufferDescriptorOfBuffer(bufnum);

        // reusable only if unpinned and not used by anyone since our own use (usage count 1 at most)
        uint local_buf_state = BufHdrLock.LockBufHdr(b, buf);
        if (BUF_STATE_GET_REFCOUNT(local_buf_state) == 0 && BUF_STATE_GET_USAGECOUNT(local_buf_state) <= 1)
        {
            buf_state = local_buf_state;
            return buf;
        }
        // someone else has it; the caller's shared-strategy victim will replace this slot
        BufHdrLock.UnlockBufHdr(b, buf, local_buf_state);
        return null;
    }

    /// <summary>AddBufferToRing: the current slot now holds <paramref name="buf"/> (whose header lock
    /// the caller holds).</summary>
    public void AddBufferToRing(SyncBackend b, BufferDesc buf) =>
        buffers[current] = BufferDescriptors.BufferDescriptorGetBuffer(b.Memory, buf);

    /// <summary>StrategyRejectBuffer: a bulk read's ring buffer that would need a WAL flush before
    /// it can be written is dropped from the ring (true: pick another victim). Other strategies keep
    /// it and let the caller flush.</summary>
    public static bool StrategyRejectBuffer(SyncBackend b, BufferAccessStrategy strategy, BufferDesc buf, bool from_ring)
    {
        // only bulk reads reject
        if (strategy.btype != BufferAccessStrategyType.BAS_BULKREAD) return false;
        // and only a buffer the ring itself supplied
        if (!from_ring || strategy.buffers[strategy.current] != BufferDescriptors.BufferDescriptorGetBuffer(b.Memory, buf))
            return false;
        // empty the slot so the ring does not offer it again
        strategy.buffers[strategy.current] = InvalidBuffer;
        return true;
    }

    /// <summary>F6, F7: the ring's own invariants (see FreelistCheck).</summary>
    public List<string> Check(string who)
    {
        var errors = new List<string>();
        if (current < 0 || current >= nbuffers) errors.Add($"F6: {who}: ring current {current} outside 0..{nbuffers - 1}");
        int n = Descriptors?.NBuffers ?? int.MaxValue;
        // F7: GetAccessStrategyWithSize never builds an empty ring, never one for BAS_NORMAL, and caps
        // a pool's rings at NBuffers / 8.
        if (nbuffers < 1 || buffers.Length != nbuffers)
            errors.Add($"F7: {who}: {nbuffers} ring buffers with {buffers.Length} slots");
        if (btype == BufferAccessStrategyType.BAS_NORMAL)
            errors.Add($"F7: {who}: a ring for BAS_NORMAL, which GetAccessStrategy never builds");
        if (Descriptors is not null && nbuffers > Descriptors.NBuffers / 8)
            errors.Add($"F7: {who}: {nbuffers} ring buffers exceed NBuffers / 8 = {Descriptors.NBuffers / 8}");
        for (int i = 0; i < nbuffers; i++)
            if (buffers[i] != InvalidBuffer && (buffers[i] < 1 || buffers[i] > n))
                errors.Add($"F6: {who}: ring slot {i} holds {buffers[i]}, not a buffer number");
        return errors;
    }
}
