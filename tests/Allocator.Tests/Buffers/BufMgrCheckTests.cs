// Tests of BufMgrCheck over explicit parts (descriptors, mapping table, strategy block, backends,
// storage and page memory): a healthy populated pool passes, and each invariant fires when simulated
// memory is corrupted the way it describes. Also: the composed walkers' ids come through, and the
// non-quiescent mode skips what only holds between operations.
using Allocator.Buffers;
using Allocator.Buffers.Dynahash;
using Allocator.Shmem;
using Allocator.Sim;
using Allocator.Storage;
using Allocator.Sync;
using Xunit;
using static Allocator.Buffers.BufferConstants;

namespace Allocator.Tests.Buffers;

/// <summary>Descriptors, a full-size buffer table, the strategy block, page memory and storage,
/// populated as if <c>Used</c> blocks of one relation had been read.</summary>
internal sealed class MiniPool
{
    public const int N = 16;
    public const int Blck = 1024;
    public const int Used = 6;
    public static readonly RelFileLocator Rel = new(DEFAULTTABLESPACE_OID, 5, 16384);
    public const ulong BlocksBase = SimMemory.RegionBase + 3 * SimMemory.RegionAlign;

    public SyncSegment Segment { get; }
    public BufferDescriptors Descs { get; }
    public ShmemSegment Shmem { get; }
    public StrategyControl Strategy { get; }
    public BufTable Table { get; }
    public BufferPins[] Pins { get; }
    public SimStorage Storage { get; } = new(Blck, checksumsEnabled: true);
    public SimMemory M => Descs.InitMemory;

    public MiniPool(int backends = 2)
    {
        Segment = new SyncSegment(backends, 0);
        Descs = new BufferDescriptors(N);
        Shmem = new ShmemSegment(Descs.InitMemory, 1 << 20, at: BufferBackends.ShmemBase);
        Strategy = StrategyControl.StrategyInitialize(Shmem, Descs);
        Table = BufTable.InitBufTable(Shmem, Descs.InitMemory, N + BufTable.NUM_BUFFER_PARTITIONS);
        Descs.InitMemory.MapRegion("Buffer Blocks", new byte[N * Blck], BlocksBase);
        var kernel = new ProductionSemaphores();
        Pins = new BufferPins[backends];
        for (int i = 0; i < backends; i++)
        {
            var mem = new SimMemory(heapMax: 1 << 16, initialHeapCapacity: 16);
            Segment.MapInto(mem);
            Descs.MapInto(mem);
            Shmem.AttachTo(mem);
            Pins[i] = new BufferPins(new SyncBackend(new ProductionSyncRuntime(mem, kernel, (ulong)i + 1), Segment, i), Descs);
        }
        Storage.Create(Rel, ForkNumber.MAIN_FORKNUM);
        for (uint b = 0; b < Used; b++)
        {
            var page = new byte[Blck];
            PageHeader.PageInit(page);
            page[500] = (byte)(b + 1);
            PageChecksum.SetInplace(page, b);
            Storage.Extend(Rel, ForkNumber.MAIN_FORKNUM, b, page);
            Assign((int)b, Tag(b), BM_TAG_VALID | BM_VALID | BM_PERMANENT | BUF_USAGECOUNT_ONE);
            M.WriteBytes(Block((int)b), page);
        }
    }

    public static BufferTag Tag(uint block, ForkNumber fork = ForkNumber.MAIN_FORKNUM) =>
        new(Rel.SpcOid, Rel.DbOid, Rel.RelNumber, fork, block);

    public static ulong Block(int bufId) => BlocksBase + (ulong)bufId * Blck;

    public BufferDesc Desc(int bufId) => Descs.GetBufferDescriptor(bufId);

    /// <summary>What BufferAlloc leaves behind: the tag and flags in the descriptor, the table entry.</summary>
    public void Assign(int bufId, BufferTag tag, uint stateBits)
    {
        BufferDescriptors.WriteTag(M, Desc(bufId), tag);
        M.WriteU32(Desc(bufId).StateAddr, stateBits);
        Assert.Equal(-1, Table.BufTableInsert(tag, BufTable.BufTableHashCode(tag), bufId));
    }

