// BufferTag: which disk block a buffer holds (buf_internals.h): tablespace, database, relation
// number, fork and block, 20 bytes laid out as C lays the struct out. The key of the buffer mapping
// table (BufTableHashCode is hash_bytes over these 20 bytes) and the first field of a descriptor.
using System.Buffers.Binary;
using Allocator.Sim;

namespace Allocator.Buffers;

/// <summary>BufferTag: five 32-bit fields, 20 bytes, no padding, hashed and compared as raw bytes.
/// Offsets: spcOid +0, dbOid +4, relNumber +8, forkNum +12 (signed), blockNum +16.</summary>
public readonly record struct BufferTag(uint SpcOid, uint DbOid, uint RelNumber, ForkNumber ForkNum, uint BlockNum)
{
    public const ulong Size = 20;
    public const ulong OffSpcOid = 0;
    public const ulong OffDbOid = 4;
    public const ulong OffRelNumber = 8;
    public const ulong OffForkNum = 12;
    public const ulong OffBlockNum = 16;

    /// <summary>InvalidBlockNumber (also P_NEW).</summary>
    public const uint InvalidBlockNumber = 0xFFFFFFFF;

    /// <summary>CLEAR_BUFFERTAG's value: zero relation, InvalidForkNumber, InvalidBlockNumber.</summary>
    public static BufferTag Cleared => new(BufferConstants.InvalidOid, BufferConstants.InvalidOid, BufferConstants.InvalidRelFileNumber, ForkNumber.InvalidForkNumber, InvalidBlockNumber);

    /// <summary>Same relation (spc, db, relNumber), fork and block ignored.</summary>
    public bool MatchesRelation(in BufferTag other) =>
        SpcOid == other.SpcOid && DbOid == other.DbOid && RelNumber == other.RelNumber;

    /// <summary>The tag's 20 bytes, little-endian, as C lays the struct out.</summary>
    public void WriteTo(Span<byte> dst)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dst, SpcOid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], DbOid);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], RelNumber);
        BinaryPrimitives.WriteInt32LittleEndian(dst[12..], (int)ForkNum);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], BlockNum);
    }

    public static BufferTag ReadFrom(ReadOnlySpan<byte> src) => new(
        BinaryPrimitives.ReadUInt32LittleEndian(src),
        BinaryPrimitives.ReadUInt32LittleEndian(src[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(src[8..]),
        (ForkNumber)BinaryPrimitives.ReadInt32LittleEndian(src[12..]),
        BinaryPrimitives.ReadUInt32LittleEndian(src[16..]));

    /// <summary>Stores the tag at <paramref name="address"/> in simulated memory.</summary>
    public void Write(SimMemory mem, ulong address)
    {
        mem.WriteU32(address + OffSpcOid, SpcOid);
        mem.WriteU32(address + OffDbOid, DbOid);
        mem.WriteU32(address + OffRelNumber, RelNumber);
        mem.WriteU32(address + OffForkNum, unchecked((uint)(int)ForkNum));
        mem.WriteU32(address + OffBlockNum, BlockNum);
    }

    /// <summary>Loads a tag from <paramref name="address"/> in simulated memory.</summary>
    public static BufferTag Read(SimMemory mem, ulong address) => new(
        mem.ReadU32(address + OffSpcOid),
        mem.ReadU32(address + OffDbOid),
        mem.ReadU32(address + OffRelNumber),
        (ForkNumber)unchecked((int)mem.ReadU32(address + OffForkNum)),
        mem.ReadU32(address + OffBlockNum));

    /// <summary>BufTableHashCode: hash_bytes over the tag's 20 bytes.</summary>
    public uint HashCode()
    {
        Span<byte> bytes = stackalloc byte[(int)Size];
        WriteTo(bytes);
        return HashBytes.Hash(bytes);
    }

    /// <summary>relpathperm(rlocator, forknum): "base/db/rel", "global/rel" or "pg_tblspc/spc/db/rel"
    /// (the tablespace version directory is left out), with the fork suffix.</summary>
    public string RelPath()
    {
        string b = SpcOid switch
        {
            BufferConstants.GLOBALTABLESPACE_OID => $"global/{RelNumber}",
            BufferConstants.DEFAULTTABLESPACE_OID => $"base/{DbOid}/{RelNumber}",
            _ => $"pg_tblspc/{SpcOid}/{DbOid}/{RelNumber}",
        };
        return ForkNum switch
        {
            ForkNumber.FSM_FORKNUM => b + "_fsm",
            ForkNumber.VISIBILITYMAP_FORKNUM => b + "_vm",
            ForkNumber.INIT_FORKNUM => b + "_init",
            _ => b,
        };
    }
}
