// The scratch tree a campaign mutates: a copy of the working tree's tracked and untracked (not
// ignored) files under /tmp, kept between runs so that each mutant costs an incremental build.
// The working tree itself is never written. Syncing copies only files whose content differs, so
// unchanged sources keep their time stamps and MSBuild skips what it can.
using System.Diagnostics;

namespace Mutate;

public static class Scratch
{
    /// <summary>Makes `scratch` hold the same sources as `repo` (files git knows or would add).</summary>
    public static int Sync(string repo, string scratch)
    {
        var psi = new ProcessStartInfo("git") { WorkingDirectory = repo, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" }) psi.ArgumentList.Add(a);
        using Process git = Process.Start(psi)!;
        string list = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0) throw new InvalidOperationException($"git ls-files failed in {repo}");
        int copied = 0;
        foreach (string rel in list.Split('\0', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal))
        {
            string src = Path.Combine(repo, rel), dst = Path.Combine(scratch, rel);
            if (!File.Exists(src)) continue; // deleted but not yet staged
            if (File.Exists(dst) && SameBytes(src, dst)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
            File.Copy(src, dst, overwrite: true);
            copied++;
        }
        return copied;
    }

    private static bool SameBytes(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        return fa.Length == fb.Length && File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}