    public uint State(int bufId) => M.ReadU32(Desc(bufId).StateAddr);

    public void SetState(int bufId, uint s) => M.WriteU32(Desc(bufId).StateAddr, s);

    public BufMgrCheck.Parts Parts(bool quiescent = true) => new(Descs, Table, Strategy, Pins, quiescent)
    {
        Storage = Storage,
        BufHdrGetBlock = Block,
        BlockMemory = M,
        BlckSz = Blck,
        Backends = Pins.Select(p => (SyncBackend?)p.Backend).ToArray(),
    };

    public List<string> Check(bool quiescent = true) => BufMgrCheck.CheckParts(Parts(quiescent));

    /// <summary>The element of the table entry for <paramref name="tag"/>.</summary>
    public ulong Element(BufferTag tag)
    {
        var k = new byte[BufferTag.Size];
        tag.WriteTo(k);
        return DynaHash.ElementFromKey(Table.Hash.HashSearch(k, HashAction.HASH_FIND, out _));
    }
}

public class BufMgrCheckTests
{
    private static void AssertFires(List<string> errs, string id) =>
        Assert.Contains(errs, e => e.StartsWith(id + ":", StringComparison.Ordinal));

    private static void AssertSilent(List<string> errs, string id) =>
        Assert.DoesNotContain(errs, e => e.StartsWith(id + ":", StringComparison.Ordinal));

    [Fact]
    public void HealthyPool_PassesEverything()
    {
        var p = new MiniPool();
        Assert.Empty(p.Check());
        Assert.Empty(p.Check(quiescent: false));
    }

    [Fact]
    public void M1_TwoDescriptorsWithOneTag()
    {
        var p = new MiniPool();
        BufferDescriptors.WriteTag(p.M, p.Desc(4), MiniPool.Tag(1));
        List<string> errs = p.Check();
        AssertFires(errs, "M1");
        Assert.Contains(errs, e => e.StartsWith("M1: buffers 2 and 5 both hold base/5/16384 block 1", StringComparison.Ordinal));
    }

    [Fact]
    public void M2_EntryPointingAtAnUntaggedOrDifferentBuffer()
    {
        var p = new MiniPool();
        p.M.WriteU32(DynaHash.ElementKey(p.Element(MiniPool.Tag(2))) + BufTable.OffId, 10); // buffer 11 is unused
        AssertFires(p.Check(), "M2");

        var q = new MiniPool();
        q.M.WriteU32(DynaHash.ElementKey(q.Element(MiniPool.Tag(2))) + BufTable.OffId, 3); // holds block 3
        List<string> errs = q.Check();
        Assert.Contains(errs, e => e.StartsWith("M2: entry base/5/16384 block 2 -> 3", StringComparison.Ordinal));
        AssertFires(errs, "M3"); // and buffer 3's tag is now mapped elsewhere

        var r = new MiniPool();
        r.M.WriteU32(DynaHash.ElementKey(r.Element(MiniPool.Tag(2))) + BufTable.OffId, 999);
        Assert.Contains(r.Check(), e => e.StartsWith("M2:", StringComparison.Ordinal) && e.Contains("out of range"));
    }

    [Fact]
    public void M3_TaggedDescriptorMissingFromTheTable()
    {
        var p = new MiniPool();
        BufferTag t = MiniPool.Tag(3);
        p.Table.BufTableDelete(t, BufTable.BufTableHashCode(t));
        List<string> errs = p.Check();
        Assert.Contains(errs, e => e.StartsWith("M3: buffer 4 ", StringComparison.Ordinal) && e.Contains("not in the buffer table"));
    }

    [Fact]
    public void M4_MoreEntriesThanBuffers()
    {
        var p = new MiniPool();
        for (uint b = 100; b < 100 + MiniPool.N; b++)
        {
            BufferTag t = MiniPool.Tag(b);
            p.Table.BufTableInsert(t, BufTable.BufTableHashCode(t), 7);
        }
        List<string> errs = p.Check();
        AssertFires(errs, "M4");
        AssertFires(errs, "M2");
    }

