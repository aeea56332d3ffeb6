// SimMemoryWriteTrackingTests: every way to change a heap byte is seen by WrittenInLastEpoch (the
// soundness the fuzz oracle's incremental content comparison rests on), reads are not, and the
// epochs hand over as documented.
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimMemoryWriteTrackingTests
{
    private const ulong B = SimMemory.HeapBase;
    private const ulong Page = 1UL << SimMemory.WritePageShift;

    /// <summary>A tracked heap of 64 KiB whose last epoch saw no write.</summary>
    private static SimMemory Quiet()
    {
        var mem = new SimMemory(initialHeapCapacity: 1 << 16);
        mem.SetHeapTop(1 << 16);
        mem.TrackHeapWrites();
        mem.BeginWriteEpoch();   // the first epoch counts everything as written
        Assert.True(mem.WrittenInLastEpoch(B, 1 << 16));
        mem.BeginWriteEpoch();
        Assert.False(mem.WrittenInLastEpoch(B, 1 << 16));
        return mem;
    }

    [Fact]
    public void Untracked_IsAlwaysWritten()
    {
        var mem = new SimMemory();
        mem.SetHeapTop(4096);
        Assert.True(mem.WrittenInLastEpoch(B, 16));
        Assert.Throws<InvalidOperationException>(() => mem.BeginWriteEpoch());
    }

    [Fact]
    public void ScalarWrites_MarkTheirPages_ReadsDoNot()
    {
        SimMemory mem = Quiet();
        mem.ReadU64(B + 10 * Page);
        _ = mem.ReadSpan(B + 20 * Page, 3 * Page).ToArray();
        mem.ReadCString(B + 30 * Page);
        mem.WriteU8(B + 3 * Page + 5, 1);
        mem.WriteU64(B + 7 * Page - 4, 2);   // straddles pages 6 and 7
        mem.BeginWriteEpoch();
        Assert.False(mem.WrittenInLastEpoch(B + 10 * Page, Page));
        Assert.False(mem.WrittenInLastEpoch(B + 20 * Page, 3 * Page));
        Assert.False(mem.WrittenInLastEpoch(B + 30 * Page, Page));
        Assert.True(mem.WrittenInLastEpoch(B + 3 * Page + 200, 1));   // same page as the write
        Assert.False(mem.WrittenInLastEpoch(B + 4 * Page, 2 * Page));
        Assert.True(mem.WrittenInLastEpoch(B + 6 * Page, 1));
        Assert.True(mem.WrittenInLastEpoch(B + 7 * Page, 1));
        Assert.True(mem.WrittenInLastEpoch(B, 1 << 16));
        mem.BeginWriteEpoch();   // the marks belonged to the epoch before
        Assert.False(mem.WrittenInLastEpoch(B, 1 << 16));
    }

    [Fact]
    public void BulkWrites_MarkWholeRanges_IncludingAcrossWords()
    {
        SimMemory mem = Quiet();
        mem.Fill(B + 100 * Page + 1, 90 * Page, 0xAA);   // pages 100..190, across bitmap words
        mem.Copy(B + 2 * Page, B + 250 * Page, 16);
        mem.Span(B + 230 * Page, 8, Allocator.Common.SimAccess.Read)[0] = 1;   // writable whatever it names
        mem.BeginWriteEpoch();
        Assert.False(mem.WrittenInLastEpoch(B + 99 * Page, Page));
        for (ulong p = 100; p <= 190; p++) Assert.True(mem.WrittenInLastEpoch(B + p * Page, 1), $"page {p}");
        Assert.False(mem.WrittenInLastEpoch(B + 191 * Page, 30 * Page));
        Assert.True(mem.WrittenInLastEpoch(B + 2 * Page, 1));
        Assert.False(mem.WrittenInLastEpoch(B + 250 * Page, Page));   // the copy's source was only read
        Assert.True(mem.WrittenInLastEpoch(B + 230 * Page, 1));
    }

    [Fact]
    public void RawAccess_AndReset_MarkEverything()
    {
        SimMemory mem = Quiet();
        _ = mem.HeapBaseRef;
        mem.BeginWriteEpoch();
        Assert.True(mem.WrittenInLastEpoch(B + 40 * Page, 1));
        mem.BeginWriteEpoch();
        Assert.False(mem.WrittenInLastEpoch(B + 40 * Page, 1));
        mem.ResetHeap();
        mem.SetHeapTop(1 << 16);
        mem.BeginWriteEpoch();
        Assert.True(mem.WrittenInLastEpoch(B + 40 * Page, 1));
    }

    [Fact]
    public void LazyZeroing_MarksWhatItClears_AndUnmappedRangesCountAsWritten()
    {
        SimMemory mem = Quiet();
        mem.Fill(B, 1 << 16, 0x55);
        mem.SetHeapTop(8 * Page);   // trim, then reset: the old bytes are stale
        mem.BeginWriteEpoch();
        mem.BeginWriteEpoch();
        Assert.True(mem.WrittenInLastEpoch(B + 9 * Page, 1));   // beyond the top: not comparable
        mem.SetHeapTop(16 * Page);   // remapped, not a fresh process: contents kept, nothing written
        mem.BeginWriteEpoch();
        Assert.False(mem.WrittenInLastEpoch(B + 9 * Page, 1));
        Assert.Equal(0x55, mem.ReadU8(B + 9 * Page));
        mem.ResetHeap();
        mem.SetHeapTop(4 * Page);
        mem.BeginWriteEpoch();
        mem.BeginWriteEpoch();
        mem.SetHeapTop(12 * Page);   // first mapping since the reset: zeroed, hence written
        mem.BeginWriteEpoch();
        Assert.Equal(0, mem.ReadU8(B + 9 * Page));
        Assert.True(mem.WrittenInLastEpoch(B + 9 * Page, 1));
        Assert.False(mem.WrittenInLastEpoch(B, 4 * Page));
    }
}
