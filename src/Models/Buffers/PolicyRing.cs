// PolicyRing: the reference model of one BufferAccessStrategy ring (freelist.c, PostgreSQL 17:
// GetAccessStrategy, GetAccessStrategyWithSize, GetBufferFromRing's slot walk, AddBufferToRing,
// StrategyRejectBuffer's slot clearing), for ReplacementPolicyModel. Written from freelist.c; it
// shares no code with the port.
//
// Invariants:
//   1. Size = min(ring kB / (BLCKSZ / 1024), NBuffers / 8) with the pool's BLCKSZ, and at least 1 (a pool of 16 buffers or
//      more, PostgreSQL's minimum, always leaves 2).
//   2. Slots hold buffer numbers (1-based, as Buffer values are) or 0 for an empty slot.
//   3. Current is the slot used most recently; it starts at 0, so the first request looks at slot 1
//      (slot 0 is filled last, on the first wrap), as in PostgreSQL, whose palloc0'd ring starts so.
namespace Models.Buffers;

/// <summary>The ring types that have a ring (BAS_NORMAL has none: a null strategy).</summary>
public enum RingKind : byte { BulkRead = 1, BulkWrite = 2, Vacuum = 3 }

public sealed class PolicyRing
{
    public PolicyRing(RingKind kind, int nbuffersInPool, int blcksz)
    {
        Kind = kind;
        Slots = new int[Size(kind, nbuffersInPool, blcksz)];
    }

    public RingKind Kind { get; }

    /// <summary>Buffer numbers (1-based), 0 for an empty slot (invariant 2).</summary>
    public int[] Slots { get; }

    /// <summary>The slot used most recently (invariant 3).</summary>
    public int Current { get; private set; }

    /// <summary>The ring size in kB PostgreSQL 17 uses: a sequential scan's 256 kB, COPY's 16 MB,
    /// vacuum_buffer_usage_limit's default 2 MB.</summary>
    public static int SizeKb(RingKind kind) => kind switch
    {
        RingKind.BulkRead => 256,
        RingKind.BulkWrite => 16 * 1024,
        RingKind.Vacuum => 2048,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Invariant 1.</summary>
    public static int Size(RingKind kind, int nbuffersInPool, int blcksz) =>
        Math.Max(1, Math.Min(SizeKb(kind) / (blcksz / 1024), nbuffersInPool / 8));

    /// <summary>GetBufferFromRing's first step: move to the next slot and return what it holds (0:
    /// empty). The caller decides whether that buffer can be reused.</summary>
    public int Advance()
    {
        Current = (Current + 1) % Slots.Length;
        return Slots[Current];
    }

    /// <summary>AddBufferToRing: the current slot now holds buffer number <paramref name="buffer"/>.</summary>
    public void Put(int buffer) => Slots[Current] = buffer;

    /// <summary>StrategyRejectBuffer's effect: the current slot is emptied.</summary>
    public void ClearCurrent() => Slots[Current] = 0;

    public override string ToString() => $"{Kind} current {Current} [{string.Join(",", Slots)}]";
}
