// `harness merge OUT SHARD...`: joins the JUnit reports of `harness gate --shard i/n` runs (from n
// machines, or a CI matrix) into one report, after checking that they are the n parts of one gate
// (same seed, scale and suite filter; shards 1..n each once; each case in the shard that owns it:
// ShardMerge's SM1-SM4). Exits 1 if the merged gate has a failure, and prints its repro lines.
using System.CommandLine;
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public sealed class MergeCommand : IHarnessCommand
{
    public string Name => "merge";
    public string Summary => "join the JUnit reports of 'harness gate --shard i/n' runs into one, checking they cover the gate once";

    private readonly Argument<string> _output = CliOptions.Required("out.xml", "the merged JUnit report (as one 'harness gate' with the same seed and scale writes)");
    private readonly Argument<string[]> _shards = CliOptions.OneOrMore("shard.xml", "every shard's report (gate --junit); all n of them, in any order");

    public void Declare(Command command, SystemRegistry systems)
    {
        command.AddAll(_output, _shards);
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        string output = args.Get(_output)!;
        IReadOnlyList<string> shards = args.Get(_shards)!;
        ShardMerge.Merged m = ShardMerge.Merge(shards.ToList());
        string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null) Directory.CreateDirectory(dir);
        m.Report.Save(output);
        stdout.WriteLine($"merge: {shards.Count} shards of seed {m.Run.Seed} scale {m.Run.Scale}: {m.Cases - m.Failures} passed, {m.Failures} failed; report {output}");
        foreach (var f in m.Report.Descendants("failure"))
            stdout.WriteLine($"  FAIL {(string?)f.Parent?.Attribute("classname")}/{(string?)f.Parent?.Attribute("name")}: {(string?)f.Attribute("message")}");
        return m.Failures == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }
}
