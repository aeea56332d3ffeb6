// `harness minimize ARTIFACT|FILE`: shrinks a failing fuzz input while its failure keeps the same
// signature (outcome kind and site): whole operations first, then operation arguments, then bytes.
// Writes the minimized repro artifact (and the raw input beside it) and prints its repro command.
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class MinimizeCommand : IHarnessCommand
{
    public string Name => "minimize";
    public string Summary => "shrink a failing fuzz input (artifact or raw file), keeping its failure signature";
    public string Usage => """
        usage: harness minimize ARTIFACT|FILE [--out PATH] [--execs N] [--target T] [--ops-max M] [--canary NAME]
          --out PATH    minimized artifact (default: NAME.min.json beside the input; raw input in NAME.min.bin)
          --execs N     execution budget (default 20000)
          --target T, --ops-max M, --canary NAME   for a raw input file (an artifact carries its own;
                        the target may be left out when only one is registered)
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? outPath = args.String("out");
        long budget = args.Long("execs", 20_000, 1);
        string? targetName = args.String("target");
        FuzzTargetConfig rawConfig = args.FuzzTargetConfig();
        args.RejectUnknown();
        string path = args.Positional0 ?? throw new UsageException("which artifact or input file?");
        (byte[] input, ReproArtifact? artifact) = FuzzInputFile.Load(path);
        FuzzTargetConfig config = artifact is null ? rawConfig : FuzzTargetConfig.FromDictionary(artifact.Config, path);
        IFuzzTarget target = FuzzTargets.Create(args.Systems, artifact?.Target ?? targetName ?? DefaultTarget.Name(args.Systems, path), config);
        ulong seed = artifact?.Seed ?? 0;

        MinimizeResult r = new CrashMinimizer(target, budget).Minimize(input);
        if (artifact is not null && r.Outcome.Kind != artifact.Outcome.Kind)
            stdout.WriteLine($"minimize: note: the input now fails as {r.Outcome.Kind.Name()}, the artifact recorded {artifact.Outcome.Kind.Name()}");
        outPath ??= Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", Path.GetFileNameWithoutExtension(path) + ".min.json");
        ReproArtifact min = FindingWriter.ToArtifact(target, seed, config.ToDictionary(), r.Outcome, r.Input);
        min.Save(outPath);
        string raw = Path.ChangeExtension(outPath, ".bin");
        CorpusFolder.WriteAtomic(raw, r.Input);

        stdout.WriteLine($"minimize: {r.Outcome.Signature}: {r.OriginalUnits} -> {r.Units} operations, {input.Length} -> {r.Input.Length} bytes in {r.Execs} execs{(r.BudgetExhausted ? " (budget exhausted)" : "")}");
        foreach (string line in target.Disassemble(r.Input)) stdout.WriteLine($"  {line}");
        stdout.WriteLine($"minimize: failing op {r.Outcome.Step}: {r.Outcome.Reason}");
        stdout.WriteLine($"minimize: wrote {outPath} and {raw}");
        stdout.WriteLine($"  harness repro {outPath}");
        return Program.ExitOk;
    }
}
