// NativeAllocator: .NET NativeMemory.Alloc/Free/Realloc, the baseline the port is measured against
// in the same run. Reset frees what was allocated since the last reset (W3 is run with the port only,
// as the issue asks for the native baseline on W1, W2 and W4).
using System.Runtime.InteropServices;

namespace Allocator.Bench.Mmgr;

public readonly unsafe struct NativeAllocator : IBenchAllocator
{
    public ulong Alloc(ulong size) => (ulong)NativeMemory.Alloc((nuint)size);
    public void Free(ulong p) => NativeMemory.Free((void*)p);
    public ulong Realloc(ulong p, ulong size) => (ulong)NativeMemory.Realloc((void*)p, (nuint)size);
    public void Reset() => throw new NotSupportedException("the native baseline runs W1, W2 and W4 only");
    public void Poke(ulong p, byte value) => *(byte*)p = value;
    public byte Peek(ulong p) => *(byte*)p;
}
