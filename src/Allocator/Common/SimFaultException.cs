// SimFaultException: a memory fault in the simulated address space (a read or write outside
// every mapped region, a NULL dereference, free() of a pointer malloc never returned).
//
// In C these are SIGSEGV or glibc's abort(); in the simulation they are an outcome that the
// engines classify. This is the only way the port reports a fault, so it never escapes as an
// unhandled host exception: every engine catches it around each operation.
namespace Allocator.Common;

/// <summary>What the faulting access was doing.</summary>
public enum SimAccess : byte
{
    Read,
    Write,
    /// <summary>free()/realloc() of something that is not a live malloc block (glibc would abort).</summary>
    HeapMisuse,
}

public sealed class SimFaultException : Exception
{
    public ulong Address { get; }
    public ulong Length { get; }
    public SimAccess Access { get; }

    public SimFaultException(ulong address, ulong length, SimAccess access, string? what = null)
        : base(what ?? $"simulated memory fault: {access.ToString().ToLowerInvariant()} of {length} bytes at 0x{address:x}")
    {
        Address = address;
        Length = length;
        Access = access;
    }
}
