// IlInstrumenter: rewrites a .NET assembly so every basic block reports an AFL edge to
// Harness.Coverage.CoverageMap (see MethodRewriter for the per-method algorithm).
//
// Per assembly it also
//  - reads and writes the portable PDB, so stack traces of the instrumented port keep file:line;
//  - marks the assembly with [InstrumentedAssembly(version, sha256 of the input, probe count)] and
//    refuses input that already carries the mark;
//  - adds a module initialiser that registers the assembly with CoverageMap (so
//    CoverageMap.IsInstrumentedProcess is true as soon as the port is touched);
//  - writes a manifest (id, low 16 bits, method, IL offset, kind, source line) next to the output.
// Output is deterministic: the same input bytes and Version give byte-identical dll, pdb and manifest.
using System.Security.Cryptography;
using Harness.Coverage;
using Mono.Cecil.Cil;
using Mono.Cecil;

namespace Harness.Fuzz.Instrumentation;

public sealed class InstrumentOptions
{
    /// <summary>Ids already used by other instrumented assemblies (from their manifests), to keep low 16 bits distinct.</summary>
    public IReadOnlyCollection<int> ReservedIds { get; init; } = Array.Empty<int>();

    /// <summary>Extra folders in which to resolve referenced assemblies (the input's folder is always searched).</summary>
    public IReadOnlyList<string> SearchDirectories { get; init; } = Array.Empty<string>();

    /// <summary>Only types whose full name starts with one of these prefixes (ordinal) are instrumented; empty = all.</summary>
    public IReadOnlyList<string> IncludePrefixes { get; init; } = Array.Empty<string>();

    /// <summary>
    /// A public static void(int) method for probes to call instead of the inline CoverageMap.Hit
    /// body (default null: inline). Tests point it at
    /// their own recorder so they observe exact probe sequences without touching the process-wide map.
    /// </summary>
    public System.Reflection.MethodInfo? ProbeMethod { get; init; }

    /// <summary>Also probe methods with a single basic block (default false: see IlInstrumenter.HasBranches).</summary>
    public bool ProbeStraightLineMethods { get; init; }

    /// <summary>
    /// Per-thread inline probes (CoverageMap.HitPerThread) instead of the single-thread ones, so that
    /// parallel engine workers each fill their own map slice; ~20% slower, hence off by default.
    /// The copy is marked and registered with VersionFor(true).
    /// </summary>
    public bool PerThreadMaps { get; init; }

    /// <summary>Add the module initialiser that calls CoverageMap.RegisterModule (default true).</summary>
    public bool RegisterModule { get; init; } = true;

    /// <summary>Test hook: false leaves branches and clause boundaries on the original instructions
    /// (jumps then skip probes); exists so the tests can prove they detect exactly that bug.</summary>
    internal bool Retarget { get; init; } = true;
}

public sealed record InstrumentResult(
    string OutputPath, string? PdbPath, string ManifestPath, string OriginalSha256,
    int Methods, int Instructions, int Probes, IReadOnlyList<ProbeSite> Sites);

public static class IlInstrumenter
{
    /// <summary>Bump when the rewriting changes: it is part of the launcher's cache key and of the marker.</summary>
    public const string Version = "harness-il-4";

    public const string ManifestSuffix = ".coverage.tsv";

    /// <summary>Bump when the per-thread probe changes (it is part of that flavour's version).</summary>
    public const int PerThreadRevision = 1;

    /// <summary>The version an instrumented copy is marked and registered with: Version, plus
    /// CoverageMap.PerThreadSuffix and its revision for per-thread probes (a different probe, so a different cache key).</summary>
    public static string VersionFor(bool perThreadMaps) => perThreadMaps ? $"{Version}{CoverageMap.PerThreadSuffix}-{PerThreadRevision}" : Version;

