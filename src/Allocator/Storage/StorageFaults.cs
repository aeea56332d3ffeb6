// StorageFaults: the faults SimStorage can be told to inject, decided only by an explicit seed
// and/or an explicit schedule, never by anything ambient. Every storage operation (read, write,
// extend) draws one operation number; a scheduled fault fires at its number if the kind fits the
// operation, otherwise the seeded generator decides with the configured "n in d" rates.
//
// What each kind does (the PostgreSQL counterpart in brackets):
//   ReadError        the read fails with EIO                        [mdreadv ERROR, %m]
//   ShortRead        the read returns half a block                   [mdreadv "read only %zu of %zu bytes"]
//   BitFlip          one bit of the stored block rots before the read; the bytes are delivered and
//                    the checksum check of the read path catches it  [PageIsVerified failure]
//   WriteError       the write or extend fails with EIO; disk unchanged [mdwritev/mdextend ERROR, %m]
//   TornWrite        only a sector-aligned prefix of the new page reaches disk, then the machine
//                    crashes (a torn page is only ever observable after a crash)
//   Crash            the machine crashes before the operation touches disk
using Allocator.Common;

namespace Allocator.Storage;

public enum StorageFaultKind : byte
{
    None,
    ReadError,
    ShortRead,
    BitFlip,
    WriteError,
    TornWrite,
    Crash,
}

/// <summary>The kind of storage operation a fault is being decided for.</summary>
public enum StorageOp : byte
{
    Read,
    Write,
    Extend,
}

/// <summary>Per-kind probabilities, each "Numerator in Denominator" per eligible operation.</summary>
public sealed record StorageFaultRates(
    ulong ReadError = 0, ulong ShortRead = 0, ulong BitFlip = 0,
    ulong WriteError = 0, ulong TornWrite = 0, ulong Crash = 0,
    ulong Denominator = 1000);

public sealed class StorageFaults
{
    private readonly Prng? _prng;
    private readonly StorageFaultRates _rates;
    private readonly Dictionary<ulong, StorageFaultKind> _schedule = new();

    /// <summary>Number of storage operations decided so far (the next operation gets this number).</summary>
    public ulong OperationCount { get; private set; }

    /// <summary>Faults actually injected, in order: (operation number, kind).</summary>
    public List<(ulong Op, StorageFaultKind Kind)> Injected { get; } = new();

    /// <summary>No random faults; only what is scheduled.</summary>
    public StorageFaults() : this(null, new StorageFaultRates()) { }

    /// <summary>Random faults drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public StorageFaults(ulong seed, StorageFaultRates rates) : this(new Prng(seed), rates) { }

    private StorageFaults(Prng? prng, StorageFaultRates rates)
    {
        _prng = prng;
        _rates = rates;
    }

    /// <summary>Injects <paramref name="kind"/> at operation number <paramref name="op"/> (if the kind fits that operation).</summary>
    public StorageFaults At(ulong op, StorageFaultKind kind)
    {
        _schedule[op] = kind;
        return this;
    }

    /// <summary>Injects <paramref name="kind"/> at the next operation.</summary>
    public StorageFaults Next(StorageFaultKind kind) => At(OperationCount, kind);

    /// <summary>Injects <paramref name="kind"/> at the next operation it fits (a read fault at the next
    /// read, a write fault at the next write or extend), however many others come first. Replaces a
    /// fault armed this way that has not fired yet.</summary>
    public StorageFaults ArmNextFitting(StorageFaultKind kind)
    {
        _armed = kind;
        return this;
    }

    /// <summary>The fault ArmNextFitting is holding, or None.</summary>
    public StorageFaultKind Armed => _armed;

    private StorageFaultKind _armed;

    internal static bool Fits(StorageFaultKind kind, StorageOp op) => kind switch
    {
        StorageFaultKind.ReadError or StorageFaultKind.ShortRead or StorageFaultKind.BitFlip => op == StorageOp.Read,
        StorageFaultKind.WriteError => op is StorageOp.Write or StorageOp.Extend,
        StorageFaultKind.TornWrite => op == StorageOp.Write,
        StorageFaultKind.Crash => true,
        _ => false,
    };

    internal StorageFaultKind Decide(StorageOp op)
    {
        ulong n = OperationCount++;
        StorageFaultKind kind = StorageFaultKind.None;
        if (_schedule.Remove(n, out StorageFaultKind scheduled) && Fits(scheduled, op))
            kind = scheduled;
        else if (_armed != StorageFaultKind.None && Fits(_armed, op))
        {
            kind = _armed;
            _armed = StorageFaultKind.None;
        }
        else if (_prng is not null)
            kind = Draw(op);
        if (kind != StorageFaultKind.None) Injected.Add((n, kind));
        return kind;
    }

    private StorageFaultKind Draw(StorageOp op)
    {
        Prng p = _prng!;
        ulong d = _rates.Denominator;
        // One draw per eligible kind, in a fixed order, so a seed means the same thing forever.
        if (p.Chance(_rates.Crash, d)) return StorageFaultKind.Crash;
        if (op == StorageOp.Read)
        {
            if (p.Chance(_rates.ReadError, d)) return StorageFaultKind.ReadError;
            if (p.Chance(_rates.ShortRead, d)) return StorageFaultKind.ShortRead;
            if (p.Chance(_rates.BitFlip, d)) return StorageFaultKind.BitFlip;
        }
        else
        {
            if (p.Chance(_rates.WriteError, d)) return StorageFaultKind.WriteError;
            if (op == StorageOp.Write && p.Chance(_rates.TornWrite, d)) return StorageFaultKind.TornWrite;
        }
        return StorageFaultKind.None;
    }

    /// <summary>A value in [0, bound) for the fault's details (which bit, how long a prefix). Uses the
    /// seeded generator if there is one, otherwise a fixed function of the operation number.</summary>
    internal int Detail(int bound)
    {
        if (_prng is not null) return _prng.Index(bound);
        ulong x = OperationCount * 0x9E3779B97F4A7C15UL;
        return (int)(Prng.SplitMix64(ref x) % (ulong)bound);
    }
}

/// <summary>The simulated machine crashed (power loss) during a storage operation. Not a PostgreSQL
/// ERROR: nothing in the process survives it; only what is on disk (and the flushed WAL) does.</summary>
public sealed class SimCrashException : Exception
{
    public SimCrashException(string what) : base($"simulated crash: {what}") { }
}
