// Tests of the allocator input codec: total decoding, encode/decode round trips, swarm headers,
// boundary-biased sizes and the dictionary.
using Allocator.Common;
using FsCheck.Fluent;
using FsCheck;
using Harness.Systems.Mmgr.Fuzz;
using Harness.Systems.Mmgr.Oracle;
using Xunit;
using Check = Harness.Systems.Mmgr.Oracle.Check;

namespace Harness.Tests.Systems.Mmgr.Fuzz;

public sealed class AllocatorCodecTests
{
    private readonly AllocatorCodec _codec = new();

    [Fact]
    public void Decode_IsTotal_AndReEncodingDecodesToTheSameOps()
    {
        Prop.ForAll(Arb.From(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>())), bytes =>
        {
            DecodedInput d = _codec.Decode(bytes, 64);
            byte[] again = _codec.Encode(d.Header, d.Ops);
            DecodedInput d2 = _codec.Decode(again, 64);
            return d.Ops.SequenceEqual(d2.Ops) && d2.Header.Hostile == d.Header.Hostile;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_RandomBytes_ManySeeds_RoundTrip()
    {
        var rng = new Prng(99);
        for (int i = 0; i < 2000; i++)
        {
            var bytes = new byte[rng.Index(400)];
            for (int j = 0; j < bytes.Length; j++) bytes[j] = (byte)rng.NextU32();
            DecodedInput d = _codec.Decode(bytes, 64);
            Assert.True(d.Ops.Count <= 64);
            Assert.All(d.Ops, op => Assert.True(d.Header.Enabled(op.Code), $"{op.Code} decoded while switched off"));
            DecodedInput d2 = _codec.Decode(_codec.Encode(d.Header, d.Ops), 64);
            Assert.Equal(d.Ops, d2.Ops);
        }
    }

    [Fact]
    public void Decode_EmptyInput_IsNoOps_AllKindsEnabled()
    {
        DecodedInput d = _codec.Decode([], 64);
        Assert.Empty(d.Ops);
        Assert.False(d.Header.Hostile);
        Assert.Equal(0u, d.Header.OffMask);
    }

    [Fact]
    public void Decode_RespectsOpsMax()
    {
        var bytes = new byte[1000];
        bytes[4] = 0;
        Assert.Equal(10, _codec.Decode(bytes, 10).Ops.Count);
    }

    [Fact]
    public void Encode_HandWrittenOps_RoundTripExactly()
    {
        List<AllocatorOp> ops =
        [
            new CreateContext(ContextKind.Slab, AllocatorOp.NullParent, 0, 8192, 0, 64),
            new CreateContext(ContextKind.Generation, 0, 0, 8192, 8 * 1024 * 1024, 0),
            new Alloc(1, 12345, AllocFlags.Zero | AllocFlags.NoOom, AllocEntry.AllocExtended, false, 0),
            new Alloc(0, 100, AllocFlags.None, AllocEntry.AllocAligned, false, 4096),
            new Alloc(0, 0, AllocFlags.None, AllocEntry.MemoryContextAlloc, true, 0),
            new Realloc(0, 0x3FFFFFFF + 1UL, AllocFlags.Huge, ReallocEntry.Repalloc0, false),
            new WritePattern(1, 200),
            new VerifyPattern(1),
            new Free(2),
            new Reset(0), new ResetOnly(1), new ResetChildren(0), new Delete(1), new DeleteChildren(0),
            new SetParent(0, AllocatorOp.NullParent), new SwitchTo(AllocatorOp.NullParent), new SwitchTo(2),
            new RegisterCallback(0), new Stats(AllocatorOp.NullParent), new Check(1),
            new WritePastEnd(0, 0, 0x41), new DoubleFree(0), new FreeNonChunk(NonChunkKind.MallocBlock, 0, 1UL << 40),
            new UseAfterFree(0, MemoryAccess.Write, 70000, 9),
        ];
        byte[] bytes = _codec.Encode(new SwarmHeader(false, 0), ops);
        DecodedInput d = _codec.Decode(bytes, 64);
        Assert.True(d.Header.Hostile, "hostile ops switch hostile mode on");
        Assert.Equal(ops, d.Ops);
    }

    [Fact]
    public void SwarmHeader_SwitchesKindsOff_ButNeverCreateOrAlloc()
    {
        byte[] header = [0, 0xFF, 0xFF, 0xFF];
        var rng = new Prng(5);
        var bytes = new byte[4 + 500];
        header.CopyTo(bytes, 0);
        for (int i = 4; i < bytes.Length; i++) bytes[i] = (byte)rng.NextU32();
        DecodedInput d = _codec.Decode(bytes, 1000);
        Assert.NotEmpty(d.Ops);
        Assert.All(d.Ops, op => Assert.True(op is CreateContext or Alloc, op.ToString()));
    }

    [Fact]
    public void SwarmHeader_HostileOpsOnlyInHostileMode()
    {
        var rng = new Prng(6);
        var bytes = new byte[3000];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.NextU32();
        bytes[0] = 0;
        Assert.DoesNotContain(_codec.Decode(bytes, 4096).Ops, op => op.IsHostile);
        bytes[0] = 1;
        Assert.Contains(_codec.Decode(bytes, 4096).Ops, op => op.IsHostile);
    }

    [Fact]
    public void SelectorTable_GivesEveryEnabledKindSomeSelectors()
    {
        var rng = new Prng(8);
        for (int i = 0; i < 200; i++)
        {
            var h = new SwarmHeader(rng.NextBool(), rng.NextU32() & 0xFFFFC); // CreateContext and Alloc stay on
            OpCode[] table = h.SelectorTable();
            for (int k = 0; k < SwarmHeader.KindCount; k++)
                Assert.Equal(h.Enabled((OpCode)k), table.Contains((OpCode)k));
        }
    }

    [Fact]
    public void BoundarySizes_TableHoldsTheSection12Values_AndEncodesCompactly()
    {
        foreach (ulong v in new ulong[] { 0, 1, 7, 8, 9, 15, 16, 17, 8191, 8192, 8193, 1023, 1024, 1025, 524287, 524288, 524289,
                     0x3FFFFFFE, 0x3FFFFFFF, 0x40000000, ulong.MaxValue / 2, ulong.MaxValue / 2 + 1, ulong.MaxValue, ulong.MaxValue - 8 })
        {
            Assert.Contains(v, BoundarySizes.Table);
            var o = new List<byte>();
            BoundarySizes.Write(o, v);
            Assert.Single(o);
        }
        for (int k = 3; k <= 13; k++)
        {
            Assert.Contains((1UL << k) - 1, BoundarySizes.Table);
            Assert.Contains((1UL << k) + 1, BoundarySizes.Table);
        }
        Assert.True(BoundarySizes.Table.Count <= BoundarySizes.Literal16);
        Assert.Equal(BoundarySizes.Table.Count, BoundarySizes.Table.Distinct().Count());
    }

    [Theory]
    [InlineData(12345UL, 3)]
    [InlineData(70000UL, 5)]
    [InlineData(1UL << 40, 9)]
    public void BoundarySizes_Literals_RoundTrip(ulong value, int length)
    {
        var o = new List<byte>();
        BoundarySizes.Write(o, value);
        Assert.Equal(length, o.Count);
        var r = new FuzzedBytes(o.ToArray());
        Assert.Equal(value, BoundarySizes.Read(ref r));
    }

    [Fact]
    public void AlignedAlloc_AMegabyteAlignmentNeedsItsConfirmationByte()
    {
        // Encoded with its confirmation byte, a 4 MiB alignment stands ...
        var big = new Alloc(0, 100, AllocFlags.None, AllocEntry.AllocAligned, false, 1UL << 22);
        byte[] bytes = _codec.Encode(new SwarmHeader(false, 0), [big]);
        Assert.Equal(BoundarySizes.BigConfirm, bytes[^1]);
        Assert.Equal(big, Assert.Single(_codec.Decode(bytes, 64).Ops));
        // ... and without it (any other byte, or the input's end) its shift drops by 6, to 64 KiB.
        Alloc demoted = Assert.IsType<Alloc>(Assert.Single(_codec.Decode(bytes[..^1], 64).Ops));
        Assert.Equal(1UL << 16, demoted.AlignTo);
        // Alignments below 1 MiB take no extra byte.
        var small = big with { AlignTo = 1UL << 19 };
        byte[] smallBytes = _codec.Encode(new SwarmHeader(false, 0), [small]);
        Assert.Equal(bytes.Length - 1, smallBytes.Length);
        Assert.Equal(small, Assert.Single(_codec.Decode(smallBytes, 64).Ops));
    }
}