    [Fact]
    public void M6_StoredHashValueNotTheTagsHash()
    {
        var p = new MiniPool();
        ulong e = p.Element(MiniPool.Tag(5));
        uint hv = p.M.ReadU32(e + DynaHash.ElemOffHashValue);
        // keep it in the same bucket (so only the hash check can notice), change a high bit
        p.M.WriteU32(e + DynaHash.ElemOffHashValue, hv ^ 0x8000_0000u);
        List<string> errs = p.Check();
        AssertFires(errs, "M6");
        AssertFires(errs, "DH2"); // the composed table walker agrees
    }

    [Fact]
    public void UnsoundChains_AreNotFollowed()
    {
        var p = new MiniPool();
        ulong e = p.Element(MiniPool.Tag(0));
        p.M.WriteU64(e + DynaHash.ElemOffLink, 0xDEAD_0000_0000UL);
        List<string> errs = p.Check();
        AssertFires(errs, "DH1");
        Assert.Contains(errs, x => x.StartsWith("M2: the buffer table's chains are unsound", StringComparison.Ordinal));
    }

    [Fact]
    public void B10_IoAtQuiescence_AndOwnerCount()
    {
        var p = new MiniPool();
        BufferBackends.Pin(p.Pins[0], p.Desc(2));
        p.SetState(2, p.State(2) | BM_IO_IN_PROGRESS);
        List<string> errs = p.Check();
        Assert.Contains(errs, e => e.StartsWith("B10: buffer 3 ", StringComparison.Ordinal) && e.Contains("left at quiescence"));

        // not quiescent: legal with exactly one owner, a violation with none or two
        var parts = p.Parts(quiescent: false);
        Assert.Empty(BufMgrCheck.CheckParts(parts with { IoOwners = id => id == 2 ? 1 : 0 }));
        AssertFires(BufMgrCheck.CheckParts(parts with { IoOwners = _ => 0 }), "B10");
        AssertFires(BufMgrCheck.CheckParts(parts with { IoOwners = id => id == 2 ? 2 : 0 }), "B10");

        // an owner remembering an I/O whose flag is gone, at quiescence
        p.SetState(2, p.State(2) & ~BM_IO_IN_PROGRESS);
        AssertFires(BufMgrCheck.CheckParts(p.Parts() with { IoOwners = id => id == 2 ? 1 : 0 }), "B10");
    }

    [Fact]
    public void B15_Permanence()
    {
        var p = new MiniPool();
        p.Assign(8, MiniPool.Tag(0, ForkNumber.INIT_FORKNUM), BM_TAG_VALID); // init fork, not permanent
        Assert.Contains(p.Check(), e => e.StartsWith("B15: buffer 9 ", StringComparison.Ordinal));

        var q = new MiniPool();
        q.SetState(3, q.State(3) & ~BM_PERMANENT); // one page of a permanent relation lost the flag
        AssertFires(q.Check(), "B15");

        var r = new MiniPool();
        AssertFires(BufMgrCheck.CheckParts(r.Parts() with { RelationIsPermanent = _ => false }), "B15");
        Assert.Empty(BufMgrCheck.CheckParts(r.Parts() with { RelationIsPermanent = _ => true }));
    }

    [Fact]
    public void D1_ContentLockWordDisagreesWithHolders()
    {
        var p = new MiniPool();
        ulong lockState = p.Desc(1).ContentLock.StateAddr;
        p.M.WriteU32(lockState, LWLockConstants.LW_VAL_EXCLUSIVE);
        Assert.Contains(p.Check(), e => e.StartsWith("D1: buffer 2 ", StringComparison.Ordinal) && e.Contains("exclusive bit"));
        p.M.WriteU32(lockState, LWLockConstants.LW_VAL_EXCLUSIVE | 2);
        Assert.Contains(p.Check(quiescent: false), e => e.StartsWith("D1: buffer 2 ", StringComparison.Ordinal) && e.Contains("exclusive and 2 shared"));
    }

