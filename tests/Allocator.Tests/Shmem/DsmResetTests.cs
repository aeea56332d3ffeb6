// DsmControl.Reset: a new postmaster's cluster in place, for explorers that reuse address spaces.
using Allocator.Shmem;
using Xunit;

namespace Allocator.Tests.Shmem;

public sealed class DsmResetTests
{
    [Fact]
    public void Reset_RestartsTheCluster_InPlace_OverTheSameAddressSpaces()
    {
        var control = new DsmControl(new DsmControlOptions(2, 9));
        var mems = new[] { new Allocator.Sim.SimMemory(1 << 16, 16), new Allocator.Sim.SimMemory(1 << 16, 16) };
        var rts = mems.Select((m, i) => (Allocator.Sync.ISyncRuntime)new Allocator.Sync.ProductionSyncRuntime(m, control.Kernel, (ulong)i + 1)).ToArray();

        (uint[] handles, ulong[] addrs) Run()
        {
            DsmBackend b0 = control.Attach(0, rts[0]);
            DsmBackend b1 = control.Attach(1, rts[1]);
            DsmSegment a = b0.dsm_create(100)!;
            DsmSegment b = b1.dsm_create(200)!;
            b1.dsm_pin_segment(b);
            DsmSegment a1 = b1.dsm_attach(a.handle)!;
            b0.dsm_detach_all();
            var errors = DsmCheck.Check(control);
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            return (new[] { a.handle, b.handle }, new[] { a.mapped_address, b.mapped_address, a1.mapped_address });
        }

        var first = Run();
        control.Reset();
        Assert.Empty(DsmCheck.Check(control));
        Assert.Equal(0u, control.NItems);
        Assert.Single(control.Impl.Objects());
        var second = Run();
        Assert.Equal(first.handles, second.handles);
        Assert.Equal(first.addrs, second.addrs);
    }
}
