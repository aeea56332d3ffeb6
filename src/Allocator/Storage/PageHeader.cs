// PageHeader: the standard page header every relation page starts with (bufpage.h's
// PageHeaderData) at the byte offsets a 64-bit little-endian PostgreSQL 17 build uses, plus the
// handful of page routines the storage layer and FlushBuffer need (PageInit, PageIsNew, the LSN,
// the header sanity test PageIsVerified applies). Pages here are managed byte spans: this is the
// "disk" side of the simulation, not the simulated shared memory.
//
//   +0  pd_lsn               8 bytes, stored as two uint32 halves: xlogid (high) at +0, xrecoff
//                            (low) at +4, so an LSN is never read as one unaligned 64-bit word
//   +8  pd_checksum          uint16
//   +10 pd_flags             uint16 (PD_HAS_FREE_LINES | PD_PAGE_FULL | PD_ALL_VISIBLE)
//   +12 pd_lower             uint16, start of free space
//   +14 pd_upper             uint16, end of free space (0 means "never initialised")
//   +16 pd_special           uint16, start of the special space
//   +18 pd_pagesize_version  uint16, page size in the high byte(s) OR layout version 4
//   +20 pd_prune_xid         uint32
//   +24 line pointer array (SizeOfPageHeaderData = 24)
using System.Buffers.Binary;
using Allocator.Common;

namespace Allocator.Storage;

public static class PageHeader
{
    /// <summary>PostgreSQL's default block size.</summary>
    public const int DefaultBlckSz = 8192;

    public const int OffLsn = 0;
    public const int OffChecksum = 8;
    public const int OffFlags = 10;
    public const int OffLower = 12;
    public const int OffUpper = 14;
    public const int OffSpecial = 16;
    public const int OffPageSizeVersion = 18;
    public const int OffPruneXid = 20;
    public const int SizeOfPageHeaderData = 24;

    public const ushort PD_HAS_FREE_LINES = 0x0001;
    public const ushort PD_PAGE_FULL = 0x0002;
    public const ushort PD_ALL_VISIBLE = 0x0004;
    public const ushort PD_VALID_FLAG_BITS = 0x0007;

    public const int PG_PAGE_LAYOUT_VERSION = 4;

    /// <summary>MAXIMUM_ALIGNOF on a 64-bit build.</summary>
    public const int MaxAlignOf = 8;

    public static int MaxAlign(int len) => (len + (MaxAlignOf - 1)) & ~(MaxAlignOf - 1);

    /// <summary>True for the block sizes this port accepts: the page size must fit pd_pagesize_version's
    /// high byte (a multiple of 256, at most 32768) and divide into the checksum's 32 x 4-byte rows.</summary>
    public static bool IsValidBlockSize(int blcksz) => blcksz >= 256 && blcksz <= 32768 && blcksz % 256 == 0;

    public static ushort GetChecksum(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffChecksum..]);
    public static void SetChecksum(Span<byte> page, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(page[OffChecksum..], v);
    public static ushort GetFlags(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffFlags..]);
    public static void SetFlags(Span<byte> page, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(page[OffFlags..], v);
    public static ushort GetLower(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffLower..]);
    public static void SetLower(Span<byte> page, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(page[OffLower..], v);
    public static ushort GetUpper(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffUpper..]);
    public static void SetUpper(Span<byte> page, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(page[OffUpper..], v);
    public static ushort GetSpecial(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffSpecial..]);
    public static void SetSpecial(Span<byte> page, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(page[OffSpecial..], v);
    public static ushort GetPageSizeVersion(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt16LittleEndian(page[OffPageSizeVersion..]);
    public static uint GetPruneXid(ReadOnlySpan<byte> page) => BinaryPrimitives.ReadUInt32LittleEndian(page[OffPruneXid..]);
    public static void SetPruneXid(Span<byte> page, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(page[OffPruneXid..], v);

    /// <summary>PageGetPageSize: the size part of pd_pagesize_version.</summary>
    public static int GetPageSize(ReadOnlySpan<byte> page) => GetPageSizeVersion(page) & 0xFF00;

    /// <summary>PageGetPageLayoutVersion: the version part of pd_pagesize_version.</summary>
    public static int GetPageLayoutVersion(ReadOnlySpan<byte> page) => GetPageSizeVersion(page) & 0x00FF;

    /// <summary>PageSetPageSizeAndVersion. The size must have a zero low byte.</summary>
    public static void SetPageSizeAndVersion(Span<byte> page, int size, int version)
    {
        Pg.Assert((size & 0xFF00) == size);
        Pg.Assert((version & 0x00FF) == version);
        BinaryPrimitives.WriteUInt16LittleEndian(page[OffPageSizeVersion..], (ushort)(size | version));
    }

    /// <summary>PageIsNew: a page whose pd_upper is zero has never been initialised.</summary>
    public static bool PageIsNew(ReadOnlySpan<byte> page) => GetUpper(page) == 0;

    /// <summary>PageGetLSN: high half at +0, low half at +4.</summary>
    public static ulong PageGetLSN(ReadOnlySpan<byte> page)
    {
        ulong hi = BinaryPrimitives.ReadUInt32LittleEndian(page[OffLsn..]);
        ulong lo = BinaryPrimitives.ReadUInt32LittleEndian(page[(OffLsn + 4)..]);
        return (hi << 32) | lo;
    }

    public static void PageSetLSN(Span<byte> page, ulong lsn)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(page[OffLsn..], (uint)(lsn >> 32));
        BinaryPrimitives.WriteUInt32LittleEndian(page[(OffLsn + 4)..], (uint)lsn);
    }

    /// <summary>PageInit: zero the whole page, then set pd_lower/pd_upper/pd_special and the
    /// size/version word. The special size is MAXALIGNed first, as PostgreSQL does.</summary>
    public static void PageInit(Span<byte> page, int specialSize = 0)
    {
        int pageSize = page.Length;
        specialSize = MaxAlign(specialSize);
        Pg.Assert(IsValidBlockSize(pageSize));
        Pg.Assert(pageSize > specialSize + SizeOfPageHeaderData);
        page.Clear();
        SetLower(page, SizeOfPageHeaderData);
        SetUpper(page, (ushort)(pageSize - specialSize));
        SetSpecial(page, (ushort)(pageSize - specialSize));
        SetPageSizeAndVersion(page, pageSize, PG_PAGE_LAYOUT_VERSION);
    }

    /// <summary>The header sanity test of PageIsVerified: only known flag bits,
    /// pd_lower &lt;= pd_upper &lt;= pd_special &lt;= BLCKSZ, pd_special MAXALIGNed.</summary>
    public static bool HeaderIsSane(ReadOnlySpan<byte> page)
    {
        int lower = GetLower(page), upper = GetUpper(page), special = GetSpecial(page);
        return (GetFlags(page) & ~PD_VALID_FLAG_BITS) == 0
            && lower <= upper
            && upper <= special
            && special <= page.Length
            && special == MaxAlign(special);
    }

    /// <summary>True if every byte of the page is zero (what PageIsVerified accepts without a checksum).</summary>
    public static bool IsAllZeros(ReadOnlySpan<byte> page) => !page.ContainsAnyExcept((byte)0);
}