    [Fact]
    public void ContentLockWord_UndefinedBit_IsLW9_OverMaxBackends_IsLW10_WaitListLockBit_IsLW1()
    {
        var p = new MiniPool();
        ulong lockState = p.Desc(3).ContentLock.StateAddr;
        uint clean = p.M.ReadU32(lockState);
        p.M.WriteU32(lockState, clean | (1u << 26));
        Assert.Contains(p.Check(quiescent: false), e => e.StartsWith("LW9: buffer 4 ", StringComparison.Ordinal));
        p.M.WriteU32(lockState, clean | (LWLockConstants.MAX_BACKENDS + 1));
        Assert.Contains(p.Check(quiescent: false), e => e.StartsWith("LW10: buffer 4 ", StringComparison.Ordinal));
        p.M.WriteU32(lockState, clean | LWLockConstants.LW_FLAG_LOCKED);
        Assert.Contains(p.Check(), e => e.StartsWith("LW1: buffer 4 ", StringComparison.Ordinal));
        AssertSilent(p.Check(quiescent: false), "LW1"); // someone may be inside LWLockWaitListLock
        p.M.WriteU32(lockState, clean);
        Assert.Empty(p.Check());
    }

    [Fact]
    public void D5_CleanPageDiffersFromDisk_D8_PageOfAMissingBlock()
    {
        var p = new MiniPool();
        p.M.WriteU8(MiniPool.Block(2) + 700, 0x5A); // a change that was never marked dirty
        Assert.Contains(p.Check(), e => e.StartsWith("D5: buffer 3 ", StringComparison.Ordinal) && e.Contains("at byte 700"));
        p.SetState(2, p.State(2) | BM_DIRTY);
        AssertSilent(p.Check(), "D5");
        // checksum field differences do not count (FlushBuffer stamps only its copy)
        p.M.WriteU16(MiniPool.Block(3) + PageHeader.OffChecksum, 0x1234);
        AssertSilent(p.Check(), "D5");

        var q = new MiniPool();
        q.Storage.Truncate(MiniPool.Rel, ForkNumber.MAIN_FORKNUM, 4); // blocks 4 and 5 gone, their buffers not
        List<string> errs = q.Check();
        Assert.Contains(errs, e => e.StartsWith("D8: buffer 5 ", StringComparison.Ordinal));
        Assert.Contains(errs, e => e.StartsWith("D8: buffer 6 ", StringComparison.Ordinal));
        AssertSilent(q.Check(quiescent: false), "D8");
    }

    [Fact]
    public void ComposedWalkers_ReportUnderTheirIds()
    {
        var p = new MiniPool();
        p.SetState(0, p.State(0) | BM_JUST_DIRTIED); // B8
        p.Pins[1].PinCountWaitBuf = p.Desc(3);      // P4: no pin
        BufferDescriptors.WriteFreeNext(p.M, p.Desc(9), 4); // F1: cycle
        p.Pins[0].Backend.LWLocks.LWLockAcquire(p.Desc(5).ContentLock, LWLockMode.LW_SHARED); // P3: no pin
        List<string> errs = p.Check();
        AssertFires(errs, "P3");
        AssertSilent(errs, "D1"); // the lock word and the holder lists agree
        p.Pins[0].Backend.LWLocks.LWLockRelease(p.Desc(5).ContentLock);
        AssertFires(errs, "B8");
        AssertFires(errs, "P4");
        AssertFires(errs, "F1");
    }

    [Fact]
    public void NotQuiescent_SkipsLockedHeaders()
    {
        var p = new MiniPool();
        // buffer 5's header is locked mid-change: new tag written, TAG_VALID not yet published
        p.SetState(4, BM_LOCKED);
        BufferDescriptors.WriteTag(p.M, p.Desc(4), MiniPool.Tag(77));
        List<string> q = p.Check();
        AssertFires(q, "B5");
        AssertFires(q, "B13");
        AssertFires(q, "M2"); // the entry for block 4 points at an untagged buffer
        List<string> nq = p.Check(quiescent: false);
        AssertSilent(nq, "B5");
        AssertSilent(nq, "B13");
        AssertSilent(nq, "B3");
    }

