// DsaFuzzCanary: planted bugs in the dsa.c port (DsaOptions.FuzzCanary) for the property and fuzz
// engines to find, so the gate can show they still would. Each is one line in the port that looks
// like a plausible slip, off unless named. The concurrency explorer's planted bugs are elsewhere.
namespace Allocator.Dsa;

[Flags]
public enum DsaFuzzCanary
{
    None = 0,

    /// <summary>dsa_free of an object whose span was full (nallocatable 0, fullness class 3) puts
    /// the object on the span's free list but forgets to count it: nallocatable stays 0, so the span
    /// stays in class 3 with a free object nobody can allocate (DSA5's free-list length). Reaching
    /// it takes a full span: nmax allocations of one class (8 of the 8 KiB class) and then a free.</summary>
    FreeToFullSpanForgetsCount = 1,
}
