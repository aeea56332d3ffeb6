// `harness minimize ARTIFACT|FILE`: shrinks a failing fuzz input while its failure keeps the same
// signature (outcome kind and site): whole operations first, then operation arguments, then bytes.
// Writes the minimized repro artifact (and the raw input beside it) and prints its repro command.
using System.CommandLine;
using Harness.Artifacts;
using Harness.Core;
using Harness.Fuzz.Engine;
using Harness.Fuzz;

namespace Harness.Cli;

public sealed class MinimizeCommand : IHarnessCommand
{
    public string Name => "minimize";
    public string Summary => "shrink a failing fuzz input (artifact or raw file), keeping its failure signature";

    private readonly Argument<string> _input = CliOptions.Required("artifact-or-file", "a failing fuzz artifact, or a raw input file");
    private readonly Option<string?> _out = CliOptions.OptionalText("--out", "minimized artifact (default: NAME.min.json beside the input; raw input in NAME.min.bin)", "PATH");
    private readonly Option<long> _execs = CliOptions.Long("--execs", 20_000, 1, long.MaxValue, "execution budget");
    private readonly Option<string?> _target = CliOptions.OptionalText("--target",
        "target of a raw input file (an artifact names its own; may be left out when only one is registered)", "T");
    private readonly FuzzTargetOptions _config = new();

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_input, _out, _execs, _target);
        _config.AddTo(command);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string? outPath = args.Get(_out);
        long budget = args.Value(_execs);
        string? targetName = args.Get(_target);
        FuzzTargetConfig rawConfig = args.FuzzTargetConfig(_config);
        string path = args.Get(_input)!;
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
        return ExitCodes.Ok;
    }
}
