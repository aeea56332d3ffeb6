// PageChecksum: pg_checksum_page, the data-checksum algorithm of PostgreSQL (checksum_impl.h),
// computed bit for bit the same way so a page checksummed here would verify in PostgreSQL.
//
// The page is viewed as rows of 32 little-endian uint32 words. Each of 32 running sums starts at
// its own fixed base offset and absorbs its column with an FNV-1a-like step modified to shift the
// high bits back down (x = sum ^ word; sum = x * FNV_PRIME ^ (x >> 17)); two further rounds of
// zero words mix the last row's bits through. The sums are XORed together, the block number is
// XORed in (so a page written to the wrong block fails), and the result is folded to 16 bits as
// (value mod 65535) + 1, which can never be zero. pd_checksum is taken as zero while summing.
using System.Buffers.Binary;
using Allocator.Common;

namespace Allocator.Storage;

public static class PageChecksum
{
    public const int N_SUMS = 32;
    public const uint FNV_PRIME = 16777619;

    /// <summary>Starting values of the 32 parallel sums (fixed forever: on-disk format).</summary>
    private static readonly uint[] BaseOffsets =
    [
        0x5B1F36E9, 0xB8525960, 0x02AB50AA, 0x1DE66D2A,
        0x79FF467A, 0x9BB9F8A3, 0x217E7CD2, 0x83E13D2C,
        0xF8D4474F, 0xE39EB970, 0x42C6AE16, 0x993216FA,
        0x7B093B5D, 0x98DAFF3C, 0xF718902A, 0x0B1C9CDB,
        0xE58F764B, 0x187636BC, 0x5D7B3BB1, 0xE73DE7DE,
        0x92BEC979, 0xCCA6C0B2, 0x304A0979, 0x85AA43D4,
        0x783125BB, 0x6CA8EAA2, 0xE407EAC6, 0x4B5CFC3E,
        0x9FBF8C76, 0x15CA20BE, 0xF2CA9FD3, 0x959BD756,
    ];

    private static uint Comp(uint sum, uint value)
    {
        uint x = sum ^ value;
        return unchecked(x * FNV_PRIME) ^ (x >> 17);
    }

    /// <summary>pg_checksum_block over the whole page, with the 2 bytes at pd_checksum read as zero.</summary>
    public static uint ChecksumBlock(ReadOnlySpan<byte> page)
    {
        Pg.Assert(page.Length % (4 * N_SUMS) == 0);
        Span<uint> sums = stackalloc uint[N_SUMS];
        BaseOffsets.CopyTo(sums);
        int rows = page.Length / (4 * N_SUMS);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < N_SUMS; j++)
            {
                int off = (i * N_SUMS + j) * 4;
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(page[off..]);
                // pd_checksum (bytes 8..9) is the low half of word 2 on a little-endian machine.
                if (off == PageHeader.OffChecksum) word &= 0xFFFF0000;
                sums[j] = Comp(sums[j], word);
            }
        }
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < N_SUMS; j++)
                sums[j] = Comp(sums[j], 0);
        uint result = 0;
        foreach (uint s in sums) result ^= s;
        return result;
    }

    /// <summary>pg_checksum_page(page, blkno). Only defined for initialised pages (Assert, as in
    /// PostgreSQL); the page itself is not modified.</summary>
    public static ushort Compute(ReadOnlySpan<byte> page, uint blkno)
    {
        Pg.Assert(!PageHeader.PageIsNew(page));
        uint checksum = ChecksumBlock(page) ^ blkno;
        return (ushort)((checksum % 65535) + 1);
    }

    /// <summary>PageSetChecksumInplace: stamp pd_checksum (new pages are left alone, as PostgreSQL does).</summary>
    public static void SetInplace(Span<byte> page, uint blkno)
    {
        if (PageHeader.PageIsNew(page)) return;
        PageHeader.SetChecksum(page, Compute(page, blkno));
    }

    /// <summary>PageIsVerified's verdict with checksums enabled and no ignore flags: an initialised page
    /// must have a sane header and a matching checksum; an all-zero page is valid.
    /// <paramref name="checksumFailure"/> reports a mismatch (PostgreSQL counts/logs those).</summary>
    public static bool PageIsVerified(ReadOnlySpan<byte> page, uint blkno, bool checksumsEnabled, out bool checksumFailure)
    {
        checksumFailure = false;
        if (!PageHeader.PageIsNew(page))
        {
            if (checksumsEnabled && Compute(page, blkno) != PageHeader.GetChecksum(page))
                checksumFailure = true;
            if (PageHeader.HeaderIsSane(page) && !checksumFailure)
                return true;
        }
        return PageHeader.IsAllZeros(page);
    }
}