    [Fact]
    public void NotQuiescent_SkipsTagsWhosePartitionIsHeldExclusively()
    {
        var p = new MiniPool();
        BufferTag t = MiniPool.Tag(3);
        p.Table.BufTableDelete(t, BufTable.BufTableHashCode(t)); // as InvalidateVictimBuffer does under the lock
        int part = BufTable.BufTableHashPartition(BufTable.BufTableHashCode(t));
        var parts = p.Parts(quiescent: false) with { PartitionHeldExclusively = i => i == part };
        Assert.Empty(BufMgrCheck.CheckParts(parts));
        AssertFires(BufMgrCheck.CheckParts(p.Parts(quiescent: false)), "M3");
    }
    [Fact]
    public void PoolLevel_HealthyAfterWork_IoOwnersAndOwnerPins()
    {
        var g = new BufMgrBackends(2);
        BufMgr a = g[0];
        g.CreateRel(BufMgrBackends.RelA, 4);
        for (uint i = 0; i < 4; i++) BufMgrDropTests.Modify(a, BufMgrBackends.RelA, i, 1);
        Assert.Empty(BufMgrCheck.Check(g.Pool, g.B, quiescent: true));

        // a write in flight, owned by backend 0: wrong at quiescence, fine while not quiescent
        int buf = a.ReadBuffer(BufMgrBackends.Rel(BufMgrBackends.RelA), ForkNumber.MAIN_FORKNUM, 2);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_SHARE);
        Assert.True(a.StartBufferIO(g.Desc(buf), forInput: false, nowait: false));
        Assert.Contains(BufMgrCheck.Check(g.Pool, g.B, quiescent: true), e => e.StartsWith("B10:", StringComparison.Ordinal));
        Assert.Empty(BufMgrCheck.Check(g.Pool, g.B, quiescent: false));
        // the owner losing track of it is a B10 even mid-flight
        a.Owner.ForgetBufferIO(buf);
        Assert.Contains(BufMgrCheck.Check(g.Pool, g.B, quiescent: false), e => e.StartsWith("B10:", StringComparison.Ordinal) && e.Contains("0 resource owner"));
        a.Owner.RememberBufferIO(buf);
        a.TerminateBufferIO(g.Desc(buf), clearDirty: false, 0, forgetOwner: true);
        a.LockBuffer(buf, BufferLockMode.BUFFER_LOCK_UNLOCK);

        // P5: a pin the resource owner does not know about
        a.Owner.ForgetBuffer(buf);
        Assert.Contains(BufMgrCheck.Check(g.Pool, g.B, quiescent: true), e => e.StartsWith("P5: backend 0: buffer " + buf, StringComparison.Ordinal));
        a.Owner.RememberBuffer(buf);
        a.ReleaseBuffer(buf);
        Assert.Empty(BufMgrCheck.Check(g.Pool, g.B, quiescent: true));

