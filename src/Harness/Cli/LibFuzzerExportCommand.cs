// `harness libfuzzer-export OUT`: what .clusterfuzzlite/build.sh needs from the harness for each
// registered fuzz target: OUT/NAME.dict and OUT/NAME_seed_corpus.zip (OssFuzzLayout), and the
// target names on stdout, one per line, so the script builds one driver per target without
// naming any.
using Harness.Fuzz;
using Harness.Fuzz.LibFuzzer;

namespace Harness.Cli;

public sealed class LibFuzzerExportCommand : IHarnessCommand
{
    public string Name => "libfuzzer-export";
    public string Summary => "write each fuzz target's dictionary and seed corpus zip in the OSS-Fuzz/ClusterFuzzLite $OUT layout; print the target names";
    public string Usage => "usage: harness libfuzzer-export OUT [--repo DIR]   (stdout: one target name per line; stderr: the files written)";

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? repo = args.String("repo");
        args.RejectUnknown();
        if (args.Positional.Count != 1) throw new UsageException("give the output folder ($OUT)");
        string outDir = Path.GetFullPath(args.Positional[0]);
        repo ??= RepoRoot.Find();
        foreach (FuzzTargetDef def in FuzzTargets.All(args.Systems))
        {
            foreach (string file in OssFuzzLayout.Write(def, repo, outDir)) stderr.WriteLine($"libfuzzer-export: wrote {file}");
            stdout.WriteLine(def.Name);
        }
        return Program.ExitOk;
    }
}
