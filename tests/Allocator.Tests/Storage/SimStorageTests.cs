// Tests of Storage/SimStorage.cs and Storage/StorageFaults.cs: smgr-like round trips, sizes,
// truncation and unlink, and every injectable fault with PostgreSQL 17's message text; torn writes
// are caught by the checksum on the next verified read; a crash keeps exactly completed writes.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Xunit;

namespace Allocator.Tests.Storage;

public class SimStorageTests
{
    private static readonly RelFileLocator Rel = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384);
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private const int Sz = 1024;

    private static SimStorage NewStorage(StorageFaults? faults = null, int blocks = 0)
    {
        var s = new SimStorage(Sz, checksumsEnabled: true, faults);
        s.Create(Rel, Main);
        if (blocks > 0) s.ZeroExtend(Rel, Main, 0, blocks);
        return s;
    }

    /// <summary>An initialised page carrying <paramref name="fill"/> in its body and a valid checksum for <paramref name="blkno"/>.</summary>
    private static byte[] Page(byte fill, uint blkno)
    {
        var p = new byte[Sz];
        PageHeader.PageInit(p);
        p.AsSpan(PageHeader.SizeOfPageHeaderData, 100).Fill(fill);
        p.AsSpan(Sz - 100).Fill(fill);
        PageChecksum.SetInplace(p, blkno);
        return p;
    }

    [Fact]
    public void ExtendReadWrite_RoundTrip()
    {
        var s = NewStorage();
        Assert.Equal(0u, s.Nblocks(Rel, Main));
        s.Extend(Rel, Main, 0, Page(1, 0));
        s.ZeroExtend(Rel, Main, 1, 2);
        s.Extend(Rel, Main, 5, Page(5, 5)); // hole at 3..4 reads as zeros
        Assert.Equal(6u, s.Nblocks(Rel, Main));

        var buf = new byte[Sz];
        s.Read(Rel, Main, 0, buf);
        Assert.Equal(Page(1, 0), buf);
        s.Read(Rel, Main, 4, buf);
        Assert.True(PageHeader.IsAllZeros(buf));

        s.Write(Rel, Main, 2, Page(2, 2));
        Assert.False(s.ReadVerified(Rel, Main, 2, buf));
        Assert.Equal(Page(2, 2), buf);
        Assert.False(s.ReadVerified(Rel, Main, 3, buf)); // all-zero page is valid

        // The store keeps its own copy: changing the caller's buffer changes nothing on disk.
        buf[500] ^= 0xFF;
        Assert.Equal(Page(2, 2), s.PeekBlock(Rel, Main, 2));
    }

    [Fact]
    public void Forks_AreIndependent_AndMustExist()
    {
        var s = NewStorage(blocks: 3);
        Assert.False(s.Exists(Rel, ForkNumber.FSM_FORKNUM));
        var e = Assert.Throws<PgErrorException>(() => s.Nblocks(Rel, ForkNumber.FSM_FORKNUM));
        Assert.Equal("could not open file \"base/5/16384_fsm\": No such file or directory", e.Message);
        s.Create(Rel, ForkNumber.FSM_FORKNUM);
        Assert.Equal(0u, s.Nblocks(Rel, ForkNumber.FSM_FORKNUM));
        Assert.Equal(3u, s.Nblocks(Rel, Main));
        var dup = Assert.Throws<PgErrorException>(() => s.Create(Rel, Main));
        Assert.Equal("could not create file \"base/5/16384\": File exists", dup.Message);
        s.Create(Rel, Main, isRedo: true);
    }

    [Fact]
    public void Truncate_AndUnlink()
    {
        var s = NewStorage(blocks: 4);
        s.Truncate(Rel, Main, 4);
        s.Truncate(Rel, Main, 1);
        Assert.Equal(1u, s.Nblocks(Rel, Main));
        var e = Assert.Throws<PgErrorException>(() => s.Truncate(Rel, Main, 3));
        Assert.Equal("could not truncate file \"base/5/16384\" to 3 blocks: it's only 1 blocks now", e.Message);
        var r = Assert.Throws<PgErrorException>(() => s.Read(Rel, Main, 1, new byte[Sz]));
        Assert.Equal($"could not read blocks 1..1 in file \"base/5/16384\": read only 0 of {Sz} bytes", r.Message);
        s.Unlink(Rel);
        Assert.False(s.Exists(Rel, Main));
    }

    [Fact]
    public void ReadError_Message_AndDiskUnchanged()
    {
        var f = new StorageFaults();
        var s = NewStorage(f, blocks: 2);
        f.Next(StorageFaultKind.ReadError);
        var e = Assert.Throws<PgErrorException>(() => s.Read(Rel, Main, 1, new byte[Sz]));
        Assert.Equal("could not read blocks 1..1 in file \"base/5/16384\": Input/output error", e.Message);
        s.Read(Rel, Main, 1, new byte[Sz]); // one-shot
        Assert.Equal([(1UL, StorageFaultKind.ReadError)], f.Injected);
    }

    [Fact]
    public void ShortRead_Message()
    {
        var f = new StorageFaults();
        var s = NewStorage(f, blocks: 1);
        f.Next(StorageFaultKind.ShortRead);
        var e = Assert.Throws<PgErrorException>(() => s.Read(Rel, Main, 0, new byte[Sz]));
        Assert.Equal($"could not read blocks 0..0 in file \"base/5/16384\": read only {Sz / 2} of {Sz} bytes", e.Message);
    }

    [Fact]
    public void WriteError_And_ExtendError_LeaveDiskUnchanged()
    {
        var f = new StorageFaults();
        var s = NewStorage(f);
        s.Extend(Rel, Main, 0, Page(1, 0));
        f.Next(StorageFaultKind.WriteError);
        var w = Assert.Throws<PgErrorException>(() => s.Write(Rel, Main, 0, Page(2, 0)));
        Assert.Equal("could not write blocks 0..0 in file \"base/5/16384\": Input/output error", w.Message);
        Assert.Equal(Page(1, 0), s.PeekBlock(Rel, Main, 0));
        f.Next(StorageFaultKind.WriteError);
        var x = Assert.Throws<PgErrorException>(() => s.Extend(Rel, Main, 1, Page(3, 1)));
        Assert.Equal("could not extend file \"base/5/16384\": Input/output error", x.Message);
        Assert.Equal(1u, s.Nblocks(Rel, Main));
    }

    [Fact]
    public void BitFlip_IsCaughtByChecksum_WithPostgresMessage()
    {
        var f = new StorageFaults();
        var s = NewStorage(f);
        s.Extend(Rel, Main, 0, Page(7, 0));
        f.Next(StorageFaultKind.BitFlip);
        var buf = new byte[Sz];
        var e = Assert.Throws<PgErrorException>(() => s.ReadVerified(Rel, Main, 0, buf));
        Assert.Equal("invalid page in block 0 of relation base/5/16384", e.Message);
        Assert.Equal(1, BitDiff(Page(7, 0), buf));
        // The rot is on disk: it persists; zero-on-error hands back a zero page.
        Assert.True(s.ReadVerified(Rel, Main, 0, buf, zeroOnError: true));
        Assert.True(PageHeader.IsAllZeros(buf));
    }

    [Fact]
    public void ChecksumsOff_BitFlipInBodyGoesUnnoticed()
    {
        var f = new StorageFaults();
        var s = new SimStorage(Sz, checksumsEnabled: false, f);
        s.Create(Rel, Main);
        var p = Page(7, 0);
        s.Extend(Rel, Main, 0, p);
        f.At(f.OperationCount, StorageFaultKind.BitFlip);
        // Whatever bit flips, only a header field can make the page fail without checksums.
        var buf = new byte[Sz];
        try { s.ReadVerified(Rel, Main, 0, buf); }
        catch (PgErrorException) { Assert.True(BitDiffOffset(p, buf) < PageHeader.SizeOfPageHeaderData); }
    }

    [Fact]
    public void TornWrite_CrashesLeavesPrefix_AndNextReadFailsChecksum()
    {
        var f = new StorageFaults();
        var s = NewStorage(f);
        s.Extend(Rel, Main, 0, Page(1, 0));
        f.Next(StorageFaultKind.TornWrite);
        var newPage = Page(2, 0);
        Assert.Throws<SimCrashException>(() => s.Write(Rel, Main, 0, newPage));
        byte[] disk = s.PeekBlock(Rel, Main, 0);
        int prefix = 0;
        while (prefix < Sz && disk[prefix] == newPage[prefix]) prefix++;
        Assert.True(prefix >= 512 && prefix < Sz);
        Assert.Equal(Page(1, 0)[^100..], disk[^100..]);
        var e = Assert.Throws<PgErrorException>(() => s.ReadVerified(Rel, Main, 0, new byte[Sz]));
        Assert.Equal("invalid page in block 0 of relation base/5/16384", e.Message);
    }

    [Fact]
    public void Crash_KeepsExactlyCompletedWrites()
    {
        var f = new StorageFaults();
        var s = NewStorage(f, blocks: 3);
        s.Write(Rel, Main, 0, Page(1, 0));
        s.Write(Rel, Main, 1, Page(2, 1));
        f.Next(StorageFaultKind.Crash);
        Assert.Throws<SimCrashException>(() => s.Write(Rel, Main, 2, Page(3, 2)));
        Assert.Equal(Page(1, 0), s.PeekBlock(Rel, Main, 0));
        Assert.Equal(Page(2, 1), s.PeekBlock(Rel, Main, 1));
        Assert.True(PageHeader.IsAllZeros(s.PeekBlock(Rel, Main, 2)));
        f.Next(StorageFaultKind.Crash);
        Assert.Throws<SimCrashException>(() => s.Read(Rel, Main, 0, new byte[Sz]));
    }

    [Fact]
    public void ScheduledFault_OfWrongKindForOperation_IsNotInjected()
    {
        var f = new StorageFaults();
        var s = NewStorage(f, blocks: 1); // op 0 = the zero-extend
        f.At(1, StorageFaultKind.ReadError);
        s.Write(Rel, Main, 0, Page(1, 0)); // op 1 is a write: a read error cannot fire
        Assert.Empty(f.Injected);
    }

    [Fact]
    public void SeededFaults_AreReproducible()
    {
        static List<(ulong, StorageFaultKind)> Run(ulong seed)
        {
            var f = new StorageFaults(seed, new StorageFaultRates(ReadError: 50, ShortRead: 50, BitFlip: 50, WriteError: 50, TornWrite: 20));
            var s = new SimStorage(Sz, true, f);
            s.Create(Rel, Main);
            while (s.Nblocks(Rel, Main) < 4) { try { s.ZeroExtend(Rel, Main, s.Nblocks(Rel, Main), 1); } catch (PgErrorException) { } }
            for (int i = 0; i < 400; i++)
            {
                try
                {
                    if (i % 2 == 0) s.Write(Rel, Main, (uint)(i % 4), Page((byte)i, (uint)(i % 4)));
                    else s.ReadVerified(Rel, Main, (uint)(i % 4), new byte[Sz], zeroOnError: true);
                }
                catch (PgErrorException) { }
                catch (SimCrashException) { }
            }
            return f.Injected;
        }
        var a = Run(42);
        Assert.Equal(a, Run(42));
        Assert.NotEqual(a, Run(43));
        foreach (StorageFaultKind k in new[] { StorageFaultKind.ReadError, StorageFaultKind.ShortRead, StorageFaultKind.BitFlip, StorageFaultKind.WriteError, StorageFaultKind.TornWrite })
            Assert.Contains(a, x => x.Item2 == k);
    }

    private static int BitDiff(byte[] a, byte[] b)
    {
        int n = 0;
        for (int i = 0; i < a.Length; i++) n += System.Numerics.BitOperations.PopCount((uint)(a[i] ^ b[i]));
        return n;
    }

    private static int BitDiffOffset(byte[] a, byte[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return i;
        return -1;
    }
}