        // D5 through the pool: a clean page changed behind the buffer manager's back
        a.FlushRelationBuffers(BufMgrBackends.Rel(BufMgrBackends.RelA));
        Assert.Empty(BufMgrCheck.Check(g.Pool, g.B, quiescent: true));
        int clean = PgBufferCache.Rows(g.Pool).First(r => r.isdirty == false).bufferid;
        g.Pool.InitMemory.WriteU8(g.Pool.BufHdrGetBlock(clean - 1) + 300, 0xEE);
        Assert.Contains(BufMgrCheck.Check(g.Pool, g.B, quiescent: true), e => e.StartsWith("D5: buffer " + clean + " ", StringComparison.Ordinal));
    }
    /// <summary>The checker run from inside InvalidateBuffer, between clearing the descriptor and
    /// deleting its table entry (the partition lock held exclusively): a real mid-operation state.
    /// Not quiescent, it skips that partition and reports nothing; as if quiescent, M2 fires.</summary>
    [Fact]
    public void NotQuiescent_InsideInvalidateBuffer()
    {
        var g = new BufMgrBackends(0);
        g.CreateRel(BufMgrBackends.RelA, 2);
        BufMgr? dropper = null, reader = null;
        bool armed = false;
        List<string>? inside = null, insideAsQuiescent = null;
        dropper = g.Pool.Attach(0, mem => new HookRuntime(new ProductionSyncRuntime(mem, g.Pool.Kernel, 1))
        {
            AfterWrite = (addr, value, self) =>
            {
                if (!armed || inside is not null || !BufMgrReadTests.IsStateWord(g, addr) || (value & BUF_FLAG_MASK) != 0) return;
                var all = new[] { dropper!, reader! };
                inside = BufMgrCheck.Check(g.Pool, all, quiescent: false);
                insideAsQuiescent = BufMgrCheck.Check(g.Pool, all, quiescent: true);
            },
        });
        reader = g.Pool.Attach(1);
        BufMgrDropTests.Modify(reader, BufMgrBackends.RelA, 1, 4);
        armed = true;
        dropper.DropRelationBuffers(BufMgrBackends.Rel(BufMgrBackends.RelA), new[] { ForkNumber.MAIN_FORKNUM }, new[] { 0u });
        Assert.NotNull(inside);
        Assert.Empty(inside!);
        Assert.Contains(insideAsQuiescent!, e => e.StartsWith("M2:", StringComparison.Ordinal) && e.Contains("is not BM_TAG_VALID"));
        Assert.Empty(BufMgrCheck.Check(g.Pool, new[] { dropper, reader }, quiescent: true));
    }

    /// <summary>Another backend's attachment of the table carves out a new element batch (a freelist
    /// ran dry): DynaHash.Check on the creator's HTAB calls those elements foreign, BufMgrCheck judges
    /// the pool over every attachment and stays quiet, and still reports a really foreign link.</summary>
    [Fact]
    public void TablePool_CountsBatchesOfEveryAttachment()
    {
        var g = new BufMgrBackends(2);
        BufMgr other = g[1];
        // tags that all hash to freelist 0, more than it holds
        var tags = new List<BufferTag>();
        int batchesBefore = other.Table.Hash.Batches.Count;
        for (uint blk = 0; other.Table.Hash.Batches.Count == batchesBefore && tags.Count < 200; blk++)
        {
            var t = new BufferTag(DEFAULTTABLESPACE_OID, 5, 16384, ForkNumber.MAIN_FORKNUM, blk);
            if (BufTable.BufTableHashCode(t) % DynaHash.NUM_FREELISTS != 0) continue;
            tags.Add(t);
            WithPartition(other, t, h => other.Table.BufTableInsert(t, h, 0));
        }
        foreach (BufferTag t in tags) WithPartition(other, t, h => { other.Table.BufTableDelete(t, h); return 0; });
        Assert.True(other.Table.Hash.Batches.Count > batchesBefore, "no element_alloc happened");

        // the batch list is shared by every attachment, so the creator's own walk knows the new batch too
        Assert.Empty(g.Pool.Table.Hash.Check());
        Assert.Empty(BufMgrCheck.Check(g.Pool, g.B, quiescent: true));

        // a freelist pointing outside every batch is still caught
        ulong fl = g.Pool.Table.Hash.FreeListAddr(0) + DynaHash.FreeListOffFreeList;
        g.Pool.InitMemory.WriteU64(fl, g.Pool.InitMemory.ReadU64(fl) + 8);
        List<string> errs = BufMgrCheck.Check(g.Pool, g.B, quiescent: true);
        Assert.Contains(errs, e => e.StartsWith("DH1: freelist 0 links to", StringComparison.Ordinal));
    }

    private static void WithPartition(BufMgr b, BufferTag t, Func<uint, int> body)
    {
        uint h = BufTable.BufTableHashCode(t);
        LWLock part = b.Pool.BufMappingPartitionLock(h);
        b.Backend.LWLocks.LWLockAcquire(part, LWLockMode.LW_EXCLUSIVE);
        body(h);
        b.Backend.LWLocks.LWLockRelease(part);
    }
}
