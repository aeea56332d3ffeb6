// InstrumentedCopy: instruments an assembly into a fresh temp folder and loads it into its own
// collectible AssemblyLoadContext next to the uninstrumented original in the default context,
// so a test can call the same method both ways and compare. Names listed in `alsoLoad` are loaded
// from the temp folder too (copied uninstrumented), so that they bind to the instrumented copy;
// every other reference falls back to the default context (shared Harness.Coverage statics).
using System.Reflection;
using System.Runtime.Loader;
using Harness.Coverage;
using Harness.Fuzz.Instrumentation;

namespace Harness.Tests.Fuzz.Instrumentation;

public sealed class InstrumentedCopy : IDisposable
{
    private readonly Context _context;

    public string Folder { get; }
    public InstrumentResult Result { get; }
    public Assembly Assembly { get; }

    public InstrumentedCopy(string assemblyName, InstrumentOptions options, params string[] alsoLoad)
    {
        Folder = Path.Combine(Path.GetTempPath(), "harness-instr-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        string bin = AppContext.BaseDirectory;
        Result = IlInstrumenter.Instrument(Path.Combine(bin, assemblyName + ".dll"), Path.Combine(Folder, assemblyName + ".dll"), options);
        foreach (string name in alsoLoad)
        {
            File.Copy(Path.Combine(bin, name + ".dll"), Path.Combine(Folder, name + ".dll"));
            File.Copy(Path.Combine(bin, name + ".pdb"), Path.Combine(Folder, name + ".pdb"));
        }
        _context = new Context(Folder, alsoLoad.Append(assemblyName).ToHashSet(StringComparer.Ordinal));
        Assembly = _context.LoadFromAssemblyPath(Path.Combine(Folder, assemblyName + ".dll"));
        foreach (string name in alsoLoad) _context.LoadFromAssemblyPath(Path.Combine(Folder, name + ".dll"));
    }

    /// <summary>Calls a public static method of a type in the instrumented copy (or in an alsoLoad copy).</summary>
    public object? Call(string typeFullName, string method, params object?[] args)
    {
        Type t = FindType(typeFullName);
        MethodInfo m = t.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(typeFullName, method);
        return m.Invoke(null, args);
    }

    public Type FindType(string typeFullName) =>
        _context.Assemblies.Select(a => a.GetType(typeFullName)).FirstOrDefault(t => t is not null)
        ?? throw new TypeLoadException(typeFullName);

    /// <summary>Runs a call with the probes' ids captured (requires ProbeMethod = ProbeTrace.Hit).</summary>
    public (object? Result, List<int> Ids) Trace(string typeFullName, string method, params object?[] args)
    {
        using ProbeTrace.Capture c = ProbeTrace.Start();
        object? r = Call(typeFullName, method, args);
        return (r, c.Ids);
    }

    public void Dispose()
    {
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
