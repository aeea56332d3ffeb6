// BufMgrBenchmarks: the buffer manager port's hot paths (src/Allocator/Buffers, PostgreSQL's
// bufmgr.c ReadBuffer_common / PinBuffer / UnpinBuffer / BufferAlloc / FlushBuffer), one backend on
// the SequentialSyncRuntime (plain memory operations, no waits), BLCKSZ 8192, data checksums on.
//
//   Hit            ReadBuffer of a page already in the pool, then ReleaseBuffer (the baseline).
//   HitUnchecked   the same with the lock-order checker off (its cost is Hit's ratio to this).
//   MissClean      ReadBuffer of a page not in the pool whose victim is clean: table delete +
//                  insert, an 8 kB read from SimStorage with checksum verification, release.
//   MissDirty      the same, but every victim is dirty with a page LSN past the flushed WAL: the
//                  miss flushes WAL first, checksums a copy and writes it, then reads.
//   Mixed          1M operations over a pool 10x smaller than the working set (128 buffers, 1280
//                  pages), pages chosen 80/20 by a fixed-seed Prng: 70% read+release, 25% read +
//                  exclusive lock + modify + MarkBufferDirty + WAL record + PageSetLSN + unlock +
//                  release, 5% read + share lock + FlushOneBuffer + unlock + release. The hot 20%
//                  (256 pages) is twice the pool, so this is a miss-heavy mix: of the 1M reads,
//                  687,208 miss and 217,653 of those write a dirty victim first; 50,060 flushes
//                  (6,700 of them find the page dirty and write it); 54,548 WAL flushes.
//
// Each invocation is one whole pass (OperationsPerInvoke = the pass's op count) under a Monitoring
// job (one invocation per iteration, no unrolling), so per-pass state can be rebuilt in an untimed
// IterationSetup: the miss passes need a pool full of the other relation's (clean or dirty) pages.
// Every benchmark lives in this one class and job so BenchmarkDotNet's Ratio column is each
// benchmark's per-op time over a hit's.
//
// Divergence from a real workload: a modification's WAL record is SimWal.Advance (an XLOG_NOOP of
// 64 bytes) rather than a full-page image, so the simulated log does not keep an 8 kB copy per
// write for the life of the run; the LSN ordering (and so the WAL-before-data flush on eviction)
// is the same. SimWal keeps every record in a list, so the Mixed pass's allocations include one
// XLogRecord per modification (about 0.25 per op) plus that list's growth: those belong to the
// simulated WAL, not to the buffer manager.
//
// Port changes these benchmarks led to (behaviour unchanged): BufTable builds its 20-byte search
// key with stackalloc (it was a byte[] per lookup: 48 B on every hit unless the JIT's escape
// analysis removed it, which it does only after Dynamic PGO); LockBufHdr's spin-delay location
// no longer calls Path.GetFileName per call (48 B per header lock); FlushBuffer checksums into
// one page copy per backend (8 kB per write before); SimStorage Read/Write build the relation
// path only for an error message. After them no benchmark allocates except Mixed's XLogRecords.
//
// Run: dotnet run -c Release --project bench/Allocator.Bench -- --filter '*BufMgrBenchmarks*'
using Allocator.Buffers;
using Allocator.Common;
using Allocator.Storage;
using Allocator.Sync;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace Allocator.Bench.Buffers;

