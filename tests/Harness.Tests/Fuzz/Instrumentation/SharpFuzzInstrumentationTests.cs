// SharpFuzz instrumentation of the port: what the build step wrote (a SharpFuzz-instrumented copy
// of Allocator.dll next to the untouched original, with the oracle-only types left out by the
// prefix arguments), the instrumented folder made from it, and the harness running on it: IL edges
// reach the engine's map with one worker, and several workers fall back to features, saying why.
using Harness.Fuzz.Instrumentation;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class SharpFuzzInstrumentationTests
{
    private static string BuiltCopy => Path.Combine(AppContext.BaseDirectory, InstrumentedFolder.SharpFuzzSubfolder, "Allocator.dll");

    [Fact]
    public void Build_writes_an_instrumented_copy_and_leaves_the_original_alone()
    {
        Assert.True(File.Exists(BuiltCopy), $"the build's SharpFuzzInstrumentAllocator target wrote no {BuiltCopy}");
        using AssemblyDefinition copy = AssemblyDefinition.ReadAssembly(BuiltCopy);
        using AssemblyDefinition original = AssemblyDefinition.ReadAssembly(Path.Combine(AppContext.BaseDirectory, "Allocator.dll"));
        Assert.Contains(copy.MainModule.AssemblyReferences, r => r.Name == SharpFuzzTrace.RuntimeAssembly);
        Assert.DoesNotContain(original.MainModule.AssemblyReferences, r => r.Name == SharpFuzzTrace.RuntimeAssembly);
        Assert.Equal(0, ProbedMethods(original.MainModule, "Allocator.Mmgr.AllocSet"));
        Assert.True(ProbedMethods(copy.MainModule, "Allocator.Mmgr.AllocSet") > 10);
    }

    [Fact]
    public void Prefix_arguments_keep_the_oracle_scratch_type_and_the_prng_without_probes()
    {
        using AssemblyDefinition copy = AssemblyDefinition.ReadAssembly(BuiltCopy);
        Assert.Equal(0, ProbedMethods(copy.MainModule, "Allocator.Mmgr.VerifyScratch"));
        Assert.Equal(0, ProbedMethods(copy.MainModule, "Allocator.Common.Prng"));
        Assert.True(ProbedMethods(copy.MainModule, "Allocator.Sim.SimHeap") > 0);
        // SharpFuzz selects by type name only: the walker methods the port marks
        // [ExcludeFromCodeCoverage] inside AllocSet get probes (documented, measured).
        Assert.True(IsProbed(copy.MainModule.GetType("Allocator.Mmgr.AllocSet").Methods.Single(m => m.Name == "VerifyInto")));
    }

    [Fact]
    public void Folder_takes_the_builds_copy_without_its_pdb_or_the_subfolder()
    {
        string folder = InstrumentedFolder.Ensure(TextWriter.Null, InstrumentationKind.SharpFuzz);
        Assert.Equal(File.ReadAllBytes(BuiltCopy), File.ReadAllBytes(Path.Combine(folder, "Allocator.dll")));
        Assert.False(File.Exists(Path.Combine(folder, "Allocator.pdb")));   // it describes the uninstrumented IL
        Assert.False(Directory.Exists(Path.Combine(folder, InstrumentedFolder.SharpFuzzSubfolder)));
        Assert.True(File.Exists(Path.Combine(folder, SharpFuzzTrace.RuntimeAssembly + ".dll")));
        Assert.NotEqual(folder, InstrumentedFolder.Ensure(TextWriter.Null, InstrumentationKind.Cecil));
        Assert.Throws<ArgumentException>(() => InstrumentedFolder.Ensure(TextWriter.Null, InstrumentationKind.SharpFuzz, perThreadMaps: true));
    }

    [Fact]
    public void Fuzz_reads_sharpfuzz_edges_with_one_worker()
    {
        string dir = Directory.CreateTempSubdirectory("harness-sharpfuzz-").FullName;
        try
        {
            (int code, string stdout, string stderr) = InstrumentedLauncherTests.RunHarness(
                "fuzz", "mmgr", "--instrumentation", "sharpfuzz", "--execs", "300", "--corpus", "none", "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Contains("relaunching instrumented", stderr);
            Assert.Contains("coverage=il+features (IL-instrumented port: sharpfuzz)", stdout);
            Assert.True(IlEdges(stdout) > 100, stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Fuzz_with_two_workers_on_sharpfuzz_uses_features_and_says_why()
    {
        string dir = Directory.CreateTempSubdirectory("harness-sharpfuzz-").FullName;
        try
        {
            (int code, string stdout, string stderr) = InstrumentedLauncherTests.RunHarness(
                "fuzz", "mmgr", "--instrumentation", "sharpfuzz", "--workers", "2", "--execs", "300", "--corpus", "none", "--out", dir);
            Assert.True(code == 0, stderr);
            Assert.Contains("share one map and one previous location among threads", stderr);
            Assert.DoesNotContain("relaunching instrumented", stderr);
            Assert.Contains("coverage=features (IL-instrumented port: no)", stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int IlEdges(string stdout)
    {
        string line = stdout.Split('\n').Last(l => l.Contains("DONE cov:", StringComparison.Ordinal));
        int at = line.IndexOf("(il=", StringComparison.Ordinal) + 4;
        return int.Parse(line.AsSpan(at, line.IndexOf(' ', at) - at), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int ProbedMethods(ModuleDefinition module, string typeName) =>
        module.GetTypes().Where(t => t.FullName == typeName || t.FullName.StartsWith(typeName + "/", StringComparison.Ordinal))
            .SelectMany(t => t.Methods).Count(IsProbed);

    /// <summary>A SharpFuzz probe stores Trace.PrevLocation; nothing else in the port touches it.</summary>
    private static bool IsProbed(MethodDefinition m) =>
        m.HasBody && m.Body.Instructions.Any(i => i.OpCode == OpCodes.Stsfld && i.Operand is FieldReference f
            && f.Name == "PrevLocation" && f.DeclaringType.FullName == "SharpFuzz.Common.Trace");
}
