// SharpFuzzTrace: where SharpFuzz-instrumented code writes its coverage, bound to CoverageMap.
//
// What SharpFuzz's probe does (read in its source, src/SharpFuzz/Method.cs and
// src/SharpFuzz.Common/Trace.cs of 2.3.0): before every block leader it runs
//   Trace.SharedMem[id ^ Trace.PrevLocation] += 1 (wrapping at 256); Trace.PrevLocation = id >> 1
// with a 16-bit id per block and both fields plain statics of SharpFuzz.Common.Trace: one map
// pointer and ONE previous location for the whole process. SharedMem is null until someone sets it
// (SharpFuzz's own Fuzzer.Run does so), so instrumented code that runs first would dereference null.
//
// Here the pointer is set by a module initialiser of the harness, before any harness code (and so
// before any port code) can run, to CoverageMap's main map: the engine's CoverageMapSource and the
// AFL++ attachment then serve both instrumentations unchanged. This class keeps the pointer in step
// when CoverageMap moves (afl-fuzz's shared memory) and resets PrevLocation per execution.
//
// Threads: no per-thread state exists, so two threads running instrumented code at once write one
// map and race on one PrevLocation (edges of one thread are hashed with the other's previous block).
// Parallel engine workers therefore cannot use SharpFuzz coverage; see InstrumentedRun.
using System.Runtime.CompilerServices;
using Harness.Coverage;

namespace Harness.Fuzz.Instrumentation;

public static unsafe class SharpFuzzTrace
{
    /// <summary>SharpFuzz's runtime assembly, which an instrumented Allocator.dll references.</summary>
    public const string RuntimeAssembly = "SharpFuzz.Common";

#pragma warning disable CA2255 // a module initialiser is the one place that runs before any port code can
    [ModuleInitializer]
    internal static void Bind() => SharpFuzz.Common.Trace.SharedMem = CoverageMap.MapBase;
#pragma warning restore CA2255

    /// <summary>Points SharpFuzz's probes at CoverageMap's current main map again (after CoverageMap moved).</summary>
    public static void Follow()
    {
        SharpFuzz.Common.Trace.SharedMem = CoverageMap.MapBase;
        SharpFuzz.Common.Trace.PrevLocation = 0;
    }

    /// <summary>AFL's "prev_location = 0" before an execution.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ResetPrevious() => SharpFuzz.Common.Trace.PrevLocation = 0;
}
