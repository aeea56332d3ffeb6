// Tests of the buffer manager's reference model: the two predictions that need care (no unpinned
// buffers, crash candidates), lock compatibility and what an abort and a crash take away.
using Models.Buffers;
using Xunit;

namespace Models.Tests.Buffers;

public class BufferModelTests
{
    private static readonly ModelRelation[] Rels = [new(0, 5, true), new(1, 5, false)];

    private static BufferModel New(int nbuffers = 3, int backends = 2) => new(nbuffers, backends, Rels, [4, 2]);

    [Fact]
    public void NoUnpinnedBuffers_OnlyWhenEveryBufferHoldsADistinctPinnedPage()
    {
        var m = New(nbuffers: 2);
        var p0 = new PageKey(0, 0);
        var p1 = new PageKey(0, 1);
        var p2 = new PageKey(0, 2);
        Assert.Null(m.ExpectPinError(0, p0, mustExist: true));
        m.Pin(0, p0);
        m.Pin(1, p0);   // same page: still one buffer
        Assert.Null(m.ExpectPinError(1, p1, mustExist: true));
        m.Pin(1, p1);
        Assert.Equal("no unpinned buffers available", m.ExpectPinError(0, p2, mustExist: true));
        Assert.Null(m.ExpectPinError(0, p1, mustExist: true));   // a hit needs no victim
        // the buffer comes first: a full pool fails a read beyond the end with the pool's ERROR
        Assert.Equal("no unpinned buffers available", m.ExpectPinError(0, new PageKey(1, 7), mustExist: true));
        m.Unpin(1, 1);
        Assert.Null(m.ExpectPinError(0, p2, mustExist: true));
    }

    [Fact]
    public void ReadBeyondTheEnd_IsAnErrorOnlyForAPlainRead()
    {
        var m = New();
        Assert.Equal("beyond-eof", m.ExpectPinError(0, new PageKey(1, 2), mustExist: true));
        Assert.Null(m.ExpectPinError(0, new PageKey(1, 2), mustExist: false));
    }

    [Fact]
    public void Locks_AreReaderWriter()
    {
        var m = New();
        var p = new PageKey(0, 0);
        m.Pin(0, p);
        m.Pin(1, p);
        m.Lock(0, p, LockMode.Share);
        Assert.True(m.CanLock(1, p, LockMode.Share));
        Assert.False(m.CanLock(1, p, LockMode.Exclusive));
        m.Unlock(0, p);
        m.Lock(1, p, LockMode.Exclusive);
        Assert.False(m.CanLock(0, p, LockMode.Share));
        Assert.Throws<InvalidOperationException>(() => m.Lock(0, p, LockMode.Share));
    }

    [Fact]
    public void CrashCandidates_RunFromTheLastDurablePointToNow()
    {
        var m = New();
        var p = new PageKey(0, 1);
        m.Write(p, 10);
        m.Write(p, 11);
        Assert.Equal([0UL, 10, 11], m.CrashCandidates(p));
        m.MadeDurable(p);
        m.Write(p, 12);
        Assert.Equal([11UL, 12], m.CrashCandidates(p));
        m.Crash();
        Assert.False(m.Recovered(p, 10));
        Assert.True(m.Recovered(p, 12));
        Assert.Equal(12UL, m.Value(p));
        Assert.Equal([12UL], m.CrashCandidates(p));
    }

    [Fact]
    public void Crash_EmptiesUnloggedRelations_DropsPinsAndForgetsHints()
    {
        var m = New();
        var p = new PageKey(0, 0);
        m.Pin(0, p);
        m.Lock(0, p, LockMode.Exclusive);
        m.WriteHint(p, 7);
        m.Crash();
        Assert.Empty(m.Pins(0));
        Assert.Equal(LockMode.None, m.LockHeld(0, p));
        Assert.Null(m.Hint(p));
        Assert.Equal(0u, m.NBlocks(1));
        Assert.Equal(4u, m.NBlocks(0));
    }

    [Fact]
    public void Truncate_RemovesPagesAndRefusesWhilePinned()
    {
        var m = New();
        m.Pin(0, new PageKey(0, 3));
        Assert.Throws<InvalidOperationException>(() => m.Truncate(0, 1));
        m.Abort(0);
        m.Truncate(0, 1);
        Assert.Equal(1u, m.NBlocks(0));
        Assert.False(m.Exists(new PageKey(0, 1)));
        PageKey added = m.Extend(1, 0);
        Assert.Equal(new PageKey(0, 1), added);
        Assert.Equal(0UL, m.Value(added));
        Assert.Equal([0UL], m.CrashCandidates(added));
    }

    [Fact]
    public void LastUnpin_TakesTheLockWithIt()
    {
        var m = New();
        var p = new PageKey(0, 0);
        m.Pin(0, p);
        m.Pin(0, p);
        m.Lock(0, p, LockMode.Share);
        m.Unpin(0, 0);
        Assert.Equal(LockMode.Share, m.LockHeld(0, p));
        m.Unpin(0, 0);
        Assert.Equal(LockMode.None, m.LockHeld(0, p));
    }
}
