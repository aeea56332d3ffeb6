// DotnetHost: the full path of the `dotnet` muxer, for starting `dotnet harness.dll` children
// (the instrumented relaunch, the AFL++ worker). afl-fuzz also wants a full path for its target.
namespace Harness.Fuzz.Instrumentation;

public static class DotnetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(hostPath) && File.Exists(hostPath)) return hostPath;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(System.IO.Path.Combine(root, "dotnet"))) return System.IO.Path.Combine(root, "dotnet");
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = System.IO.Path.Combine(dir, "dotnet");
            if (File.Exists(candidate)) return System.IO.Path.GetFullPath(candidate);
        }
        string runtimeGuess = System.IO.Path.GetFullPath(System.IO.Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        if (File.Exists(runtimeGuess)) return runtimeGuess;
        throw new InvalidOperationException("cannot find the dotnet host (set DOTNET_HOST_PATH)");
    }
}
