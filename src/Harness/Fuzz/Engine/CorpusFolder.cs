// CorpusFolder: reading and writing corpus folders (one input per file).
//
// Reading is forgiving by design: a corpus is a pile of files collected over months, and one bad
// file must never cost the others. Files are read in ordinal name order (so a run is repeatable),
// every problem is reported as one line, and the rest load: unreadable files are skipped; files
// longer than the input limit are truncated; files whose content-hash name no longer matches their
// content (truncated or edited) are kept and reported. Temporary files of an interrupted write are
// ignored. Writing names files by content hash and is atomic (temporary file, then rename).
namespace Harness.Fuzz.Engine;

/// <summary>One input read from a corpus folder.</summary>
public sealed record CorpusFile(string Name, byte[] Data);

public static class CorpusFolder
{
    /// <summary>Reads every file under <paramref name="dir"/> (recursively) in ordinal path order.</summary>
    /// <param name="problems">Receives one line per file that could not be read as it is.</param>
    public static List<CorpusFile> Load(string dir, int maxLength, List<string> problems)
    {
        var result = new List<CorpusFile>();
        if (!Directory.Exists(dir))
        {
            problems.Add($"{dir}: no such folder");
            return result;
        }
        string[] paths = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        Array.Sort(paths, StringComparer.Ordinal);
        foreach (string path in paths)
        {
            string name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal) || name.StartsWith('.')) continue;
            byte[] data;
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: unreadable, skipped ({e.Message})");
                continue;
            }
            if (data.Length > maxLength)
            {
                problems.Add($"{path}: {data.Length} bytes exceeds the {maxLength}-byte input limit, truncated");
                data = data[..maxLength];
            }
            else if (ContentHash.LooksLikeHashName(name) && ContentHash.Of(data) != name)
            {
                problems.Add($"{path}: content does not match its hash name (truncated or edited?), kept");
            }
            result.Add(new CorpusFile(Path.GetRelativePath(dir, path), data));
        }
        return result;
    }

    /// <summary>Writes one input named by its content hash; returns its path. Existing files are kept.</summary>
    public static string Save(string dir, ReadOnlySpan<byte> data)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, ContentHash.Of(data));
        if (File.Exists(path)) return path;
        WriteAtomic(path, data);
        return path;
    }

    /// <summary>Writes a file atomically (temporary file in the same folder, then rename); the
    /// temporary file is PATH.tmp unless <paramref name="tmpName"/> names it (a reader that skips
    /// only dot files, like afl-fuzz, needs a dot name).</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> data, string? tmpName = null)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        string tmp = tmpName is null ? path + ".tmp" : Path.Combine(folder ?? ".", tmpName);
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            f.Write(data);
        File.Move(tmp, path, overwrite: true);
    }
}
