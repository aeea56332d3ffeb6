// BufMgrBackends: a BufferPool with n attached backends on the production runtime (each its own
// SimMemory, runtime and BufMgr), plus helpers to create relations on the simulated disk with
// valid, checksummed pages, and the checkers run at quiescence.
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;

namespace Allocator.Tests.Buffers;

internal sealed class BufMgrBackends
{
    public BufferPool Pool { get; }
    public BufMgr[] B { get; }

    public static readonly RelFileLocator RelA = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384);
    public static readonly RelFileLocator RelB = new(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16385);

    public BufMgrBackends(int n, int nbuffers = 16, StorageFaults? faults = null, bool checksums = true,
        bool zeroDamaged = false, int blcksz = 1024)
    {
        Pool = new BufferPool(new BufferPoolOptions(nbuffers, blcksz, Math.Max(n, 1), checksums, zeroDamaged), faults);
        B = new BufMgr[n];
        for (int i = 0; i < n; i++) B[i] = Pool.Attach(i);
    }

    public BufMgr this[int i] => B[i];

    /// <summary>A page whose first data byte after the header carries a marker (block number and a
    /// version), initialised like PageInit, LSN <paramref name="lsn"/>, checksummed for disk.</summary>
    public byte[] MakePage(uint blkno, byte version, ulong lsn = 0, bool checksum = true)
    {
        var page = new byte[Pool.BlckSz];
        PageHeader.PageInit(page);
        page[PageHeader.SizeOfPageHeaderData] = (byte)blkno;
        page[PageHeader.SizeOfPageHeaderData + 1] = version;
        if (lsn != 0) PageHeader.PageSetLSN(page, lsn);
        if (checksum && Pool.Storage.ChecksumsEnabled) PageChecksum.SetInplace(page, blkno);
        return page;
    }

    /// <summary>Creates <paramref name="rel"/>'s main fork with <paramref name="nblocks"/> marked pages (version 0).</summary>
    public void CreateRel(RelFileLocator rel, uint nblocks)
    {
        Pool.Storage.Create(rel, ForkNumber.MAIN_FORKNUM);
        for (uint b = 0; b < nblocks; b++) Pool.Storage.Extend(rel, ForkNumber.MAIN_FORKNUM, b, MakePage(b, 0));
    }

    public static BufferRelation Rel(RelFileLocator loc, bool permanent = true) => new(loc, permanent);

    public BufferDesc Desc(int buffer) => Pool.Descriptors.GetBufferDescriptorOfBuffer(buffer);

    public uint State(int buffer) => Pool.InitMemory.ReadU32(Desc(buffer).StateAddr);

    /// <summary>The marker bytes (block, version) of a buffer's page, as seen at quiescence.</summary>
    public (byte Block, byte Version) Marker(int buffer)
    {
        ulong p = Pool.BufHdrGetBlock(buffer - 1) + PageHeader.SizeOfPageHeaderData;
        return (Pool.InitMemory.ReadU8(p), Pool.InitMemory.ReadU8(p + 1));
    }

    /// <summary>BufferCheck + FreelistCheck + the table's own check + LWLockCheck, at quiescence.</summary>
    public List<string> CheckAll(bool final = false, IEnumerable<BufferAccessStrategy?>? rings = null)
    {
        List<string> e = BufferCheck.Check(Pool.Descriptors, B.Select(b => (BufferPins?)b.Pins).ToArray(), final);
        e.AddRange(FreelistCheck.Check(Pool.Strategy, rings));
        e.AddRange(Pool.Table.Hash.Check());
        SyncBackend?[] procs = B.Select(b => (SyncBackend?)b.Backend).ToArray();
        e.AddRange(LWLockCheck.Check(Pool.Sync, procs, final));
        for (int i = 0; i < Pool.NBuffers; i++)
            e.AddRange(ConditionVariable.Check(Pool.InitMemory, Pool.Sync, Pool.BufferDescriptorGetIOCV(i), procs, $"buf[{i}].io_cv"));
        if (final)
            foreach (BufMgr b in B)
                if (b.Backend.cv_sleep_target != 0) e.Add($"CV4: backend {b.Backend.MyProcNumber} still prepared to sleep");
        return e;
    }

    /// <summary>Runs <paramref name="body"/> on one thread per backend; returns the errors caught.</summary>
    public List<string> RunThreads(Action<int, BufMgr> body, int timeoutMs = 60_000)
    {
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = new Thread[B.Length];
        using var start = new Barrier(B.Length);
        for (int i = 0; i < B.Length; i++)
        {
            int me = i;
            threads[i] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    body(me, B[me]);
                }
                catch (Exception e) { errors.Enqueue($"backend {me}: {e.GetType().Name}: {e.Message}"); }
            });
        }
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads)
            if (!t.Join(timeoutMs)) errors.Enqueue("a backend did not finish (hang or lost wake-up)");
        return errors.ToList();
    }

    /// <summary>Pins a buffer directly (no read), with the reservation first.</summary>
    public static void Pin(BufMgr b, BufferDesc d)
    {
        b.Pins.ReservePrivateRefCountEntry();
        b.Pins.PinBuffer(d, null);
    }

    /// <summary>Gives a buffer a tag and flags under its header lock, and enters it in the table
    /// (what BufferAlloc and a completed read would have done).</summary>
    public void Install(int buffer, BufferTag tag, uint flags)
    {
        BufMgr b = B[0];
        BufferDesc d = Desc(buffer);
        uint h = BufTable.BufTableHashCode(tag);
        LWLock part = Pool.BufMappingPartitionLock(h);
        b.Backend.LWLocks.LWLockAcquire(part, LWLockMode.LW_EXCLUSIVE);
        Pool.Table.BufTableInsert(tag, h, buffer - 1);
        uint s = BufHdrLock.LockBufHdr(b.Backend, d);
        BufferDescriptors.WriteTag(b.Backend.Memory, d, tag);
        BufHdrLock.UnlockBufHdr(b.Backend, d, s | BufferConstants.BM_TAG_VALID | flags);
        b.Backend.LWLocks.LWLockRelease(part);
    }
}
