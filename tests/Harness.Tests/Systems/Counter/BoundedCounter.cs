// BoundedCounter: the "port" of a tiny second system under test, registered only in the tests to
// prove that the engines are generic: a counter in simulated memory that never goes below 0 or
// above Cap. Invariant CT1: 0 <= value <= Cap, checked by Check(). A planted bug (IncPastCap)
// makes Inc test "value <= Cap" instead of "value < Cap", so a full counter overflows its bound.
using Allocator.Common;
using Allocator.Sim;

namespace Harness.Tests.Systems.Counter;

internal sealed class BoundedCounter
{
    public const uint Cap = 5;
    public const string IncPastCap = "IncPastCap";

    private readonly SimMemory _mem = new(1 << 16, 16);
    private readonly ulong _word;
    private readonly bool _incPastCap;

    public BoundedCounter(bool incPastCap)
    {
        _incPastCap = incPastCap;
        _word = _mem.MapRegion("counter", 8).Base;
    }

    public uint Value => _mem.ReadU32(_word);

    public bool Inc()
    {
        uint v = Value;
        if (_incPastCap ? v > Cap : v >= Cap) return false;
        _mem.WriteU32(_word, v + 1);
        return true;
    }

    public bool Dec()
    {
        uint v = Value;
        if (v == 0) return false;
        _mem.WriteU32(_word, v - 1);
        return true;
    }

    /// <summary>CT1, as an Assert of the port would check it.</summary>
    public void Check()
    {
        if (Value > Cap) throw new AssertionFailureException("value <= Cap", "File: \"BoundedCounter.cs\", in Check");
    }
}
