// InstrumentedCopy: the build's SharpFuzz-instrumented Allocator.dll (<bin>/sharpfuzz/) loaded into
// its own collectible AssemblyLoadContext next to the uninstrumented original in the default
// context, so a test can call the same method both ways and compare. Names listed in `alsoLoad` are
// loaded from a temp folder too (copied as they are), so that they bind to the instrumented copy;
// every other reference falls back to the default context, SharpFuzz.Common included (so the probes
// of the copy write the one Trace map the test reads through SharpFuzzTrace).
using System.Reflection;
using System.Runtime.Loader;
using Harness.Fuzz.Instrumentation;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class InstrumentedCopy : IDisposable
{
    private readonly Context _context;

    public string Folder { get; }

    public InstrumentedCopy(params string[] alsoLoad)
    {
        Folder = Directory.CreateTempSubdirectory("harness-instr-tests-").FullName;
        string bin = AppContext.BaseDirectory;
        File.Copy(InstrumentedFolder.BuiltCopy(bin), Path.Combine(Folder, "Allocator.dll"));
        foreach (string name in alsoLoad) File.Copy(Path.Combine(bin, name + ".dll"), Path.Combine(Folder, name + ".dll"));
        _context = new Context(Folder, alsoLoad.Append("Allocator").ToHashSet(StringComparer.Ordinal));
        _context.LoadFromAssemblyPath(Path.Combine(Folder, "Allocator.dll"));
        foreach (string name in alsoLoad) _context.LoadFromAssemblyPath(Path.Combine(Folder, name + ".dll"));
    }

    /// <summary>Calls a public static method of a type in the instrumented copy (or in an alsoLoad copy).</summary>
    public object? Call(string typeFullName, string method, params object?[] args)
    {
        Type t = _context.Assemblies.Select(a => a.GetType(typeFullName)).FirstOrDefault(t => t is not null)
            ?? throw new TypeLoadException(typeFullName);
        MethodInfo m = t.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(typeFullName, method);
        return m.Invoke(null, args);
    }

    public void Dispose()
    {
        // The copy's harness.dll may have pointed the probes at its own buffer, which goes with the context.
        SharpFuzzTrace.UsePrivateBuffer();
        _context.Unload();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed class Context : AssemblyLoadContext
    {
        private readonly string _folder;
        private readonly HashSet<string> _local;

        public Context(string folder, HashSet<string> local) : base("instrumented-test", isCollectible: true)
        {
            _folder = folder;
            _local = local;
        }

        protected override Assembly? Load(AssemblyName name) =>
            name.Name is not null && _local.Contains(name.Name) ? LoadFromAssemblyPath(Path.Combine(_folder, name.Name + ".dll")) : null;
    }
}
