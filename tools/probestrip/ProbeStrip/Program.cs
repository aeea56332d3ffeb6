// probestrip ASSEMBLY: strips SharpFuzz's probes from the [ExcludeFromCodeCoverage] methods of a
// SharpFuzz-instrumented assembly, in place (see ProbeStripper). Run by the build right after
// `sharpfuzz`, on the temporary copy it instruments.
// Exit codes: 0 done, 2 usage error, 3 the file is not a readable assembly or an invariant failed
// (the file is then left as it was).
using Mono.Cecil;
using ProbeStrip;

if (args.Length != 1 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: probestrip ASSEMBLY   (strips SharpFuzz probes from [ExcludeFromCodeCoverage] methods, in place)");
    return args.Length == 1 ? 0 : 2;
}
string path = args[0];
try
{
    StripResult result;
    using (var memory = new MemoryStream(File.ReadAllBytes(path)))
    using (ModuleDefinition module = ModuleDefinition.ReadModule(memory, new ReaderParameters { ReadSymbols = false }))
    {
        result = ProbeStripper.Strip(module);
        // Written to memory first: an invariant failure or a write error leaves the file untouched.
        using var output = new MemoryStream();
        module.Write(output);
        File.WriteAllBytes(path, output.ToArray());
    }
    Console.WriteLine($"probestrip: {Path.GetFileName(path)}: removed {result.ProbesRemoved} of {result.ProbesBefore} probes from {result.MethodsStripped} [ExcludeFromCodeCoverage] methods");
    return 0;
}
catch (Exception e) when (e is ProbeStripException or BadImageFormatException or IOException or InvalidOperationException)
{
    Console.Error.WriteLine($"probestrip: {path}: {e.Message}");
    return 3;
}
