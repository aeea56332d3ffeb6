// InstrumentationOverheadBenchmarks: the cost of IL coverage probes on the port. The same W1 pass
// (palloc/poke/peek/pfree pairs on an AllocSet, see Contexts/Workloads.cs) runs against the normal
// Allocator.dll and against the build's SharpFuzz-instrumented copy (<bin>/sharpfuzz/, as the AFL
// worker and the in-process engine run it), loaded side by side in one process; the probes write
// the harness's private map (SharpFuzzTrace, bound before the copy runs).
//   dotnet run -c Release --project bench/Allocator.Bench -- --filter '*InstrumentationOverhead*'
using System.Reflection;
using System.Runtime.Loader;
using Allocator.Bench.Mmgr;
using Allocator.Mmgr;
using BenchmarkDotNet.Attributes;
using Harness.Fuzz.Instrumentation;

namespace Allocator.Bench.Fuzz.Afl;

public static class OverheadWorkload
{
    public const int Pairs = 500_000;

    public static ulong Run() => Workloads.W1(new PortAllocator(MemoryContextOptions.Production), Pairs);
}

[MemoryDiagnoser(false)]
public class InstrumentationOverheadBenchmarks
{
    private Func<ulong> _original = null!;
    private Func<ulong> _instrumented = null!;
    private string _folder = "";

    [GlobalSetup]
    public void Setup()
    {
        string bin = Path.GetDirectoryName(typeof(OverheadWorkload).Assembly.Location)!;
        _folder = Directory.CreateTempSubdirectory("harness-overhead-").FullName;
        File.Copy(InstrumentedFolder.BuiltCopy(bin), Path.Combine(_folder, "Allocator.dll"));
        SharpFuzzTrace.Reset();   // binds SharpFuzz's map pointer (the harness's module initialiser) before any probe runs
        string benchDll = typeof(OverheadWorkload).Assembly.Location;
        File.Copy(benchDll, Path.Combine(_folder, Path.GetFileName(benchDll)));
        var context = new FolderContext(_folder);
        Assembly bench = context.LoadFromAssemblyPath(Path.Combine(_folder, Path.GetFileName(benchDll)));
        _instrumented = bench.GetType(typeof(OverheadWorkload).FullName!)!.GetMethod(nameof(OverheadWorkload.Run))!.CreateDelegate<Func<ulong>>();
        _original = OverheadWorkload.Run;
        if (_original() != _instrumented()) throw new InvalidOperationException("instrumented port computed a different checksum");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * OverheadWorkload.Pairs)]
    public ulong Original() => _original();

    [Benchmark(OperationsPerInvoke = 2 * OverheadWorkload.Pairs)]
    public ulong Instrumented() => _instrumented();

    private sealed class FolderContext(string folder) : AssemblyLoadContext("instrumented-bench")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(folder, name.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
