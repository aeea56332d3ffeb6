// SharpFuzzTrace: the edge map SharpFuzz-instrumented code writes, and the harness's handle on it.
//
// What SharpFuzz's probe does (read in its source, src/SharpFuzz/Method.cs and
// src/SharpFuzz.Common/Trace.cs of 2.3.0): before every block leader (method entry, branch and
// switch targets, fall-throughs of conditional branches, handler starts) of every method of the
// selected types it runs
//   Trace.SharedMem[id ^ Trace.PrevLocation] += 1 (wrapping at 256); Trace.PrevLocation = id >> 1
// with a fixed pseudo-random 16-bit id per block, so the index stays below 64 KiB. Both fields are
// plain statics of SharpFuzz.Common.Trace: one map pointer and ONE previous location for the whole
// process. SharedMem is null until someone sets it (SharpFuzz's own Fuzzer.Run does so), so
// instrumented code that ran first would dereference null.
//
// Here a module initialiser of the harness sets it, before any harness code (and so before any port
// code) can run, to a pinned private 64 KiB buffer that lives as long as the process. The in-process
// engine reads and clears that buffer (CoverageMapSource); the AFL++ worker re-points the probes at
// afl-fuzz's shared memory (UseSharedMemory). Everything reads the map through Trace.SharedMem, so
// whoever set the pointer last is what is read.
//
// Threads: no per-thread state exists, so two threads running instrumented code at once write one
// map and race on one PrevLocation (edges of one thread get hashed with the other's previous block).
// Parallel engine workers therefore cannot use this map; see InstrumentedRun.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SharpFuzz.Common;

namespace Harness.Fuzz.Instrumentation;

public static unsafe class SharpFuzzTrace
{
    /// <summary>SharpFuzz's runtime assembly, which an instrumented Allocator.dll references.</summary>
    public const string RuntimeAssembly = "SharpFuzz.Common";

    /// <summary>Bytes in the map: SharpFuzz's 16-bit ids, and AFL++'s default map size (what afl-fuzz uses under AFL_SKIP_BIN_CHECK).</summary>
    public const int MapSize = 1 << 16;

    private static readonly byte[] s_private = GC.AllocateArray<byte>(MapSize, pinned: true);

    private static byte* PrivateBase => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));

#pragma warning disable CA2255 // a module initialiser is the one place that runs before any port code can
    [ModuleInitializer]
    internal static void Bind() => Trace.SharedMem = PrivateBase;
#pragma warning restore CA2255

    /// <summary>The map as the probes see it now (MapSize bytes).</summary>
    public static ReadOnlySpan<byte> Current => new(Trace.SharedMem, MapSize);

    /// <summary>True when the probes write the process's own buffer (not an external shared segment).</summary>
    public static bool UsesPrivateBuffer => Trace.SharedMem == PrivateBase;

    /// <summary>Clears the map and AFL's prev_location (the in-process engine, once per execution).</summary>
    public static void Reset()
    {
        new Span<byte>(Trace.SharedMem, MapSize).Clear();
        Trace.PrevLocation = 0;
    }

    /// <summary>AFL's "prev_location = 0" before an execution (afl-fuzz clears its map itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ResetPrevious() => Trace.PrevLocation = 0;

    /// <summary>Points the probes at an external map of at least MapSize bytes (afl-fuzz's shm segment).</summary>
    public static void UseSharedMemory(byte* shm)
    {
        if (shm == null) throw new ArgumentNullException(nameof(shm));
        Trace.SharedMem = shm;
        Trace.PrevLocation = 0;
    }

    /// <summary>Returns the probes to the private buffer (tests; after detaching a shared segment).</summary>
    public static void UsePrivateBuffer()
    {
        Trace.SharedMem = PrivateBase;
        Trace.PrevLocation = 0;
    }

    /// <summary>Number of non-zero bytes in the map (edges seen, modulo collisions).</summary>
    public static int CountNonZero() => MapSize - Current.Count((byte)0);
}
