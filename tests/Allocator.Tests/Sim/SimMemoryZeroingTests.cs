// SimMemoryZeroingTests: after ResetHeap the heap reads exactly as a fresh process's (zero wherever it
// is mapped again), whichever way an earlier run wrote it, with write tracking on (ZeroStale clears
// only dirty pages) and off (everything stale is cleared). Checked against a fresh SimMemory that
// replays only the current run, over seeded random runs.
using Allocator.Sim;
using Xunit;

namespace Allocator.Tests.Sim;

public class SimMemoryZeroingTests
{
    private const ulong B = SimMemory.HeapBase;
    private const ulong Max = 1 << 20;

    /// <summary>One simulated run: heap top moves and writes of every kind, from a seeded PRNG.</summary>
    private static void RandomRun(SimMemory mem, Random rng, int steps, bool tracked)
    {
        for (int i = 0; i < steps; i++)
        {
            ulong top = mem.HeapSize;
            switch (rng.Next(7))
            {
                case 0:
                    mem.SetHeapTop((ulong)rng.NextInt64(0, (long)Max));   // grow or trim
                    break;
                case 1 when top > 8:
                    mem.WriteU64(B + (ulong)rng.NextInt64(0, (long)top - 8), (ulong)rng.NextInt64() | 1);
                    break;
                case 2 when top > 1:
                {
                    ulong at = (ulong)rng.NextInt64(0, (long)top - 1);
                    ulong len = (ulong)rng.NextInt64(1, (long)Math.Min(top - at, 70_000) + 1);
                    mem.Fill(B + at, len, (byte)(1 + rng.Next(255)));
                    break;
                }
                case 3 when top > 1:
                {
                    ulong at = (ulong)rng.NextInt64(0, (long)top - 1);
                    ulong len = (ulong)rng.NextInt64(1, (long)Math.Min(top - at, 5000) + 1);
                    mem.Span(B + at, len).Fill(0xA5);
                    break;
                }
                case 4 when top > 8:
                    mem.AtomicRef64(B + ((ulong)rng.NextInt64(0, (long)top - 8) & ~7UL)) = 0xFFFF;
                    break;
                case 5 when top > 0 && rng.Next(8) == 0:
                    // Raw access: the user may write anywhere in the mapped heap.
                    ref byte b = ref mem.HeapBaseRef;
                    System.Runtime.CompilerServices.Unsafe.Add(ref b, (nint)rng.NextInt64(0, (long)top)) = 0x77;
                    break;
                case 6 when tracked:
                    mem.BeginWriteEpoch();
                    break;
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AfterReset_EveryRemappedByteReadsZero(bool tracked)
    {
        var rng = new Random(20261121);
        var mem = new SimMemory(Max, 1 << 16);
        if (tracked) mem.TrackHeapWrites();
        for (int run = 0; run < 60; run++)
        {
            RandomRun(mem, rng, 40, tracked);
            mem.ResetHeap();
            // A fresh process maps some heap: every byte must be zero, in every position of the
            // bitmap words (ranges end and start mid-page and mid-word).
            ulong top = (ulong)rng.NextInt64(1, (long)Max);
            Assert.True(mem.SetHeapTop(top / 3));
            Assert.True(mem.SetHeapTop(top));
            ReadOnlySpan<byte> all = mem.ReadSpan(B, top);
            int bad = all.IndexOfAnyExcept((byte)0);
            Assert.True(bad < 0, $"run {run}: byte {bad} of a fresh heap reads 0x{(bad < 0 ? 0 : all[bad]):x2}");
        }
    }

    [Fact]
    public void Trimmed_AndRemapped_InTheSameRun_KeepsItsBytes()
    {
        var mem = new SimMemory(Max, 1 << 16);
        mem.TrackHeapWrites();
        mem.SetHeapTop(64 * 1024);
        mem.Fill(B, 64 * 1024, 0x33);
        mem.SetHeapTop(4096);
        mem.SetHeapTop(64 * 1024);   // memory malloc reuses: not a fresh process, contents kept
        Assert.Equal(0x33, mem.ReadU8(B + 60 * 1024));
        mem.ResetHeap();
        mem.SetHeapTop(64 * 1024);
        Assert.Equal(0, mem.ReadU8(B + 60 * 1024));
    }

    [Fact]
    public void LazyZeroing_CountsAsWritten_WithoutMakingThePagesDirtyAgain()
    {
        var mem = new SimMemory(Max, 1 << 16);
        mem.TrackHeapWrites();
        mem.SetHeapTop(Max);
        mem.Fill(B, Max, 0x11);
        mem.ResetHeap();
        mem.SetHeapTop(4096);
        mem.BeginWriteEpoch();
        mem.BeginWriteEpoch();
        mem.SetHeapTop(Max);   // clears the stale bytes
        mem.BeginWriteEpoch();
        Assert.True(mem.WrittenInLastEpoch(B + 8192, 1));
        Assert.False(mem.WrittenInLastEpoch(B, 4096));
        // Nothing written in this run above 4 KiB: a later run maps the range again and must find
        // it zero, which holds whether or not the pages are cleared a second time.
        mem.ResetHeap();
        mem.SetHeapTop(Max);
        Assert.True(mem.ReadSpan(B, Max).IndexOfAnyExcept((byte)0) < 0);
    }
}
