// LibFuzzerDriver: the native libFuzzer executable built from tools/libfuzzer/driver.c by
// tools/libfuzzer/build.sh (clang-14 -fsanitize=fuzzer; libFuzzer itself comes from Debian's
// libclang-rt-14-dev). Built on demand into artifacts/libfuzzer/ of the repository, and rebuilt
// when driver.c or build.sh is newer than the executable, so an edited driver never runs stale.
using System.Diagnostics;
using Harness.Core;

namespace Harness.Fuzz.LibFuzzer;

public static class LibFuzzerDriver
{
    public const string ExecutableName = "harness-libfuzzer-driver";

    /// <summary>tools/libfuzzer under a repository root.</summary>
    public static string SourceFolder(string repoRoot) => Path.Combine(repoRoot, "tools", "libfuzzer");

    /// <summary>Where `harness libfuzzer` keeps its driver: artifacts/libfuzzer/ of the repository.</summary>
    public static string DefaultPath(string repoRoot) => Path.Combine(repoRoot, "artifacts", "libfuzzer", ExecutableName);

    /// <summary>True when a C compiler with libFuzzer is installed: clang-14 (or clang) and libclang_rt.fuzzer.</summary>
    public static bool ToolchainPresent() => FindCompiler() is not null && FuzzerRuntimePresent();

    /// <summary>What to install when ToolchainPresent() is false.</summary>
    public const string InstallHint = "clang-14 with libFuzzer is not installed (apt-get install -y clang-14 libclang-rt-14-dev)";

    /// <summary>True when PATH is built from driver.c and build.sh and is newer than both.</summary>
    public static bool IsCurrent(string repoRoot, string path)
    {
        if (!File.Exists(path)) return false;
        DateTime built = File.GetLastWriteTimeUtc(path);
        string src = SourceFolder(repoRoot);
        return new[] { "driver.c", "build.sh" }.All(f => File.GetLastWriteTimeUtc(Path.Combine(src, f)) <= built);
    }

    /// <summary>Builds the driver at PATH (optionally with a target baked in); the compiler's output goes to LOG.</summary>
    public static void Build(string repoRoot, string path, string? bakedTarget, TextWriter log)
    {
        if (!ToolchainPresent()) throw new MalformedInputException(InstallHint);
        string script = Path.Combine(SourceFolder(repoRoot), "build.sh");
        if (!File.Exists(script)) throw new MalformedInputException($"no driver build script at {script}");
        var psi = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(Path.GetFullPath(path));
        if (bakedTarget is not null) psi.ArgumentList.Add(bakedTarget);
        log.WriteLine($"libfuzzer: building the driver: bash {script} {path}{(bakedTarget is null ? "" : " " + bakedTarget)}");
        using Process p = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
        Task<string> err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string text = output + err.Result;
        if (text.Length > 0) log.Write(text);
        if (p.ExitCode != 0) throw new MalformedInputException($"building the libFuzzer driver failed (exit {p.ExitCode}): see the compiler output above");
    }

    private static string? FindCompiler()
    {
        foreach (string name in new[] { "clang-14", "clang" })
            foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                if (File.Exists(Path.Combine(dir, name))) return Path.Combine(dir, name);
        return null;
    }

    /// <summary>libclang_rt.fuzzer for x86-64 in a clang resource folder (Debian: /usr/lib/llvm-N/lib/clang/V/lib/linux).</summary>
    private static bool FuzzerRuntimePresent()
    {
        const string lib = "libclang_rt.fuzzer-x86_64.a";
        var resourceRoots = new List<string> { "/usr/lib/clang", "/usr/local/lib/clang" };
        if (Directory.Exists("/usr/lib"))
            resourceRoots.AddRange(Directory.EnumerateDirectories("/usr/lib", "llvm*").Select(d => Path.Combine(d, "lib", "clang")));
        return resourceRoots.Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .Any(version => File.Exists(Path.Combine(version, "lib", "linux", lib)));
    }
}
