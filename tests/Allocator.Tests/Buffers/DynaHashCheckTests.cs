// Tests of DynaHash.Check(): a healthy populated table passes, and each numbered invariant fires
// when simulated memory is corrupted the way it describes (and the walker does not fault).
using Allocator.Buffers.Dynahash;
using Allocator.Buffers;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Buffers;

public class DynaHashCheckTests
{
    private readonly SimMemory _mem;
    private readonly DynaHash _t;
    private readonly List<BufferTag> _tags = new();

    public DynaHashCheckTests()
    {
        (_mem, var seg) = DynaHashTests.NewSegment();
        _t = BufTable.InitBufTable(seg, _mem, 16 + 128).Hash;
        for (uint b = 0; b < 40; b++)
        {
            var tag = new BufferTag(1663, 5, 16384, 0, b);
            _tags.Add(tag);
            _t.HashSearch(DynaHashTests.Key(tag), HashAction.HASH_ENTER, out _);
        }
    }

    private ulong ElementOf(int i) =>
        DynaHash.ElementFromKey(_t.HashSearch(DynaHashTests.Key(_tags[i]), HashAction.HASH_FIND, out _));

    /// <summary>A freelist index whose list is non-empty.</summary>
    private int NonEmptyFreelist()
    {
        for (int i = 0; i < 32; i++) if (_t.FreeListHead(i) != 0) return i;
        throw new InvalidOperationException("every freelist is empty");
    }

