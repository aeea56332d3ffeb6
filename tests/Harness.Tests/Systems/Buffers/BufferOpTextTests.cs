// The text form of buffer ops round-trips, the parser names bad lines, and the byte codec is total.
using Allocator.Common;
using Harness.Core;
using Harness.Systems.Buffers.Fuzz;
using Harness.Systems.Buffers.Oracle;
using Xunit;

namespace Harness.Tests.Systems.Buffers;

public sealed class BufferOpTextTests
{
    [Fact]
    public void Format_and_ParseLines_round_trip_generated_ops()
    {
        var rng = new Prng(7);
        for (int n = 0; n < 2000; n++)
        {
            var bytes = new byte[BufferCodec.HeaderSize + BufferCodec.RecordSize];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.Index(256);
            foreach (BufferOp op in BufferCodec.Decode(bytes, 64).Ops)
            {
                string text = BufferOpText.Instance.Format(op);
                Assert.Equal(op, BufferOpText.ParseLine(text));
            }
        }
    }

    [Theory]
    [InlineData("b0 frobnicate #1")]
    [InlineData("b0 read 3")]
    [InlineData("b0 lock #0 sideways")]
    [InlineData("b0 modify #0 = x")]
    [InlineData("fault gamma-rays")]
    public void ParseLines_names_the_bad_line(string line)
    {
        var e = Assert.Throws<MalformedInputException>(() => BufferOpText.Instance.ParseLines($"b0 read r0/0\n{line}"));
        Assert.Contains("op line 2", e.Message);
    }

    [Fact]
    public void Decoder_is_total_and_deterministic()
    {
        var rng = new Prng(11);
        for (int n = 0; n < 3000; n++)
        {
            var bytes = new byte[rng.Index(300)];
            for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)rng.Index(256);
            BufferCodec.Decoded a = BufferCodec.Decode(bytes, 64), b = BufferCodec.Decode(bytes, 64);
            Assert.Equal(a.Workload, b.Workload);
            Assert.Equal(a.Ops, b.Ops);
            a.Workload.Check();
            Assert.True(a.Ops.Count <= 64);
        }
    }

    [Fact]
    public void Encode_then_Decode_gives_the_ops_back_except_positional_values()
    {
        var w = new BufferWorkload(2, 16, BufferCodec.FuzzBlckSz, [1, 2, 3, 4]);
        BufferOp[] ops =
        [
            new(BufferOpCode.Read, 1, 2, 3, Mode: 5), new(BufferOpCode.Lock, 0, Pin: 2, Mode: 2), new(BufferOpCode.Truncate, 1, 3, 2),
            new(BufferOpCode.Checkpoint, Mode: 1), new(BufferOpCode.Commit, 1), new(BufferOpCode.DropDatabase, 0, 1),
        ];
        BufferCodec.Decoded d = BufferCodec.Decode(BufferCodec.Encode(w, ops), 64);
        Assert.Equal(w, d.Workload);
        Assert.Equal(ops, d.Ops);
    }
}
