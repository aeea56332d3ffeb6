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
// Threads. The private buffer holds MaxSlices maps of MapSize bytes; slice 0 is the main map. Two
// probe flavours exist (the instrumenter chooses one per instrumented copy):
//   - single-thread (default): prev is the plain static PreviousLocation, every thread writes slice
//     0. The cheapest probe; what AFL++ mode and one-worker campaigns use.
//   - per-thread (InstrumentOptions.PerThreadMaps, for parallel engine workers): the probe state is
//     the [ThreadStatic] ProbeState = the thread's slice offset (high bits) | prev (low 16 bits), so
//     map + ((id & 0xFFFF) ^ ProbeState) is the edge's cell in the thread's own slice. A worker
//     thread attaches a slice (AttachWorkerSlice) and sees exactly its own executions' edges.
//     It costs ~20% of a campaign's speed (measured; the JIT does not inline a method that touches a
//     thread-static field, and a call per method is dearer still), hence not the default.
// Threads never attached (finalizer, thread pool, test threads) write slice 0 in either flavour:
// concurrent probes there only add noise, never crash, because every slice lies inside the buffer
// MapBase points at (UseSharedMemory refuses while worker slices are attached, and slices cannot be
// attached while MapBase is afl-fuzz's 64 KiB segment).
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Harness.Coverage;

public static unsafe class CoverageMap
{
    /// <summary>Bytes in the map: AFL++'s default MAP_SIZE (2^16), what afl-fuzz uses under AFL_SKIP_BIN_CHECK.</summary>
    public const int MapSize = 1 << 16;

    /// <summary>Mask applied to (cur ^ prev); MapSize is a power of two.</summary>
    public const int MapMask = MapSize - 1;

    /// <summary>Maps in the private buffer: slice 0 is the main map, 1.. are engine workers' maps.</summary>
    public const int MaxSlices = 16;

    /// <summary>Marks the instrumenter version that per-thread instrumented modules register with.</summary>
    public const string PerThreadSuffix = "+per-thread";

    // The default buffer: pinned so that a raw pointer to it stays valid for the process lifetime.
    private static readonly byte[] s_private = GC.AllocateArray<byte>(MapSize * MaxSlices, pinned: true);

    private static readonly object s_sliceLock = new();
    private static int s_slicesInUse; // bit i set: slice i is attached to a worker thread (under s_sliceLock)