    public static bool IsInstrumented(string assemblyPath)
    {
        using AssemblyDefinition asm = AssemblyDefinition.ReadAssembly(assemblyPath, new ReaderParameters { InMemory = true });
        return asm.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(InstrumentedAssemblyAttribute).FullName);
    }

    public static InstrumentResult Instrument(string inputPath, string outputPath, InstrumentOptions? options = null)
    {
        options ??= new InstrumentOptions();
        inputPath = Path.GetFullPath(inputPath);
        outputPath = Path.GetFullPath(outputPath);
        byte[] inputBytes = File.ReadAllBytes(inputPath);
        string sha = Convert.ToHexString(SHA256.HashData(inputBytes)).ToLowerInvariant();
        string inputPdb = Path.ChangeExtension(inputPath, ".pdb");
        bool hasPdb = File.Exists(inputPdb);

        using var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(inputPath)!);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(CoverageMap).Assembly.Location)!);
        foreach (string d in options.SearchDirectories) resolver.AddSearchDirectory(d);

        using var input = new MemoryStream(inputBytes, writable: false);
        using var pdbStream = hasPdb ? new MemoryStream(File.ReadAllBytes(inputPdb), writable: false) : null;
        var reader = new ReaderParameters
        {
            AssemblyResolver = resolver,
            ReadSymbols = hasPdb,
            SymbolStream = pdbStream,
            SymbolReaderProvider = hasPdb ? new PortablePdbReaderProvider() : null,
            InMemory = true,
        };
        using AssemblyDefinition asm = AssemblyDefinition.ReadAssembly(input, reader);
        ModuleDefinition module = asm.MainModule;
        if (asm.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(InstrumentedAssemblyAttribute).FullName))
            throw new InvalidOperationException($"{inputPath} is already instrumented");
        if ((module.Attributes & ModuleAttributes.ILOnly) == 0)
            throw new InvalidOperationException($"{inputPath} is not an IL-only assembly (mixed mode is not supported)");

        var probes = new ProbeEmitter(module, options.ProbeMethod, options.PerThreadMaps);
        string version = VersionFor(options.PerThreadMaps);
        List<MethodDefinition> methods = module.GetTypes()
            .Where(t => options.IncludePrefixes.Count == 0 || options.IncludePrefixes.Any(p => t.FullName.StartsWith(p, StringComparison.Ordinal)))
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody && m.Body.Instructions.Count > 0 && (options.ProbeStraightLineMethods || HasBranches(m.Body)))
            .Where(m => !ExcludedFromCoverage(m))
            .ToList();
        int expected = methods.Sum(m => m.Body.Instructions.Count) / 3;
        var ids = new ProbeIds(asm.Name.Name, options.ReservedIds, expected);
        var sites = new List<ProbeSite>();
        int instructions = 0;
        foreach (MethodDefinition m in methods)
        {
            instructions += m.Body.Instructions.Count;
            sites.AddRange(MethodRewriter.Rewrite(m, probes, ids, options.Retarget));
        }

        if (options.RegisterModule) AddRegistration(module, asm.Name.Name, version, sites.Count);
        AddMarker(module, asm, version, sha, sites.Count);

        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        string? outPdb = hasPdb ? Path.ChangeExtension(outputPath, ".pdb") : null;
        var writer = new WriterParameters
        {
            DeterministicMvid = true,
            WriteSymbols = hasPdb,
            SymbolWriterProvider = hasPdb ? new PortablePdbWriterProvider() : null,
        };
        // Write to memory first so that instrumenting a file onto itself is safe.
        using (var dll = new MemoryStream())
        using (var pdb = new MemoryStream())
        {
            if (hasPdb) writer.SymbolStream = pdb;
            asm.Write(dll, writer);
            File.WriteAllBytes(outputPath, dll.ToArray());
            if (outPdb is not null) File.WriteAllBytes(outPdb, pdb.ToArray());
        }
        string manifest = outputPath + ManifestSuffix;
        CoverageManifest.Write(manifest, asm.Name.Name, version, sha, sites);
        return new InstrumentResult(outputPath, outPdb, manifest, sha, methods.Count, instructions, sites.Count, sites);
    }

    /// <summary>
    /// True when the body has more than one basic block. A straight-line method (no branch, switch
    /// or handler) adds no edge its caller's block does not already imply, and a probe would stop
    /// the JIT from inlining it (most are property getters and tiny helpers): the cost was a 5x
    /// slowdown of the port for no information. AFL's LLVM pass gets the same effect by
    /// instrumenting after inlining.
    /// </summary>
    private static bool HasBranches(MethodBody body) =>
        body.HasExceptionHandlers || body.Instructions.Any(i => i.OpCode.FlowControl is FlowControl.Branch or FlowControl.Cond_Branch);

    /// <summary>
    /// True for a method marked [ExcludeFromCodeCoverage], directly, through its property or
    /// event, or through its declaring type or any enclosing type (so lambdas, iterators and local
    /// functions, which the compiler nests inside the marked type, stay out too). The port marks its
    /// oracle-only code with it: the invariant walkers of MemoryContextVerify, which the fuzz oracle
    /// runs after every k-th operation. Their edges describe the checker, not the system under test,
    /// and their probes cost a fifth of an instrumented campaign's speed (measured: 4,088 -> 4,942
    /// exec/s, while a 60 s corpus reached the same port edges either way).
    /// </summary>
    internal static bool ExcludedFromCoverage(MethodDefinition m)
    {
        if (HasExcludeAttribute(m.CustomAttributes)) return true;
        if (m.IsGetter || m.IsSetter)
        {
            foreach (PropertyDefinition p in m.DeclaringType.Properties)
                if ((p.GetMethod == m || p.SetMethod == m) && HasExcludeAttribute(p.CustomAttributes)) return true;
        }
        for (TypeDefinition? t = m.DeclaringType; t is not null; t = t.DeclaringType)
            if (HasExcludeAttribute(t.CustomAttributes)) return true;
        // A lambda or local function of a marked method lives in a compiler-generated type or as a
        // method named <Marked>g__...: follow the name back to its marked owner.
        string name = m.Name;
        if (name.StartsWith('<') && name.IndexOf('>') is int close and > 1)
        {
            string owner = name[1..close];
            for (TypeDefinition? t = m.DeclaringType; t is not null; t = t.DeclaringType)
                if (t.Methods.Any(o => o.Name == owner && HasExcludeAttribute(o.CustomAttributes))) return true;
        }
        return false;
    }

    private static bool HasExcludeAttribute(Mono.Collections.Generic.Collection<CustomAttribute> attributes) =>
        attributes.Any(a => a.AttributeType.FullName == "System.Diagnostics.CodeAnalysis.ExcludeFromCodeCoverageAttribute");

    /// <summary>Prepends CoverageMap.RegisterModule(name, version, probes) to the module initialiser (creating one if needed).</summary>
    private static void AddRegistration(ModuleDefinition module, string name, string version, int probes)
    {
        TypeDefinition moduleType = module.Types.Single(t => t.Name == "<Module>");
        MethodDefinition? cctor = moduleType.Methods.SingleOrDefault(m => m.IsConstructor && m.IsStatic);
        if (cctor is null)
        {
            cctor = new MethodDefinition(".cctor",
                MethodAttributes.Private | MethodAttributes.HideBySig | MethodAttributes.Static |
                MethodAttributes.SpecialName | MethodAttributes.RTSpecialName,
                module.TypeSystem.Void);
            cctor.Body.Instructions.Add(Instruction.Create(OpCodes.Ret));
            moduleType.Methods.Add(cctor);
        }
        MethodReference register = module.ImportReference(typeof(CoverageMap).GetMethod(nameof(CoverageMap.RegisterModule))!);
        Instruction first = cctor.Body.Instructions[0];
        var il = cctor.Body.GetILProcessor();
        il.InsertBefore(first, Instruction.Create(OpCodes.Ldstr, name));
        il.InsertBefore(first, Instruction.Create(OpCodes.Ldstr, version));
        il.InsertBefore(first, Instruction.Create(OpCodes.Ldc_I4, probes));
        il.InsertBefore(first, Instruction.Create(OpCodes.Call, register));
    }

    private static void AddMarker(ModuleDefinition module, AssemblyDefinition asm, string version, string sha, int probes)
    {
        MethodReference ctor = module.ImportReference(typeof(InstrumentedAssemblyAttribute).GetConstructors().Single());
        var attr = new CustomAttribute(ctor);
        attr.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, version));
        attr.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.String, sha));
        attr.ConstructorArguments.Add(new CustomAttributeArgument(module.TypeSystem.Int32, probes));
        asm.CustomAttributes.Add(attr);
    }
}
