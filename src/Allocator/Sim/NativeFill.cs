// NativeFill: memset for SimMemory.Fill's long runs, from the C library where there is one.
//
// Why: Span<byte>.Fill compiles to a loop of 32-byte stores, while glibc's memset switches to
// `rep stosb` for long runs, which writes whole cache lines without reading them first. The
// checking builds wipe every block a reset frees (CLOBBER_FREED_MEMORY's wipe_mem): W3 checking
// (palloc 100 chunks, reset) wipes about 74 KB per round, and ran about 4% faster on memset.
// The heap array is pinned (SimMemory SM1), so passing its address is safe.
// Short runs stay managed: below ShortRun the call costs more than the loop.
using System.Runtime.InteropServices;

namespace Allocator.Sim;

internal static unsafe partial class NativeFill
{
    /// <summary>Runs shorter than this use Span.Fill.</summary>
    public const int ShortRun = 1024;

    /// <summary>Whether the C library's memset can be called (Linux or macOS); probed once.</summary>
    private static readonly bool Available = Probe();

    [DllImport("libc", EntryPoint = "memset", ExactSpelling = true)]
    [SuppressGCTransition]
    private static extern void* memset(void* destination, int value, nuint length);

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return false;
        try
        {
            byte probe = 0;
            memset(&probe, 0x5A, 1);
            return probe == 0x5A;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }

    /// <summary>Sets <paramref name="length"/> bytes at <paramref name="destination"/>, which must be
    /// pinned memory the caller has bounds-checked, to <paramref name="value"/>.</summary>
    public static void Fill(byte* destination, int length, byte value)
    {
        if (length >= ShortRun && Available) memset(destination, value, (nuint)length);
        else new Span<byte>(destination, length).Fill(value);
    }
}