    /// <summary>
    /// The map pointer itself, public because instrumented code reads it directly: the instrumenter
    /// emits Hit's body inline at each block (a call per block would exhaust the JIT's inlining
    /// budget in large methods). Everyone else: use <see cref="Map"/> and <see cref="UseSharedMemory"/>.
    /// </summary>
    public static byte* MapBase = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));

    private static int s_marked;

    /// <summary>AFL's prev_location for single-thread probes: the previous probe's id shifted right by one.</summary>
    public static int PreviousLocation;

    /// <summary>
    /// Per-thread probes' state of the calling thread: its slice offset (bits 16 and up) | prev_location
    /// (low 16 bits). Public because per-thread instrumented code reads and writes it directly.
    /// </summary>
    [ThreadStatic]
    public static int ProbeState;

    // Bytes from MapBase to the calling thread's map: 0 (the main map) unless it attached a worker slice.
    [ThreadStatic]
    private static int t_sliceOffset;

    /// <summary>The map probes write into: the private buffer, or afl-fuzz's shared memory once attached.</summary>
    public static byte* Map => MapBase;

    /// <summary>Bytes from MapBase to the calling thread's map (0 unless it attached a worker slice).</summary>
    public static int SliceOffset => t_sliceOffset;

    /// <summary>The calling thread's map as a span (MapSize bytes).</summary>
    public static ReadOnlySpan<byte> Current => new(MapBase + t_sliceOffset, MapSize);

    /// <summary>True when the map is the process's own buffer (not an external shared segment).</summary>
    public static bool UsesPrivateBuffer => MapBase == PrivateBase;

    /// <summary>
    /// True once an instrumented module registered itself (its module initialiser calls
    /// <see cref="RegisterModule"/>) or a launcher called <see cref="MarkInstrumented"/>.
    /// </summary>
    public static bool IsInstrumentedProcess => Volatile.Read(ref s_marked) != 0 || ModuleRegistry.Count > 0;

    /// <summary>True when instrumented modules are loaded and every one has per-thread probes (parallel workers get exact maps).</summary>
    public static bool HasPerThreadProbes
    {
        get
        {
            IReadOnlyList<InstrumentedModule> modules = Modules;
            return modules.Count > 0 && modules.All(m => m.InstrumenterVersion.Contains(PerThreadSuffix, StringComparison.Ordinal));
        }
    }

    /// <summary>The single-thread probe. Inserted before every block leader of instrumented code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Hit(int locationId)
    {
        byte* cell = MapBase + ((locationId ^ PreviousLocation) & MapMask);
        int v = *cell + 1;
        // Saturate at 255 without a branch: when v reaches 256, (v >> 8) is 1 and cancels the increment.
        *cell = (byte)(v - (v >> 8));
        PreviousLocation = locationId >> 1;
    }

    /// <summary>The per-thread probe: the same edge and counter as Hit, in the calling thread's slice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void HitPerThread(int locationId)
    {
        int state = ProbeState;
        byte* cell = MapBase + ((locationId & MapMask) ^ state);
        int v = *cell + 1;
        *cell = (byte)(v - (v >> 8));
        ProbeState = (state & ~MapMask) | ((locationId >> 1) & MapMask);
    }

    /// <summary>Clears the calling thread's map and prev (AFL clears the shared map itself; the in-process engine calls this per execution).</summary>
    public static void Reset()
    {
        new Span<byte>(MapBase + t_sliceOffset, MapSize).Clear();
        ProbeState = t_sliceOffset;
        if (t_sliceOffset == 0) PreviousLocation = 0;
    }

    /// <summary>Points the probes at an external map of at least MapSize bytes (afl-fuzz's shm segment).</summary>
    public static void UseSharedMemory(byte* shm)
    {
        if (shm == null) throw new ArgumentNullException(nameof(shm));
        lock (s_sliceLock)
        {
            // Worker slices lie beyond the first MapSize bytes: they must not outlive the private buffer.
            if (s_slicesInUse != 0) throw new InvalidOperationException("cannot attach a shared map while fuzz workers use private map slices");
            MapBase = shm;
        }
        PreviousLocation = 0;
        ProbeState = 0;
    }

    /// <summary>Returns the probes to the private buffer (tests; after detaching a shared segment).</summary>
    public static void UsePrivateBuffer()
    {
        lock (s_sliceLock) MapBase = PrivateBase;
        PreviousLocation = 0;
        ProbeState = t_sliceOffset;
    }

    /// <summary>
    /// Gives the calling thread a map of its own (a free slice 1..MaxSlices-1 of the private buffer,
    /// cleared) until the returned handle is disposed on the same thread. For the in-process
    /// engine's worker threads (per-thread probes); the main thread keeps slice 0.
    /// </summary>
    public static WorkerSlice AttachWorkerSlice()
    {
        if (t_sliceOffset != 0) throw new InvalidOperationException("this thread already has a worker slice");
        int index;
        lock (s_sliceLock)
        {
            if (MapBase != PrivateBase) throw new InvalidOperationException("worker slices need the private map buffer (not afl-fuzz's shared memory)");
            index = 1;
            while (index < MaxSlices && (s_slicesInUse & (1 << index)) != 0) index++;
            if (index == MaxSlices) throw new InvalidOperationException($"all {MaxSlices - 1} worker map slices are in use");
            s_slicesInUse |= 1 << index;
        }
        t_sliceOffset = index * MapSize;
        Reset();
        return new WorkerSlice(index);
    }

    /// <summary>A worker thread's own map; Dispose (on that thread) returns the thread to slice 0.</summary>
    public sealed class WorkerSlice : IDisposable
    {
        private bool _disposed;

        internal WorkerSlice(int index) => Index = index;

        /// <summary>Which slice of the private buffer (1..MaxSlices-1).</summary>
        public int Index { get; }

        public void Dispose()
        {
            if (_disposed) return;
            if (t_sliceOffset != Index * MapSize) throw new InvalidOperationException("a worker slice must be released by the thread that attached it");
            _disposed = true;
            t_sliceOffset = 0;
            ProbeState = 0;
            lock (s_sliceLock) s_slicesInUse &= ~(1 << Index);
        }
    }

    /// <summary>Declares this process instrumented (the launcher does so before handing over to an instrumented child's code).</summary>
    public static void MarkInstrumented() => Volatile.Write(ref s_marked, 1);

    /// <summary>Called by the module initialiser the instrumenter adds to every instrumented assembly.</summary>
    public static void RegisterModule(string assemblyName, string instrumenterVersion, int probeCount) =>
        ModuleRegistry.Add(new InstrumentedModule(assemblyName, instrumenterVersion, probeCount));

    /// <summary>Instrumented modules loaded so far, in load order.</summary>
    public static IReadOnlyList<InstrumentedModule> Modules => ModuleRegistry.Snapshot();

    /// <summary>Number of non-zero bytes in the calling thread's map (edges seen, modulo collisions).</summary>
    public static int CountNonZero()
    {
        ReadOnlySpan<byte> m = Current;
        return MapSize - m.Count((byte)0);
    }

    private static byte* PrivateBase => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(s_private));
}
