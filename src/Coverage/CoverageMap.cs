// CoverageMap: the AFL-style edge map that instrumented code writes into.
//
// Every probe the instrumenter inserts performs Hit's body inline (or calls Hit when asked to):
// AFL's edge hashing, map[(cur ^ prev) & 0xFFFF] += 1 (saturating at 255 instead of
// wrapping, so a hot loop never looks like "not executed"), then prev = cur >> 1 (the shift makes
// A->B and B->A distinct edges and keeps A->A from cancelling to zero).
//
// The map starts on a private, pinned, process-lifetime buffer so instrumented code that runs
// before any engine attaches (static constructors, module initialisers) always has somewhere to
// write; the AFL++ worker re-points it at afl-fuzz's SysV shared memory with UseSharedMemory.
//
// Single-threaded by design: prev is one static int, exactly as the deterministic harness runs the
// port on one thread. Concurrent probes would only add noise to the map, never crash.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Harness.Coverage;

public static unsafe class CoverageMap
{
    /// <summary>Bytes in the map: AFL++'s default MAP_SIZE (2^16), what afl-fuzz uses under AFL_SKIP_BIN_CHECK.</summary>
    public const int MapSize = 1 << 16;

    /// <summary>Mask applied to (cur ^ prev); MapSize is a power of two.</summary>
    public const int MapMask = MapSize - 1;

    // The default buffer: pinned so that a raw pointer to it stays valid for the process lifetime.
    private static readonly byte[] s_private = GC.AllocateArray<byte>(MapSize, pinned: true);

    /// <summary>
    /// The map pointer itself, public because instrumented code reads it directly: the instrumenter
    /// emits Hit's body inline at each block (a call per block would exhaust the JIT's inlining
    /// budget in large methods). Everyone else: use <see cref="Map"/> and <see cref="UseSharedMemory"/>.
    /// </summary>
    public static byte* MapBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));

    private static int s_marked;

    /// <summary>AFL's prev_location: the previous probe's id shifted right by one.</summary>
    public static int PreviousLocation;

    /// <summary>The map probes write into: the private buffer, or afl-fuzz's shared memory once attached.</summary>
    public static byte* Map => MapBase;

    /// <summary>The current map as a span (MapSize bytes).</summary>
    public static ReadOnlySpan<byte> Current => new(MapBase, MapSize);

    /// <summary>True when the map is the process's own buffer (not an external shared segment).</summary>
    public static bool UsesPrivateBuffer => MapBase == (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));

    /// <summary>
    /// True once an instrumented module registered itself (its module initialiser calls
    /// <see cref="RegisterModule"/>) or a launcher called <see cref="MarkInstrumented"/>.
    /// </summary>
    public static bool IsInstrumentedProcess => Volatile.Read(ref s_marked) != 0 || ModuleRegistry.Count > 0;

    /// <summary>The probe. Inserted before every block leader of instrumented code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Hit(int locationId)
    {
        byte* cell = MapBase + ((locationId ^ PreviousLocation) & MapMask);
        int v = *cell + 1;
        // Saturate at 255 without a branch: when v reaches 256, (v >> 8) is 1 and cancels the increment.
        *cell = (byte)(v - (v >> 8));
        PreviousLocation = locationId >> 1;
    }

    /// <summary>Clears the map and prev (AFL clears the shared map itself; the in-process engine calls this per execution).</summary>
    public static void Reset()
    {
        new Span<byte>(MapBase, MapSize).Clear();
        PreviousLocation = 0;
    }

    /// <summary>Points the probes at an external map of at least MapSize bytes (afl-fuzz's shm segment).</summary>
    public static void UseSharedMemory(byte* shm)
    {
        if (shm == null) throw new ArgumentNullException(nameof(shm));
        MapBase = shm;
        PreviousLocation = 0;
    }

    /// <summary>Returns the probes to the private buffer (tests; after detaching a shared segment).</summary>
    public static void UsePrivateBuffer()
    {
        MapBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));
        PreviousLocation = 0;
    }

    /// <summary>Declares this process instrumented (the launcher does so before handing over to an instrumented child's code).</summary>
    public static void MarkInstrumented() => Volatile.Write(ref s_marked, 1);

    /// <summary>Called by the module initialiser the instrumenter adds to every instrumented assembly.</summary>
    public static void RegisterModule(string assemblyName, string instrumenterVersion, int probeCount) =>
        ModuleRegistry.Add(new InstrumentedModule(assemblyName, instrumenterVersion, probeCount));

    /// <summary>Instrumented modules loaded so far, in load order.</summary>
    public static IReadOnlyList<InstrumentedModule> Modules => ModuleRegistry.Snapshot();

    /// <summary>Number of non-zero bytes in the current map (edges seen, modulo collisions).</summary>
    public static int CountNonZero()
    {
        ReadOnlySpan<byte> m = Current;
        return MapSize - m.Count((byte)0);
    }
}
