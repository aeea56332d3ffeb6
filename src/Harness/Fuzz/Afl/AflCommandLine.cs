// AflCommandLine: the afl-fuzz invocation for a target, as data (to run it) and as one shell line
// (to print it). The target is `<dotnet> <instrumented folder>/harness.dll afl-worker TARGET @@`,
// so the worker loads the instrumented port directly and never needs the relaunch.
//
// Environment: AFL_SKIP_BIN_CHECK=1 is mandatory (the dotnet host carries no AFL marker, and it
// keeps the map at 64 KiB); AFL_NO_UI=1 gives plain log lines; AFL_SKIP_CPUFREQ/AFL_NO_AFFINITY keep
// afl from refusing to start on a shared CI machine; AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES only
// when core dumps are piped to a handler (afl refuses to start otherwise).
// Options: -m none (the CLR reserves far more address space than any afl memory limit allows),
// an explicit -t (afl's automatic timeout is far too tight for a managed target), -V for --seconds.
// A sync worker (AflSyncRole): -o is the shared sync directory and -M NAME or -S NAME names this
// instance's folder in it (afl's own main/secondary mode; see docs/multi-machine.md), and
// AFL_IMPORT_FIRST=1 makes it import the other workers' queues before it fuzzes (a worker joining a
// running campaign starts from what the others found, not from the seeds alone).
using System.Globalization;
using System.Text;

namespace Harness.Fuzz.Afl;

public sealed record AflCommandLine(
    string AflFuzz,
    IReadOnlyList<KeyValuePair<string, string>> Environment,
    IReadOnlyList<string> Arguments)
{
    public static AflCommandLine Build(
        string aflFuzz, string target, string instrumentedFolder, string corpus, string output,
        int timeoutMs, int? seconds, bool supervise, IReadOnlyList<string> extra, AflSyncRole? sync = null)
    {
        var env = new List<KeyValuePair<string, string>>
        {
            new("AFL_SKIP_BIN_CHECK", "1"),
            new("AFL_NO_UI", "1"),
            new("AFL_SKIP_CPUFREQ", "1"),
            new("AFL_NO_AFFINITY", "1"),
        };
        if (CorePatternIsPiped()) env.Add(new("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"));
        if (sync is not null) env.Add(new("AFL_IMPORT_FIRST", "1"));
        var a = new List<string> { "-i", corpus, "-o", output, "-m", "none", "-t", timeoutMs.ToString(CultureInfo.InvariantCulture) };
        if (sync is { } role) a.AddRange(new[] { role.Main ? "-M" : "-S", role.Name });
        if (seconds is int s) a.AddRange(new[] { "-V", s.ToString(CultureInfo.InvariantCulture) });
        a.AddRange(extra);
        a.Add("--");
        a.Add(Instrumentation.DotnetHost.Path);
        a.Add(Path.Combine(instrumentedFolder, "harness.dll"));
        a.Add(AflWorkerCommand.CommandName);
        a.Add(target);
        a.Add("@@");
        if (supervise) a.Add("--supervise");   // after @@: a flag followed by a word would take it as its value
        return new AflCommandLine(aflFuzz, env, a);
    }

    /// <summary>The whole command as one line for a POSIX shell.</summary>
    public string ToShell()
    {
        var sb = new StringBuilder();
        foreach (KeyValuePair<string, string> kv in Environment) sb.Append(kv.Key).Append('=').Append(Quote(kv.Value)).Append(' ');
        sb.Append(Quote(AflFuzz));
        foreach (string arg in Arguments) sb.Append(' ').Append(Quote(arg));
        return sb.ToString();
    }

    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@,+%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    /// <summary>Finds afl-fuzz on PATH (null when afl++ is not installed).</summary>
    public static string? FindAflFuzz()
    {
        foreach (string dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "afl-fuzz");
            if (File.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static bool CorePatternIsPiped()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/core_pattern").StartsWith('|');
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
