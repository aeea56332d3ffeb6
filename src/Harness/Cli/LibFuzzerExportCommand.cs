// `harness libfuzzer-export OUT`: what .clusterfuzzlite/build.sh needs from the harness for each
// registered fuzz target: OUT/NAME.dict and OUT/NAME_seed_corpus.zip (OssFuzzLayout), and the
// target names on stdout, one per line, so the script builds one driver per target without
// naming any.
using Harness.Core;
using System.CommandLine;
using Harness.Fuzz;
using Harness.Fuzz.LibFuzzer;

namespace Harness.Cli;

public sealed class LibFuzzerExportCommand : IHarnessCommand
{
    public string Name => "libfuzzer-export";
    public string Summary => "write each fuzz target's dictionary and seed corpus zip in the OSS-Fuzz/ClusterFuzzLite $OUT layout; print the target names";

    private readonly Option<string?> _repo = CliOptions.OptionalText("--repo", "repository whose corpora are zipped (default: found upward from the current folder)", "DIR");
    private readonly Argument<string> _out = CliOptions.Required("out", "the output folder ($OUT); stdout gets one target name per line, stderr the files written");

    public void Declare(Command command, SystemRegistry systems) => command.AddAll(_out, _repo);

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? repo = args.Get(_repo);
        string outDir = Path.GetFullPath(args.Get(_out)!);
        repo ??= RepoRoot.Find();
        foreach (FuzzTargetDef def in FuzzTargets.All(args.Systems))
        {
            foreach (string file in OssFuzzLayout.Write(def, repo, outDir)) stderr.WriteLine($"libfuzzer-export: wrote {file}");
            stdout.WriteLine(def.Name);
        }
        return ExitCodes.Ok;
    }
}
