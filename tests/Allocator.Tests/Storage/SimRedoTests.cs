// Tests of SimWal's records and SimRedo: records and their LSNs, flushing to a record's end, a crash
// dropping exactly the unflushed records, checkpoints (control file, recycling, where replay starts),
// each redo rule (images unconditional and extending, incremental changes by LSN, missing blocks),
// a torn page repaired by its image, and a seeded random history whose every flushed page survives a
// crash and replay.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Xunit;

namespace Allocator.Tests.Storage;

public class SimRedoTests
{
    private const int Blck = 1024;
    private static readonly RelFileLocator Rel = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384);
    private static readonly RelFileLocator Rel2 = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16385);
    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;

    private static byte[] Page(byte fill, ulong lsn = 0)
    {
        var p = new byte[Blck];
        PageHeader.PageInit(p);
        p.AsSpan(100, 200).Fill(fill);
        PageHeader.PageSetLSN(p, lsn);
        return p;
    }

    /// <summary>The page as stored, with the checksum field zeroed (redo stamps it; models do not).</summary>
    private static byte[] NoChecksum(byte[] p)
    {
        var c = (byte[])p.Clone();
        PageHeader.SetChecksum(c, 0);
        return c;
    }

    [Fact]
    public void Records_CarryTheirLsnsAndPayloads()
    {
        var w = new SimWal(0x1000);
        ulong a = w.Advance(10);
        byte[] img = Page(7);
        ulong b = w.XLogInsertFullPageImage(Rel, Main, 3, img);
        img[200] = 99; // the record holds its own copy
        ulong c = w.XLogInsertPageBytes(Rel, Main, 3, 500, new byte[] { 1, 2, 3 });

        Assert.Equal(0x1010UL, a);
        Assert.Equal(a + (ulong)PageHeader.MaxAlign(XLogRecord.FullPageImageSize(Blck)), b);
        Assert.Equal(b + (ulong)PageHeader.MaxAlign(XLogRecord.PageBytesSize(3)), c);
        IReadOnlyList<XLogRecord> r = w.Records;
        Assert.Equal(3, r.Count);
        Assert.Equal((XLogRecordKind.Noop, 0x1000UL, a), (r[0].Kind, r[0].StartLsn, r[0].EndLsn));
        Assert.Equal((XLogRecordKind.FullPageImage, a, b, 3u), (r[1].Kind, r[1].StartLsn, r[1].EndLsn, r[1].Block));
        Assert.Equal(7, r[1].Data![200]);
        Assert.Equal((XLogRecordKind.PageBytes, 500), (r[2].Kind, r[2].Offset));
        Assert.Empty(w.FlushedRecords);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.XLogInsertPageBytes(Rel, Main, 0, 4, new byte[] { 1 }));
    }

    [Fact]
    public void Flush_InsideARecord_FlushesToItsEnd()
    {
        var w = new SimWal(0x1000);
        ulong a = w.Advance(64);
        ulong b = w.Advance(64);
        w.XLogFlush(a + 8);
        Assert.Equal(b, w.FlushedLsn);
        Assert.Equal(2, w.FlushedRecords.Count);
    }

    [Fact]
    public void Crash_DropsExactlyTheUnflushedRecords()
    {
        var w = new SimWal();
        ulong a = w.XLogInsertFullPageImage(Rel, Main, 0, Page(1));
        w.XLogInsertFullPageImage(Rel, Main, 1, Page(2));
        w.XLogFlush(a);
        w.XLogInsertPageBytes(Rel, Main, 0, 300, new byte[] { 9 });
        w.Crash();
        IReadOnlyList<XLogRecord> r = w.Records;
        Assert.Single(r);
        Assert.Equal(a, r[0].EndLsn);
        Assert.Equal(a, w.InsertLsn);
        // insertion resumes right after the surviving record
        Assert.Equal(a + 8, w.Advance(8));
    }

    [Fact]
    public void Redo_RestoresImages_CreatingAndExtendingForks()
    {
        var s = new SimStorage(Blck, checksumsEnabled: true);
        var w = new SimWal();
        ulong l0 = w.XLogInsertFullPageImage(Rel, Main, 0, Page(1));
        ulong l3 = w.XLogInsertFullPageImage(Rel, Main, 3, Page(3)); // beyond the end: blocks 1, 2 are holes
        ulong lf = w.XLogInsertFullPageImage(Rel, ForkNumber.FSM_FORKNUM, 0, Page(4));
        w.XLogFlush(lf);

        RedoResult res = w.Redo(s);
        Assert.Equal((3, 3, lf), (res.Replayed, res.ImagesRestored, res.EndOfWal));
        Assert.Equal(4u, s.Nblocks(Rel, Main));
        Assert.Equal(1u, s.Nblocks(Rel, ForkNumber.FSM_FORKNUM));
        var back = new byte[Blck];
        Assert.False(s.ReadVerified(Rel, Main, 3, back)); // checksum stamped, page verifies
        Assert.Equal(l3, PageHeader.PageGetLSN(back));
        Assert.Equal(3, back[150]);
        s.ReadVerified(Rel, Main, 0, back);
        Assert.Equal(l0, PageHeader.PageGetLSN(back));
        Assert.True(PageHeader.IsAllZeros(s.PeekBlock(Rel, Main, 1)));
    }

    [Fact]
    public void Redo_ImagesAreUnconditional_RepairingATornPage()
    {
        var faults = new StorageFaults();
        var s = new SimStorage(Blck, true, faults);
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 1);
        var w = new SimWal();

        byte[] v1 = Page(1);
        PageHeader.PageSetLSN(v1, w.XLogInsertFullPageImage(Rel, Main, 0, v1));
        w.FlushPage(s, Rel, Main, 0, v1, permanent: true);
        byte[] v2 = Page(2);
        v2.AsSpan(600, 300).Fill(2);
        ulong l2 = w.XLogInsertFullPageImage(Rel, Main, 0, v2);
        PageHeader.PageSetLSN(v2, l2);
        faults.Next(StorageFaultKind.TornWrite);
        Assert.Throws<SimCrashException>(() => w.FlushPage(s, Rel, Main, 0, v2, permanent: true));
        // The torn page has v2's header (and LSN) but not all of v2's body: it does not verify.
        var back = new byte[Blck];
        Assert.Throws<PgErrorException>(() => s.ReadVerified(Rel, Main, 0, back));

        w.Redo(s);
        Assert.False(s.ReadVerified(Rel, Main, 0, back));
        Assert.Equal(NoChecksum(v2), NoChecksum(back));
    }

    [Fact]
    public void Redo_IncrementalChanges_ByPageLsn()
    {
        var s = new SimStorage(Blck, checksumsEnabled: false);
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 1);
        var w = new SimWal();
        byte[] p = Page(1);
        PageHeader.PageSetLSN(p, w.XLogInsertFullPageImage(Rel, Main, 0, p));
        ulong c1 = w.XLogInsertPageBytes(Rel, Main, 0, 400, new byte[] { 0xAA, 0xBB });
        p[400] = 0xAA; p[401] = 0xBB;
        PageHeader.PageSetLSN(p, c1);
        w.FlushPage(s, Rel, Main, 0, p, permanent: true); // disk has everything up to c1
        ulong c2 = w.XLogInsertPageBytes(Rel, Main, 0, 402, new byte[] { 0xCC });
        w.XLogInsertPageBytes(Rel, Main, 7, 402, new byte[] { 0xDD }); // block 7 never existed
        w.XLogFlush(w.InsertLsn);

        // Without a checkpoint replay starts at the log's beginning: the image puts the page back to
        // its first state, c1 reapplies, c2 applies, and the block-7 change finds no page.
        RedoResult res = w.Redo(s);
        Assert.Equal((1, 2, 0, 1), (res.ImagesRestored, res.ChangesApplied, res.ChangesSkipped, res.NotFound));
        byte[] d = s.PeekBlock(Rel, Main, 0);
        Assert.Equal((0xAA, 0xBB, 0xCC), (d[400], d[401], d[402]));
        Assert.Equal(c2, PageHeader.PageGetLSN(d));
        Assert.Equal(1u, s.Nblocks(Rel, Main));

        // A second replay finds every change already there (the image resets, the changes reapply:
        // same page), so redo is idempotent.
        w.Redo(s);
        Assert.Equal(d, s.PeekBlock(Rel, Main, 0));
    }

    [Fact]
    public void Redo_SkipsAChangeTheDiskPageAlreadyHas()
    {
        var s = new SimStorage(Blck, checksumsEnabled: false);
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 1);
        var w = new SimWal();
        ulong redo = w.InsertLsn;
        byte[] p = Page(1);
        ulong c1 = w.XLogInsertPageBytes(Rel, Main, 0, 400, new byte[] { 0x11 });
        p[400] = 0x22; // the disk page is newer than c1 (a later change whose record we pretend is older)
        PageHeader.PageSetLSN(p, c1 + 64);
        w.LogCheckpoint(redo, shutdown: false);
        w.Advance(64);
        w.XLogFlush(w.InsertLsn);
        s.Write(Rel, Main, 0, p);
        RedoResult res = w.Redo(s);
        Assert.Equal((0, 1), (res.ChangesApplied, res.ChangesSkipped));
        Assert.Equal(0x22, s.PeekBlock(Rel, Main, 0)[400]);
    }

    [Fact]
    public void Redo_IgnoresUnflushedRecords()
    {
        var s = new SimStorage(Blck, checksumsEnabled: false);
        var w = new SimWal();
        ulong a = w.XLogInsertFullPageImage(Rel, Main, 0, Page(1));
        w.XLogFlush(a);
        w.XLogInsertFullPageImage(Rel, Main, 0, Page(2));
        w.XLogInsertFullPageImage(Rel2, Main, 0, Page(3));
        RedoResult res = w.Redo(s);
        Assert.Equal(1, res.Replayed);
        Assert.Equal(1, s.PeekBlock(Rel, Main, 0)[150]);
        Assert.False(s.Exists(Rel2, Main));
        Assert.Equal(a, w.InsertLsn);
    }

    [Fact]
    public void Checkpoint_SetsTheControlFile_RecyclesOldRecords_AndReplayStartsAtItsRedo()
    {
        var s = new SimStorage(Blck, checksumsEnabled: false);
        var w = new SimWal();
        byte[] p0 = Page(1);
        PageHeader.PageSetLSN(p0, w.XLogInsertFullPageImage(Rel, Main, 0, p0));
        byte[] p1 = Page(2);
        PageHeader.PageSetLSN(p1, w.XLogInsertFullPageImage(Rel, Main, 1, p1));

        // A "checkpoint" that writes block 0 but (wrongly) not block 1.
        ulong redo = w.InsertLsn;
        s.Create(Rel, Main);
        s.ZeroExtend(Rel, Main, 0, 2);
        w.FlushPage(s, Rel, Main, 0, p0, permanent: true);
        ulong ckpt = w.LogCheckpoint(redo, shutdown: false);
        Assert.Equal((ckpt, redo), (w.CheckpointLsn, w.CheckpointRedo));
        Assert.Single(w.Records); // the two images ended at the redo pointer: recycled
        Assert.Equal(XLogRecordKind.Checkpoint, w.Records[0].Kind);
        Assert.Equal(redo, w.Records[0].Redo);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.LogCheckpoint(redo - 8, shutdown: false));

        ulong after = w.XLogInsertFullPageImage(Rel2, Main, 0, Page(3));
        w.XLogFlush(after);
        w.Crash();
        RedoResult res = w.Redo(s);
        Assert.Equal(redo, res.RedoStart);
        Assert.Equal((2, 1), (res.Replayed, res.ImagesRestored)); // the checkpoint record and Rel2's image
        Assert.Equal(1, s.PeekBlock(Rel, Main, 0)[150]);
        // The page the checkpoint failed to write is lost: replay no longer covers it.
        Assert.True(PageHeader.IsAllZeros(s.PeekBlock(Rel, Main, 1)));
        Assert.Equal(3, s.PeekBlock(Rel2, Main, 0)[150]);
    }

    /// <summary>A seeded history of changes to a few blocks (the first change of each block, and
    /// every change after a checkpoint's redo pointer, an image; the others incremental), random WAL
    /// flushes, random page writes through FlushPage, and checkpoints that write every page; then a
    /// crash and replay. Every block must equal the model built from the durable records.</summary>
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    [InlineData(42UL)]
    public void RandomHistory_CrashAndRedo_RecoversEveryFlushedChange(ulong seed)
    {
        var rng = new Prng(seed);
        var s = new SimStorage(Blck, checksumsEnabled: true);
        s.Create(Rel, Main);
        var w = new SimWal();
        const int Blocks = 5;
        var mem = new byte[Blocks][];        // the "buffer": every change applied
        var durable = new byte[Blocks][];    // the model: only flushed changes, replayed from the start
        var loggedSinceCkpt = new bool[Blocks];
        var history = new List<(ulong End, int Block, byte[] After)>();

        for (int step = 0; step < 300; step++)
        {
            int op = rng.Index(10);
            int b = rng.Index(Blocks);
            if (op < 6)
            {
                if (mem[b] is null || !loggedSinceCkpt[b] || rng.Chance(1, 4))
                {
                    byte[] p = mem[b] is null ? Page((byte)step) : (byte[])mem[b].Clone();
                    p[rng.Index(Blck - 100) + 100] = (byte)rng.NextU32();
                    ulong end = w.XLogInsertFullPageImage(Rel, Main, (uint)b, p);
                    PageHeader.PageSetLSN(p, end);
                    mem[b] = p;
                }
                else
                {
                    int off = 100 + rng.Index(Blck - 116);
                    var bytes = new byte[1 + rng.Index(16)];
                    for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.NextU32();
                    ulong end = w.XLogInsertPageBytes(Rel, Main, (uint)b, off, bytes);
                    bytes.CopyTo(mem[b].AsSpan(off));
                    PageHeader.PageSetLSN(mem[b], end);
                }
                loggedSinceCkpt[b] = true;
                history.Add((PageHeader.PageGetLSN(mem[b]), b, (byte[])mem[b].Clone()));
            }
            else if (op < 8)
            {
                w.XLogFlush((ulong)rng.Range((long)w.FlushedLsn, (long)w.InsertLsn));
            }
            else if (op < 9)
            {
                if (mem[b] is null) continue;
                if (s.Nblocks(Rel, Main) <= (uint)b) s.ZeroExtend(Rel, Main, s.Nblocks(Rel, Main), b + 1 - (int)s.Nblocks(Rel, Main));
                w.FlushPage(s, Rel, Main, (uint)b, mem[b], permanent: true);
            }
            else
            {
                // checkpoint: redo pointer, write every page, log it
                ulong redo = w.InsertLsn;
                for (int i = 0; i < Blocks; i++)
                {
                    if (mem[i] is null) continue;
                    if (s.Nblocks(Rel, Main) <= (uint)i) s.ZeroExtend(Rel, Main, s.Nblocks(Rel, Main), i + 1 - (int)s.Nblocks(Rel, Main));
                    w.FlushPage(s, Rel, Main, (uint)i, mem[i], permanent: true);
                }
                w.LogCheckpoint(redo, shutdown: false);
                Array.Clear(loggedSinceCkpt);
            }
        }

        ulong flushed = w.FlushedLsn;
        foreach (var (end, blk, after) in history)
            if (end <= flushed) durable[blk] = after;

        w.Crash();
        w.Redo(s);
        for (int i = 0; i < Blocks; i++)
        {
            if (durable[i] is null) continue; // never durably logged: nothing promised
            byte[] d = s.PeekBlock(Rel, Main, (uint)i);
            Assert.True(PageChecksum.PageIsVerified(d, (uint)i, true, out _), $"block {i} does not verify");
            Assert.Equal(NoChecksum(durable[i]), NoChecksum(d));
        }
    }
}