    private void AssertFires(string invariant)
    {
        List<string> errs = _t.Check();
        Assert.Contains(errs, e => e.StartsWith(invariant + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void HealthyTable_PassesEveryInvariant()
    {
        Assert.Empty(_t.Check());
        Assert.Equal(40, _t.HashGetNumEntries());
    }

    [Fact]
    public void DH1_ElementOnAFreelistAndInAChain()
    {
        int fl = NonEmptyFreelist();
        _mem.WriteU64(_t.FreeListAddr(fl) + DynaHash.FreeListOffFreeList, ElementOf(0));
        AssertFires("DH1");
    }

    [Fact]
    public void DH1_LinkOutsideThePool_IsReportedWithoutFollowingIt()
    {
        ulong e = ElementOf(1);
        _mem.WriteU64(e + DynaHash.ElemOffLink, 0xDEAD_0000_0000UL); // unmapped: following it would fault
        AssertFires("DH1");
    }

    [Fact]
    public void DH1_CycleInAFreelist()
    {
        int fl = NonEmptyFreelist();
        ulong head = _t.FreeListHead(fl);
        _mem.WriteU64(head + DynaHash.ElemOffLink, head);
        AssertFires("DH1");
    }

    [Fact]
    public void DH2_HashValueOfAnotherBucket()
    {
        ulong e = ElementOf(2);
        uint hv = _mem.ReadU32(e + DynaHash.ElemOffHashValue);
        _mem.WriteU32(e + DynaHash.ElemOffHashValue, hv ^ 0x80); // same freelist, another bucket
        AssertFires("DH2");
    }

    [Fact]
    public void DH2_KeyNoLongerHashesToItsHashValue()
    {
        ulong e = ElementOf(3);
        _mem.WriteU32(DynaHash.ElementKey(e) + BufferTag.OffBlockNum, 999_999);
        List<string> errs = _t.Check();
        Assert.Contains(errs, x => x.StartsWith("DH2:", StringComparison.Ordinal) && x.Contains("its key hashes to", StringComparison.Ordinal));
    }

    [Fact]
    public void DH3_NEntriesOff()
    {
        ulong a = _t.FreeListAddr(7) + DynaHash.FreeListOffNEntries;
        _mem.WriteU64(a, _mem.ReadU64(a) + 1);
        AssertFires("DH3");
    }

    [Fact]
    public void DH3_EntryAccountedToTheWrongFreelist()
    {
        // Move one unit of nentries between two freelists: the sum still matches, the split does not.
        ulong a = _t.FreeListAddr(4) + DynaHash.FreeListOffNEntries;
        ulong b = _t.FreeListAddr(9) + DynaHash.FreeListOffNEntries;
        _mem.WriteU64(a, _mem.ReadU64(a) + 1);
        _mem.WriteU64(b, _mem.ReadU64(b) - 1);
        List<string> errs = _t.Check();
        Assert.Contains(errs, x => x.StartsWith("DH3: freelist", StringComparison.Ordinal));
        Assert.DoesNotContain(errs, x => x.Contains("sum to", StringComparison.Ordinal));
    }

    [Fact]
    public void DH4_SameKeyTwice()
    {
        // Give element 5 the key and hash value of element 6: both are then valid where they sit
        // only if they share a bucket, so relink element 5 into element 6's chain, after it.
        ulong e5 = ElementOf(5), e6 = ElementOf(6);
        // unlink e5 from its chain
        _t.HashSearch(DynaHashTests.Key(_tags[5]), HashAction.HASH_REMOVE, out _);
        // pop it back off the freelist it went to
        int fl = _t.FreelistIdx(_tags[5].HashCode());
        Assert.Equal(e5, _t.FreeListHead(fl));
        _mem.WriteU64(_t.FreeListAddr(fl) + DynaHash.FreeListOffFreeList, _mem.ReadU64(e5 + DynaHash.ElemOffLink));
        // duplicate e6 into e5 and append it after e6
        _mem.Copy(e5 + 8, e6 + 8, _t.ElementSize - 8);
        _mem.WriteU64(e5 + DynaHash.ElemOffLink, _mem.ReadU64(e6 + DynaHash.ElemOffLink));
        _mem.WriteU64(e6 + DynaHash.ElemOffLink, e5);
        int fl6 = _t.FreelistIdx(_tags[6].HashCode());
        ulong n6 = _t.FreeListAddr(fl6) + DynaHash.FreeListOffNEntries;
        _mem.WriteU64(n6, _mem.ReadU64(n6) + 1);
        List<string> errs = _t.Check();
        Assert.Contains(errs, x => x.StartsWith("DH4:", StringComparison.Ordinal));
        Assert.True(errs.Count == 1, string.Join("; ", errs)); // only DH4: everything else is consistent
    }

    [Fact]
    public void DH5_ElementLeakedOffAFreelist()
    {
        int fl = NonEmptyFreelist();
        ulong head = _t.FreeListHead(fl);
        _mem.WriteU64(_t.FreeListAddr(fl) + DynaHash.FreeListOffFreeList, _mem.ReadU64(head + DynaHash.ElemOffLink));
        List<string> errs = _t.Check();
        Assert.Equal(new[] { "DH5" }, errs.Select(e => e[..3]).ToArray());
    }

    [Fact]
    public void DH6_MutexLeftHeld()
    {
        _mem.WriteU32(_t.FreeListAddr(11) + DynaHash.FreeListOffMutex, 1);
        AssertFires("DH6");
    }

    [Fact]
    public void DH7_GeometryAndMissingSegment()
    {
        _mem.WriteU32(_t.Hctl + DynaHash.HdrOffLowMask, 127);
        AssertFires("DH7");
        _mem.WriteU32(_t.Hctl + DynaHash.HdrOffLowMask, 255);
        Assert.Empty(_t.Check());
        _mem.WriteU64(_t.Dir, 0);
        List<string> errs = _t.Check();
        Assert.Contains(errs, x => x.StartsWith("DH7: segment 0 is missing", StringComparison.Ordinal));
        _mem.WriteU64(_t.Dir, 0xDEAD_0000_0000UL); // a wild segment pointer is reported, not followed
        errs = _t.Check();
        Assert.Contains(errs, x => x.StartsWith("DH7: segment 0 at 0xdead00000000 is not inside", StringComparison.Ordinal));
    }
}
