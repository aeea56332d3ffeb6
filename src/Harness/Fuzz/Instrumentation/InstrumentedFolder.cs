// InstrumentedFolder: a runnable copy of the harness's output folder whose Allocator.dll (and pdb)
// is the instrumented one. Built once and reused:
//
//   <root>/<key>/           key = sha256(Allocator.dll bytes, instrumenter version)[..16]
//                                 + "-" + sha256(source folder path)[..8]
//     Allocator.dll/.pdb    instrumented; for cecil, Allocator.dll.coverage.tsv is its manifest
//     harness.dll, ...      every other file of the source folder, re-synced on each use
//                           (copied when its length or timestamp differs), so a rebuilt harness
//                           never runs against a stale copy
//
// Cecil copies are instrumented here, on first use (IlInstrumenter.VersionFor(per-thread?) is the
// version). SharpFuzz copies take the Allocator.dll the build already instrumented
// (<output>/sharpfuzz/Allocator.dll, see Directory.Build.targets; its bytes are the key, and the pdb
// stays out because it no longer matches). The sharpfuzz/ folder itself is not copied.
//
// <root> is $HARNESS_INSTRUMENTED_DIR, else <repo>/artifacts/instrumented (the repository or
// worktree the harness was built in), else the temp folder.
// A lock file serialises concurrent builders (parallel tests, two campaigns). Copies with per-thread
// probes (for parallel engine workers) are separate folders, built on first use.
using System.Security.Cryptography;
using System.Text;
using Harness.Core;

namespace Harness.Fuzz.Instrumentation;

public static class InstrumentedFolder
{
    public const string RootVariable = "HARNESS_INSTRUMENTED_DIR";
    public const string TargetAssembly = "Allocator";

    /// <summary>Subfolder of the build output holding the SharpFuzz-instrumented Allocator.dll.</summary>
    public const string SharpFuzzSubfolder = "sharpfuzz";

    /// <summary>Part of a SharpFuzz copy's key and marker (the tool version pinned in .config/dotnet-tools.json).</summary>
    public const string SharpFuzzVersion = "sharpfuzz-2.3.0";
    private const string CompleteMarker = ".instrumented-complete";

    /// <summary>The folder holding harness.dll and the other files of the running harness.</summary>
    public static string SourceFolder => Path.GetDirectoryName(typeof(InstrumentedFolder).Assembly.Location)!;

    public static string Root()
    {
        string? env = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        for (DirectoryInfo? d = new(SourceFolder); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Harness.sln"))) return Path.Combine(d.FullName, "artifacts", "instrumented");
        return Path.Combine(Path.GetTempPath(), "harness-instrumented");
    }

    /// <summary>Builds (or reuses) the folder for the harness in SourceFolder and returns its path.</summary>
    public static string Ensure(TextWriter log, InstrumentationKind kind = InstrumentationKinds.Default, bool perThreadMaps = false) =>
        Ensure(SourceFolder, Root(), log, kind, perThreadMaps);

    public static string Ensure(string sourceFolder, string root, TextWriter log, InstrumentationKind kind = InstrumentationKinds.Default, bool perThreadMaps = false)
    {
        sourceFolder = Path.GetFullPath(sourceFolder);
        string sourceDll = Path.Combine(sourceFolder, TargetAssembly + ".dll");
        if (!File.Exists(sourceDll)) throw new FileNotFoundException($"no {TargetAssembly}.dll next to the harness", sourceDll);
        if (IlInstrumenter.IsInstrumented(sourceDll))
            throw new InvalidOperationException($"{sourceDll} is already instrumented; run the harness from its build output");
        if (kind == InstrumentationKind.SharpFuzz && perThreadMaps)
            throw new ArgumentException("SharpFuzz instrumentation has no per-thread probes", nameof(perThreadMaps));

        string sharpFuzzDll = Path.Combine(sourceFolder, SharpFuzzSubfolder, TargetAssembly + ".dll");
        if (kind == InstrumentationKind.SharpFuzz && !File.Exists(sharpFuzzDll))
            throw new FileNotFoundException($"no SharpFuzz-instrumented {TargetAssembly}.dll in the build output (the build's SharpFuzzInstrumentAllocator target writes it; rebuild)", sharpFuzzDll);
        string version = kind == InstrumentationKind.SharpFuzz ? SharpFuzzVersion : IlInstrumenter.VersionFor(perThreadMaps);
        string key = Key(kind == InstrumentationKind.SharpFuzz ? sharpFuzzDll : sourceDll, sourceFolder, version);
        string folder = Path.Combine(root, key);
        Directory.CreateDirectory(root);
        using FileStream lockFile = AcquireLock(Path.Combine(root, key + ".lock"));
        Directory.CreateDirectory(folder);
        string marker = Path.Combine(folder, CompleteMarker);
        if (!File.Exists(marker) && kind == InstrumentationKind.SharpFuzz)
        {
            string dest = Path.Combine(folder, TargetAssembly + ".dll");
            File.Copy(sharpFuzzDll, dest + ".tmp", overwrite: true);
            File.Move(dest + ".tmp", dest, overwrite: true);
            File.Delete(Path.Combine(folder, TargetAssembly + ".pdb"));
            log.WriteLine($"SharpFuzz-instrumented {TargetAssembly}.dll from the build -> {folder}");
            File.WriteAllText(marker, version + "\n");
        }
        if (!File.Exists(marker))
        {
            var sw = WallClock.StartNew();
            InstrumentResult r = IlInstrumenter.Instrument(sourceDll, Path.Combine(folder, TargetAssembly + ".dll"), new InstrumentOptions { PerThreadMaps = perThreadMaps });
            log.WriteLine($"instrumented {sourceDll}: {r.Methods} methods, {r.Instructions} instructions, {r.Probes} probes in {sw.ElapsedMilliseconds} ms -> {folder}");
            File.WriteAllText(marker, version + "\n");
        }
        SyncFiles(sourceFolder, folder);
        return folder;
    }

    private static string Key(string sourceDll, string sourceFolder, string version)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(File.ReadAllBytes(sourceDll));
        h.AppendData(Encoding.UTF8.GetBytes("\0" + version));
        string content = Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant()[..16];
        string place = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sourceFolder))).ToLowerInvariant()[..8];
        return content + "-" + place;
    }

    /// <summary>Copies every file except the target assembly's dll/pdb when missing or different (length, timestamp).</summary>
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
