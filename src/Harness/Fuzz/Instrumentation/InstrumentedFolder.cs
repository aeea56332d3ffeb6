// InstrumentedFolder: a runnable copy of the harness's output folder whose Allocator.dll is the
// SharpFuzz-instrumented one. The build instruments (Directory.Build.targets, target
// SharpFuzzInstrumentAllocator, into <output>/sharpfuzz/Allocator.dll); this folder puts that copy
// where the runtime loads the port from. Built once and reused:
//
//   <root>/<key>/           key = sha256(instrumented Allocator.dll bytes, SharpFuzzVersion)[..16]
//                                 + "-" + sha256(source folder path)[..8]
//     Allocator.dll         the build's SharpFuzz-instrumented copy (no pdb: the original's
//                           describes the uninstrumented IL)
//     harness.dll, ...      every other file of the source folder except sharpfuzz/, re-synced on
//                           each use (copied when its length or timestamp differs), so a rebuilt
//                           harness never runs against a stale copy
//
// <root> is $HARNESS_INSTRUMENTED_DIR, else <repo>/artifacts/instrumented (the repository or
// worktree the harness was built in), else the temp folder. A lock file serialises concurrent
// builders (parallel tests, two campaigns).
using System.Security.Cryptography;
using System.Text;

namespace Harness.Fuzz.Instrumentation;

public static class InstrumentedFolder
{
    public const string RootVariable = "HARNESS_INSTRUMENTED_DIR";
    public const string TargetAssembly = "Allocator";

    /// <summary>Subfolder of the build output holding the SharpFuzz-instrumented Allocator.dll.</summary>
    public const string SharpFuzzSubfolder = "sharpfuzz";

    /// <summary>Part of the key and the marker: the tool version pinned in .config/dotnet-tools.json.</summary>
    public const string SharpFuzzVersion = "sharpfuzz-2.3.0";

    private const string CompleteMarker = ".instrumented-complete";

    /// <summary>The folder holding harness.dll and the other files of the running harness.</summary>
    public static string SourceFolder => Path.GetDirectoryName(typeof(InstrumentedFolder).Assembly.Location)!;

    /// <summary>The build's SharpFuzz-instrumented Allocator.dll for a harness output folder.</summary>
    public static string BuiltCopy(string sourceFolder) => Path.Combine(sourceFolder, SharpFuzzSubfolder, TargetAssembly + ".dll");

    public static string Root()
    {
        string? env = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        for (DirectoryInfo? d = new(SourceFolder); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Harness.sln"))) return Path.Combine(d.FullName, "artifacts", "instrumented");
        return Path.Combine(Path.GetTempPath(), "harness-instrumented");
    }

    /// <summary>Builds (or reuses) the folder for the harness in SourceFolder and returns its path.</summary>
    public static string Ensure(TextWriter log) => Ensure(SourceFolder, Root(), log);

    public static string Ensure(string sourceFolder, string root, TextWriter log)
    {
        sourceFolder = Path.GetFullPath(sourceFolder);
        string built = BuiltCopy(sourceFolder);
        if (!File.Exists(built))
            throw new FileNotFoundException($"no SharpFuzz-instrumented {TargetAssembly}.dll in the build output (the build's SharpFuzzInstrumentAllocator target writes it; rebuild)", built);

        string key = Key(built, sourceFolder);
        string folder = Path.Combine(root, key);
        Directory.CreateDirectory(root);
        using FileStream lockFile = AcquireLock(Path.Combine(root, key + ".lock"));
        Directory.CreateDirectory(folder);
        string marker = Path.Combine(folder, CompleteMarker);
        if (!File.Exists(marker))
        {
            string dest = Path.Combine(folder, TargetAssembly + ".dll");
            File.Copy(built, dest + ".tmp", overwrite: true);
            File.Move(dest + ".tmp", dest, overwrite: true);
            log.WriteLine($"SharpFuzz-instrumented {TargetAssembly}.dll from the build -> {folder}");
            File.WriteAllText(marker, SharpFuzzVersion + "\n");
        }
        SyncFiles(sourceFolder, folder);
        return folder;
    }

    private static string Key(string instrumentedDll, string sourceFolder)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(File.ReadAllBytes(instrumentedDll));
        h.AppendData(Encoding.UTF8.GetBytes("\0" + SharpFuzzVersion));
        string content = Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant()[..16];
        string place = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sourceFolder))).ToLowerInvariant()[..8];
        return content + "-" + place;
    }

    /// <summary>Copies every file except the port's dll/pdb and the sharpfuzz/ folder when missing or different (length, timestamp).</summary>
    private static void SyncFiles(string source, string dest)
    {
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string rel = Path.GetRelativePath(source, file);
            if (rel is TargetAssembly + ".dll" or TargetAssembly + ".pdb") continue;
            if (rel.StartsWith(SharpFuzzSubfolder + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
            string target = Path.Combine(dest, rel);
            var s = new FileInfo(file);
            var t = new FileInfo(target);
            if (t.Exists && t.Length == s.Length && t.LastWriteTimeUtc == s.LastWriteTimeUtc) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string tmp = target + ".tmp";
            File.Copy(file, tmp, overwrite: true);
            File.SetLastWriteTimeUtc(tmp, s.LastWriteTimeUtc);
            File.Move(tmp, target, overwrite: true);
        }
    }

    private static FileStream AcquireLock(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                // Another process is building the same folder: wait (up to a minute) for it to finish.
                // Only when the copy is ready depends on this sleep, never what the copy contains.
#pragma warning disable RS0030
                Thread.Sleep(100);
#pragma warning restore RS0030
            }
        }
    }
}
