// DsmCluster: a DSM control segment with some backends attached, for the Dsm tests; Ok() runs
// DsmCheck and fails the test on any violation.
using Allocator.Shmem;
using Xunit;

namespace Allocator.Tests.Shmem;

internal sealed class DsmCluster
{
    public DsmControl Control { get; }
    public DsmBackend[] B { get; }

    public DsmCluster(int backends = 3, int maxBackends = 4, ulong seed = 7)
    {
        Control = new DsmControl(new DsmControlOptions(maxBackends, seed));
        B = new DsmBackend[backends];
        for (int i = 0; i < backends; i++) B[i] = Control.Attach(i);
    }

    public void Ok()
    {
        List<string> errors = DsmCheck.Check(Control);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>The slot a handle is live in, or -1.</summary>
    public int SlotOf(uint handle)
    {
        for (uint i = 0; i < Control.NItems; i++)
        {
            if (Control.ItemRefcnt(i) >= 2 && Control.ItemHandle(i) == handle) return (int)i;
        }
        return -1;
    }

    /// <summary>Objects the simulated implementation holds, other than the control segment.</summary>
    public int SegmentObjects => Control.Impl.Objects().Count(kv => kv.Key != Control.dsm_control_handle);
}
