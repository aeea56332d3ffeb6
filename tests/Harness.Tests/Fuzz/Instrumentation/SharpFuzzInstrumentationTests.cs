// SharpFuzz instrumentation of the port: what the build step wrote (a SharpFuzz-instrumented copy
// of Allocator.dll next to the untouched original, with the oracle-only types left out by the
// prefix arguments), the instrumented folder made from it, and the harness running on it: IL edges
// reach the engine's map with one worker, and several workers fall back to features, saying why.
using System.Reflection.Metadata.Ecma335;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Harness.Fuzz.Instrumentation;
using Xunit;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class SharpFuzzInstrumentationTests
{
    private static string BuiltCopy => InstrumentedFolder.BuiltCopy(AppContext.BaseDirectory);

    [Fact]
    public void Build_writes_an_instrumented_copy_and_leaves_the_original_alone()
    {
        Assert.True(File.Exists(BuiltCopy), $"the build's SharpFuzzInstrumentAllocator target wrote no {BuiltCopy}");
        using var copy = new Probes(BuiltCopy);
        using var original = new Probes(Path.Combine(AppContext.BaseDirectory, "Allocator.dll"));
        Assert.True(copy.ReferencesSharpFuzz);
        Assert.False(original.ReferencesSharpFuzz);
        Assert.Equal(0, original.ProbedMethods("Allocator.Mmgr.AllocSet"));
        Assert.True(copy.ProbedMethods("Allocator.Mmgr.AllocSet") > 10);
    }

    [Fact]
    public void Prefix_arguments_keep_the_oracle_scratch_type_and_the_prng_without_probes()
    {
        using var copy = new Probes(BuiltCopy);
        Assert.Equal(0, copy.ProbedMethods("Allocator.Mmgr.VerifyScratch"));
        Assert.Equal(0, copy.ProbedMethods("Allocator.Common.Prng"));
        Assert.True(copy.ProbedMethods("Allocator.Sim.SimHeap") > 0);
        // SharpFuzz selects by type name only and probes the walker methods the port marks
        // [ExcludeFromCodeCoverage] inside AllocSet; probestrip takes them out again (ProbeStripTests).
        Assert.False(copy.IsProbed("Allocator.Mmgr.AllocSet", "VerifyInto"));
        Assert.True(copy.IsProbed("Allocator.Mmgr.AllocSet", "AllocSetFree"));
    }

    [Fact]
    public void Folder_takes_the_builds_copy_without_its_pdb_or_the_subfolder()
    {
        string folder = InstrumentedFolder.Ensure(TextWriter.Null);
        Assert.Equal(File.ReadAllBytes(BuiltCopy), File.ReadAllBytes(Path.Combine(folder, "Allocator.dll")));
        Assert.False(File.Exists(Path.Combine(folder, "Allocator.pdb")));   // it describes the uninstrumented IL
        Assert.False(Directory.Exists(Path.Combine(folder, InstrumentedFolder.SharpFuzzSubfolder)));
        Assert.True(File.Exists(Path.Combine(folder, SharpFuzzTrace.RuntimeAssembly + ".dll")));
        var log = new StringWriter();
        Assert.Equal(folder, InstrumentedFolder.Ensure(log));
        Assert.Equal("", log.ToString());   // reused: nothing copied again
    }

    [Fact]
    public void Fuzz_reads_sharpfuzz_edges_with_one_worker()
    {
        (int code, string stdout, string stderr) = Fuzz("--workers", "1");
        Assert.True(code == 0, stderr);
        Assert.Contains("relaunching instrumented", stderr);
        Assert.Contains("coverage=il+features (IL-instrumented port: sharpfuzz)", stdout);
        Assert.True(IlEdges(stdout) > 100, stdout);
    }

    [Fact]
    public void Fuzz_with_two_workers_on_sharpfuzz_uses_features_and_says_why()
    {
        (int code, string stdout, string stderr) = Fuzz("--workers", "2");
        Assert.True(code == 0, stderr);
        Assert.Contains("share one map and one previous location among threads", stderr);
        Assert.DoesNotContain("relaunching instrumented", stderr);
        Assert.Contains("coverage=features (IL-instrumented port: no)", stdout);
    }

    /// <summary>A short `harness fuzz mmgr` in a child process (the real relaunch), output in a temp folder.</summary>
    private static (int Code, string Stdout, string Stderr) Fuzz(params string[] extra)
    {
        string dir = Directory.CreateTempSubdirectory("harness-sharpfuzz-").FullName;
        try
        {
            return InstrumentedLauncherTests.RunHarness(["fuzz", "mmgr", "--execs", "300", "--corpus", "none", "--out", dir, .. extra]);
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

    /// <summary>
    /// Reads an assembly's method bodies for SharpFuzz probes. A probe ends by storing
    /// Trace.PrevLocation (stsfld, opcode 0x80, then the field's token); nothing else in the port
    /// touches that field, so a body containing that instruction is probed.
    /// </summary>
    private sealed class Probes : IDisposable
    {
        private readonly PEReader _pe;
        private readonly MetadataReader _md;
        private readonly byte[]? _store;

        public Probes(string path)
        {
            _pe = new PEReader(File.OpenRead(path));
            _md = _pe.GetMetadataReader();
            foreach (MemberReferenceHandle h in _md.MemberReferences)
            {
                MemberReference r = _md.GetMemberReference(h);
                if (_md.GetString(r.Name) != "PrevLocation" || r.Parent.Kind != HandleKind.TypeReference) continue;
                TypeReference t = _md.GetTypeReference((TypeReferenceHandle)r.Parent);
                if (_md.GetString(t.Namespace) != "SharpFuzz.Common" || _md.GetString(t.Name) != "Trace") continue;
                _store = [0x80, .. BitConverter.GetBytes(MetadataTokens.GetToken(h))];
            }
        }

        public bool ReferencesSharpFuzz => _md.AssemblyReferences.Any(h => _md.GetString(_md.GetAssemblyReference(h).Name) == SharpFuzzTrace.RuntimeAssembly);

        /// <summary>Probed methods of the type (full name, dots) and of the types nested in it.</summary>
        public int ProbedMethods(string typeName) => Methods(typeName, nested: true).Count(IsProbed);

        public bool IsProbed(string typeName, string method) =>
            IsProbed(Methods(typeName, nested: false).Single(m => _md.GetString(_md.GetMethodDefinition(m).Name) == method));

        private IEnumerable<MethodDefinitionHandle> Methods(string typeName, bool nested) =>
            _md.TypeDefinitions.Where(h => Matches(h, typeName, nested)).SelectMany(h => _md.GetTypeDefinition(h).GetMethods());

        private bool Matches(TypeDefinitionHandle h, string typeName, bool nested)
        {
            TypeDefinition t = _md.GetTypeDefinition(h);
            if (t.GetDeclaringType() is { IsNil: false } outer) return nested && Matches(outer, typeName, nested);
            return $"{_md.GetString(t.Namespace)}.{_md.GetString(t.Name)}" == typeName;
        }

        private bool IsProbed(MethodDefinitionHandle h)
        {
            int rva = _md.GetMethodDefinition(h).RelativeVirtualAddress;
            if (_store is null || rva == 0) return false;
            ReadOnlySpan<byte> il = _pe.GetMethodBody(rva).GetILContent().AsSpan();
            return il.IndexOf(_store) >= 0;
        }

        public void Dispose() => _pe.Dispose();
    }
}
