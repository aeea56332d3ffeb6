// OssFuzzLayout: the per-target files OSS-Fuzz and ClusterFuzzLite pick up from $OUT next to a
// fuzzer executable named NAME: NAME.dict (the target's dictionary, passed as -dict=) and
// NAME_seed_corpus.zip (the target's committed corpus, unpacked into the first corpus). The
// executables themselves (one driver per target, with the target baked in) and the published
// harness are .clusterfuzzlite/build.sh's job; this writes what only the harness knows.
// Deterministic: files in ordinal name order, one fixed timestamp, so the same tree gives the same zip.
using System.IO.Compression;

namespace Harness.Fuzz.LibFuzzer;

public static class OssFuzzLayout
{
    /// <summary>The timestamp of every zip entry (zip cannot store dates before 1980).</summary>
    private static readonly DateTimeOffset s_entryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes NAME.dict and NAME_seed_corpus.zip for a target into OUT; returns the files written.</summary>
    public static IReadOnlyList<string> Write(FuzzTargetDef def, string repoRoot, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var written = new List<string>();
        string dict = Path.Combine(outDir, def.Name + ".dict");
        if (FuzzDictionaryFile.Write(def.Create(Engine.FuzzTargetConfig.Default), dict)) written.Add(dict);
        string seeds = def.CorpusPath(repoRoot);
        if (Directory.Exists(seeds) && Directory.EnumerateFiles(seeds).Any())
        {
            string zip = Path.Combine(outDir, def.Name + "_seed_corpus.zip");
            WriteZip(seeds, zip);
            written.Add(zip);
        }
        return written;
    }

    private static void WriteZip(string folder, string zip)
    {
        string tmp = zip + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create))
        {
            foreach (string file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                ZipArchiveEntry entry = archive.CreateEntry(Path.GetFileName(file), CompressionLevel.Optimal);
                entry.LastWriteTime = s_entryTime;
                using Stream to = entry.Open();
                to.Write(File.ReadAllBytes(file));
            }
        }
        File.Move(tmp, zip, overwrite: true);
    }
}