[Config(typeof(PassConfig))]
[MemoryDiagnoser]
public class BufMgrBenchmarks
{
    internal sealed class PassConfig : ManualConfig
    {
        public PassConfig()
        {
            AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(10)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    public const int BlckSz = 8192;
    /// <summary>Pool of the hit and miss passes; one miss pass replaces every page in it.</summary>
    public const int MissNBuffers = 8192;
    public const int HitOps = 1_000_000;
    public const int MixedNBuffers = 128;
    public const int MixedPages = 1280;
    public const int MixedOps = 1_000_000;
    public const ulong MixedSeed = 0x5EED_B0FF;

    private const ForkNumber Main = ForkNumber.MAIN_FORKNUM;
    private static readonly BufferRelation RelA = new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16384));
    private static readonly BufferRelation RelB = new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16385));
    private static readonly BufferRelation RelM = new(new RelFileLocator(BufferConstants.DEFAULTTABLESPACE_OID, 5, 16386));

    /// <summary>Where a modification writes its counter: just after the page header.</summary>
    private const int OffValue = PageHeader.SizeOfPageHeaderData;

    private BufferPool _missPool = null!;
    private BufMgr _miss = null!;
    private BufferPool _mixedPool = null!;
    private BufMgr _mixed = null!;
    // which relation the miss pool holds now; a miss pass reads the other one
    private bool _poolHoldsA;
    private ulong _counter;

    [GlobalSetup]
    public void Setup()
    {
        var storage = new SimStorage(BlckSz, checksumsEnabled: true);
        CreateRel(storage, RelA.Locator, MissNBuffers);
        CreateRel(storage, RelB.Locator, MissNBuffers);
        _missPool = new BufferPool(new BufferPoolOptions(MissNBuffers, BlckSz, MaxBackends: 1, DataChecksums: true), storage, new SimWal());
        _miss = _missPool.Attach(0, mem => new SequentialSyncRuntime(mem));
        FillPool(RelA, dirty: false);

        var mstorage = new SimStorage(BlckSz, checksumsEnabled: true);
        CreateRel(mstorage, RelM.Locator, MixedPages);
        _mixedPool = new BufferPool(new BufferPoolOptions(MixedNBuffers, BlckSz, MaxBackends: 1, DataChecksums: true), mstorage, new SimWal());
        _mixed = _mixedPool.Attach(0, mem => new SequentialSyncRuntime(mem));
    }

    /// <summary>A relation of <paramref name="nblocks"/> initialised, checksummed pages on disk.</summary>
    private static void CreateRel(SimStorage storage, RelFileLocator rel, int nblocks)
    {
        var page = new byte[BlckSz];
        storage.Create(rel, Main);
        for (uint blk = 0; blk < (uint)nblocks; blk++)
        {
            Array.Clear(page);
            PageHeader.PageInit(page);
            PageChecksum.SetInplace(page, blk);
            storage.Extend(rel, Main, blk, page);
        }
    }

    /// <summary>Reads every page of <paramref name="rel"/> into the miss pool (evicting the other
    /// relation's), dirtying each with a WAL-logged change if asked.</summary>
    private void FillPool(BufferRelation rel, bool dirty)
    {
        for (uint blk = 0; blk < MissNBuffers; blk++)
        {
            int buf = _miss.ReadBuffer(rel, Main, blk);
            if (dirty) Modify(_miss, buf);
            _miss.ReleaseBuffer(buf);
        }
        _poolHoldsA = rel == RelA;
    }

    /// <summary>A WAL-logged page change under an exclusive lock: change, MarkBufferDirty, insert a
    /// record, PageSetLSN (the order an access method follows).</summary>
    private void Modify(BufMgr bm, int buf)
    {
        bm.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_EXCLUSIVE);
        ulong page = bm.BufferGetPage(buf);
        bm.Backend.Memory.WriteU64(page + OffValue, ++_counter);
        bm.MarkBufferDirty(buf);
        ulong lsn = bm.Pool.Wal.Advance(64);
        PageHeader.PageSetLSN(bm.Backend.Memory.Span(page, BlckSz), lsn);
        bm.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
    }

    // ------------------------------------------------------------------ hit

    [Benchmark(Baseline = true, OperationsPerInvoke = HitOps)]
    public int Hit()
    {
        BufMgr bm = _miss;
        int sum = 0;
        for (int i = 0; i < HitOps; i++)
        {
            int buf = bm.ReadBuffer(_poolHoldsA ? RelA : RelB, Main, (uint)(i & 63));
            sum += buf;
            bm.ReleaseBuffer(buf);
        }
        return sum;
    }

    /// <summary>The hit loop with the §18 lock-order checker (Sync/LockOrderCheck) switched off: the
    /// ratio against Hit is what checking every acquire costs on the hottest path (one partition
    /// lock, one content-less pin and unpin per op).</summary>
    [Benchmark(OperationsPerInvoke = HitOps)]
    public int HitUnchecked()
    {
        _miss.Backend.LockOrder.Enabled = false;
        try
        {
            return Hit();
        }
        finally
        {
            _miss.Backend.LockOrder.Enabled = true;
        }
    }

    // ------------------------------------------------------------------ misses

    [IterationSetup(Target = nameof(MissClean))]
    public void CleanPool() => FillPool(_poolHoldsA ? RelA : RelB, dirty: false);

    [IterationSetup(Target = nameof(MissDirty))]
    public void DirtyPool() => FillPool(_poolHoldsA ? RelA : RelB, dirty: true);

    /// <summary>Every page of the other relation, in order: each read misses and the clock sweep's
    /// victim is one of this relation's pages (all at usage count 1, so one full sweep brings them
    /// to 0 and then they go in order).</summary>
    private int MissPass()
    {
        BufMgr bm = _miss;
        BufferRelation other = _poolHoldsA ? RelB : RelA;
        int sum = 0;
        for (uint blk = 0; blk < MissNBuffers; blk++)
        {
            int buf = bm.ReadBuffer(other, Main, blk);
            sum += buf;
            bm.ReleaseBuffer(buf);
        }
        _poolHoldsA = !_poolHoldsA;
        return sum;
    }

    /// <summary>Passes per MissClean invocation: each pass leaves the pool full of clean pages of
    /// the relation the next pass does not read, so they chain (and a pass alone is under 100 ms).</summary>
    public const int CleanPasses = 3;

    [Benchmark(OperationsPerInvoke = CleanPasses * MissNBuffers)]
    public int MissClean()
    {
        int sum = 0;
        for (int p = 0; p < CleanPasses; p++) sum += MissPass();
        return sum;
    }

    [Benchmark(OperationsPerInvoke = MissNBuffers)]
    public int MissDirty() => MissPass();

    // ------------------------------------------------------------------ mixed

    [Benchmark(OperationsPerInvoke = MixedOps)]
    public int Mixed()
    {
        BufMgr bm = _mixed;
        var rng = new Prng(MixedSeed);
        const int hot = MixedPages / 5;
        int sum = 0;
        for (int i = 0; i < MixedOps; i++)
        {
            // 80% of accesses go to the first 20% of the pages
            uint blk = rng.Chance(80, 100) ? (uint)rng.Index(hot) : (uint)(hot + rng.Index(MixedPages - hot));
            ulong op = rng.Below(100);
            int buf = bm.ReadBuffer(RelM, Main, blk);
            sum += buf;
            if (op < 70)
            {
                // read only
            }
            else if (op < 95)
            {
                Modify(bm, buf);
            }
            else
            {
                bm.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
                bm.FlushOneBuffer(buf);
                bm.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);
            }
            bm.ReleaseBuffer(buf);
        }
        return sum;
    }
}
