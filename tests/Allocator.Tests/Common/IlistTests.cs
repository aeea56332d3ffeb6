// Tests of the ilist.h port (Common/Dlist.cs, Common/Dclist.cs): the byte layout the contexts and
// the fuzz corpus depend on (prev at +0, next at +8, count at +16), list order, the foreach
// enumerators, and the deliberate corrupted-list behaviour (zeroed heads, the walk bound).
using Allocator.Common;
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Common;

public class IlistTests
{
    private readonly SimMemory _mem;
    private readonly ulong _head;
    private readonly ulong[] _nodes;

    public IlistTests()
    {
        _mem = new SimMemory();
        var heap = new SimHeap(_mem);
        _head = heap.Malloc(Dclist.SizeOfHead);
        _nodes = new ulong[4];
        for (int i = 0; i < _nodes.Length; i++) _nodes[i] = heap.Malloc(Dlist.SizeOfNode);
    }

    private List<ulong> Walk(ulong head)
    {
        var seen = new List<ulong>();
        foreach (ulong node in _mem.DlistForeach(head)) seen.Add(node);
        return seen;
    }

    [Fact]
    public void Layout_MatchesA64BitBuild()
    {
        Assert.Equal(0UL, Dlist.OffPrev);
        Assert.Equal(8UL, Dlist.OffNext);
        Assert.Equal(16UL, Dlist.SizeOfNode);
        Assert.Equal(Dlist.SizeOfNode, Dclist.OffCount);
        Assert.Equal(24UL, Dclist.SizeOfHead);
    }

    [Fact]
    public void Init_PointsTheHeadAtItself()
    {
        _mem.DlistInit(_head);
        Assert.Equal(_head, _mem.ReadU64(_head));
        Assert.Equal(_head, _mem.ReadU64(_head + 8));
        Assert.True(_mem.DlistIsEmpty(_head));
        Assert.Empty(Walk(_head));
    }

    [Fact]
    public void ZeroedHead_IsEmpty_AsInC()
    {
        _mem.WriteU64(_head, 0);
        _mem.WriteU64(_head + 8, 0);
        Assert.True(_mem.DlistIsEmpty(_head));
    }

    [Fact]
    public void PushHeadAndTail_LinkPrevAtZeroAndNextAtEight()
    {
        ulong a = _nodes[0], b = _nodes[1], c = _nodes[2];
        _mem.DlistInit(_head);
        _mem.DlistPushHead(_head, b);
        _mem.DlistPushHead(_head, a);
        _mem.DlistPushTail(_head, c);

        Assert.Equal([a, b, c], Walk(_head));
        Assert.Equal(a, _mem.DlistHeadNode(_head));
        Assert.Equal(a, _mem.ReadU64(_head + 8));
        Assert.Equal(c, _mem.ReadU64(_head));
        Assert.Equal(_head, _mem.ReadU64(a));
        Assert.Equal(b, _mem.ReadU64(a + 8));
        Assert.Equal(a, _mem.ReadU64(b));
        Assert.Equal(c, _mem.ReadU64(b + 8));
        Assert.Equal(b, _mem.ReadU64(c));
        Assert.Equal(_head, _mem.ReadU64(c + 8));
        Assert.True(_mem.DlistHasNext(_head, b));
        Assert.False(_mem.DlistHasNext(_head, c));
    }

    [Fact]
    public void Delete_UnlinksAndLeavesTheNodesOwnLinks()
    {
        ulong a = _nodes[0], b = _nodes[1], c = _nodes[2];
        _mem.DlistInit(_head);
        _mem.DlistPushTail(_head, a);
        _mem.DlistPushTail(_head, b);
        _mem.DlistPushTail(_head, c);

        _mem.DlistDelete(b);
        Assert.Equal([a, c], Walk(_head));
        Assert.Equal(a, _mem.ReadU64(b));
        Assert.Equal(c, _mem.ReadU64(b + 8));

        _mem.DlistDelete(a);
        _mem.DlistDelete(c);
        Assert.True(_mem.DlistIsEmpty(_head));
    }

    [Fact]
    public void ForeachModify_LetsTheBodyUnlinkTheCurrentNode()
    {
        _mem.DlistInit(_head);
        foreach (ulong n in _nodes) _mem.DlistPushTail(_head, n);
        var visited = new List<ulong>();
        foreach (ulong node in _mem.DlistForeachModify(_head))
        {
            visited.Add(node);
            _mem.DlistDelete(node);
            _mem.WriteU64(node + 8, 0);   // what a freed node's memory may hold
        }
        Assert.Equal(_nodes, visited);
        Assert.True(_mem.DlistIsEmpty(_head));
    }

    [Fact]
    public void BoundedForeach_EndsOnACycle()
    {
        ulong a = _nodes[0], b = _nodes[1];
        _mem.DlistInit(_head);
        _mem.DlistPushTail(_head, a);
        _mem.DlistPushTail(_head, b);
        _mem.WriteU64(b + 8, a);   // b -> a: the walk never gets back to the head

        var visited = new List<ulong>();
        foreach (ulong node in _mem.DlistForeach(_head, 5)) visited.Add(node);
        Assert.Equal([a, b, a, b, a], visited);
    }

    [Fact]
    public void ZeroedHead_IsFollowed_ByTheWalks()
    {
        // A divergence kept on purpose (Dlist.cs): C's foreach treats next == NULL as empty; the
        // port follows the link, and reading the NULL node faults.
        _mem.WriteU64(_head, 0);
        _mem.WriteU64(_head + 8, 0);
        Assert.Throws<SimFaultException>(() => Walk(_head));
    }

    [Fact]
    public void Dclist_CountsPushesPopsAndDeletes()
    {
        ulong a = _nodes[0], b = _nodes[1], c = _nodes[2];
        _mem.WriteU32(_head + Dclist.OffCount, 77);
        _mem.DclistInit(_head);
        Assert.Equal(0U, _mem.DclistCount(_head));
        Assert.True(_mem.DlistIsEmpty(_head));

        _mem.DclistPushHead(_head, c);
        _mem.DclistPushHead(_head, b);
        _mem.DclistPushHead(_head, a);
        Assert.Equal(3U, _mem.DclistCount(_head));
        Assert.Equal(3U, _mem.ReadU32(_head + 16));

        Assert.Equal(a, _mem.DclistPopHeadNode(_head));
        Assert.Equal(2U, _mem.DclistCount(_head));
        _mem.DclistDeleteFrom(_head, c);
        Assert.Equal(1U, _mem.DclistCount(_head));
        Assert.Equal([b], Walk(_head));

        foreach (ulong node in _mem.DclistForeachModify(_head)) _mem.DclistDeleteFrom(_head, node);
        Assert.Equal(0U, _mem.DclistCount(_head));
        Assert.True(_mem.DlistIsEmpty(_head));
    }
}
