// FuzzedBytes: a FuzzedDataProvider-style reader over the input. Values are consumed front to
// back; once the input runs out every read returns zero (the default), so decoding is total: any
// byte string, including the empty one, decodes.
using System.Buffers.Binary;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Systems.Mmgr.Fuzz;

public ref struct FuzzedBytes
{
    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public FuzzedBytes(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly bool HasMore => _pos < _data.Length;

    public readonly int Position => _pos;

    public byte Byte() => _pos < _data.Length ? _data[_pos++] : (byte)0;

    public ushort U16() => (ushort)Little(2);

    public uint U32() => (uint)Little(4);

    public ulong U64() => Little(8);

    private ulong Little(int width)
    {
        Span<byte> tmp = stackalloc byte[8];
        tmp.Clear();
        for (int i = 0; i < width; i++) tmp[i] = Byte();
        return BinaryPrimitives.ReadUInt64LittleEndian(tmp);
    }

    public static void PutLittleEndian(List<byte> output, ulong value, int width)
    {
        for (int i = 0; i < width; i++) output.Add((byte)(value >> (8 * i)));
    }
}
