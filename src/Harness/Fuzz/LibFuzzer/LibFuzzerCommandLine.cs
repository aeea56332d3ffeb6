// LibFuzzerCommandLine: the driver invocation for a target, as data (to run it) and as one shell
// line (to print it). The worker is `<dotnet> <instrumented folder>/harness.dll libfuzzer-worker
// TARGET [--ops-max=M] [--canary=NAME]`, one --worker= flag per word, so it loads the instrumented
// port directly (no relaunch) and libFuzzer copies it unchanged to every process it spawns.
//
// The user's libFuzzer arguments come last and win: the defaults below are added only when the user
// did not give that flag. Without any corpus argument of the user's, the corpus is OUT/corpus (where
// libFuzzer writes what it finds) followed by the target's committed seeds; with one (a folder for
// -merge=1, a crash file to re-run) the user's list is the whole list. The user's paths are made
// absolute, since the driver runs in the output folder.
using System.Globalization;
using Harness.Fuzz.Afl;
using Harness.Fuzz.Engine;

namespace Harness.Fuzz.LibFuzzer;

public sealed record LibFuzzerCommandLine(string Driver, IReadOnlyList<string> Arguments)
{
    public const string WorkerFlag = "--worker=";

    public static LibFuzzerCommandLine Build(
        string driver, string dotnetHost, string instrumentedFolder, string target, FuzzTargetConfig config,
        IReadOnlyList<string> defaultCorpus, string? dictionary, string artifactPrefix, IReadOnlyList<string> user)
    {
        var a = new List<string>
        {
            WorkerFlag + dotnetHost,
            WorkerFlag + Path.Combine(instrumentedFolder, "harness.dll"),
            WorkerFlag + "libfuzzer-worker",
            WorkerFlag + target,
        };
        if (config.OpsMax != FuzzTargetConfig.DefaultOpsMax)
            a.Add(WorkerFlag + "--ops-max=" + config.OpsMax.ToString(CultureInfo.InvariantCulture));
        if (config.Canary != FuzzTargetConfig.Default.Canary) a.Add(WorkerFlag + "--canary=" + config.Canary);

        if (!HasFlag(user, "artifact_prefix")) a.Add("-artifact_prefix=" + artifactPrefix);
        if (dictionary is not null && !HasFlag(user, "dict")) a.Add("-dict=" + dictionary);
        a.AddRange(user.Select(Absolute));
        if (!user.Any(IsCorpusArgument)) a.AddRange(defaultCorpus);
        return new LibFuzzerCommandLine(driver, a);
    }

    /// <summary>libFuzzer's flags whose value is one path.</summary>
    public static readonly IReadOnlyList<string> PathFlags =
        ["dict", "artifact_prefix", "exact_artifact_path", "merge_control_file", "features_dir", "mutation_graph_file"];

    /// <summary>A corpus argument or path flag made absolute: the driver runs in OUT (where -jobs
    /// writes its logs), not in the user's folder. A trailing separator (artifact_prefix) is kept.</summary>
    public static string Absolute(string arg)
    {
        if (IsCorpusArgument(arg)) return Path.GetFullPath(arg);
        foreach (string name in PathFlags)
        {
            string prefix = "-" + name + "=";
            if (!arg.StartsWith(prefix, StringComparison.Ordinal) || arg.Length == prefix.Length) continue;
            string value = arg[prefix.Length..];
            string full = Path.GetFullPath(value);
            if (value.EndsWith(Path.DirectorySeparatorChar) && !full.EndsWith(Path.DirectorySeparatorChar)) full += Path.DirectorySeparatorChar;
            return prefix + full;
        }
        return arg;
    }

    /// <summary>True when the user gave -NAME=... (libFuzzer's single-dash flags).</summary>
    public static bool HasFlag(IReadOnlyList<string> args, string name) =>
        args.Any(s => s.StartsWith("-" + name + "=", StringComparison.Ordinal));

    /// <summary>A word libFuzzer takes as a corpus folder or an input file: anything not starting with '-'.</summary>
    public static bool IsCorpusArgument(string s) => !s.StartsWith('-');

    /// <summary>The whole command as one line for a POSIX shell.</summary>
    public string ToShell() => string.Join(' ', new[] { Driver }.Concat(Arguments).Select(AflCommandLine.Quote));
}
