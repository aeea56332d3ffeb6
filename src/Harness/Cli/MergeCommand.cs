// `harness merge OUT SHARD...`: joins the JUnit reports of `harness gate --shard i/n` runs (from n
// machines, or a CI matrix) into one report, after checking that they are the n parts of one gate
// (same seed, scale and suite filter; shards 1..n each once; each case in the shard that owns it:
// ShardMerge's SM1-SM4). Exits 1 if the merged gate has a failure, and prints its repro lines.
// `harness merge --corpus OUT SOURCE...` joins corpora instead: sync directories of multi-worker
// campaigns (every worker's queue) and corpus folders, each distinct input once (CorpusMerge).
using System.CommandLine;
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public sealed class MergeCommand : IHarnessCommand
{
    public string Name => "merge";
    public string Summary => "join the JUnit reports of 'harness gate --shard i/n' runs into one, checking they cover the gate once; or corpora (--corpus)";

    private readonly Argument<string[]> _paths = CliOptions.OneOrMore("paths",
        "OUT.xml SHARD.xml...: the merged JUnit report (as one 'harness gate' with the same seed and scale writes) and every shard's report (gate --junit), all n of them in any order; " +
        "with --corpus: the SOURCEs (sync directories or corpus folders)");
    private readonly Option<string?> _corpus = CliOptions.OptionalText("--corpus",
        "merge corpora instead: every distinct input of the SOURCEs (sync directories: every worker's queue, afl's and harness fuzz's; or corpus folders) into OUT_DIR, named by content hash (shrink it afterwards with harness cmin)",
        "OUT_DIR");
    private readonly Option<int> _maxLen = CliOptions.Int("--max-len", 4096, 1, 1 << 20, "with --corpus: longest input kept, in bytes", "B");

    public void Declare(Command command, SystemRegistry systems) => command.AddAll(_paths, _corpus, _maxLen);

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        IReadOnlyList<string> paths = args.Get(_paths)!;
        if (args.Get(_corpus) is string corpusOut) return MergeCorpora(corpusOut, paths, args.Value(_maxLen), stdout);
        if (paths.Count < 2) throw new UsageException("merge wants the output file and at least one shard report");
        string output = paths[0];
        IReadOnlyList<string> shards = paths.Skip(1).ToList();
        ShardMerge.Merged m = ShardMerge.Merge(shards.ToList());
        string? dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null) Directory.CreateDirectory(dir);
        m.Report.Save(output);
        stdout.WriteLine($"merge: {shards.Count} shards of seed {m.Run.Seed} scale {m.Run.Scale}: {m.Cases - m.Failures} passed, {m.Failures} failed; report {output}");
        foreach (var f in m.Report.Descendants("failure"))
            stdout.WriteLine($"  FAIL {(string?)f.Parent?.Attribute("classname")}/{(string?)f.Parent?.Attribute("name")}: {(string?)f.Attribute("message")}");
        return m.Failures == 0 ? ExitCodes.Ok : ExitCodes.Finding;
    }

    private static int MergeCorpora(string output, IReadOnlyList<string> sources, int maxLen, TextWriter stdout)
    {
        if (sources.Count == 0) throw new UsageException("merge --corpus wants at least one sync directory or corpus folder");
        var problems = new List<string>();
        Harness.Fuzz.Sync.CorpusMergeResult r = Harness.Fuzz.Sync.CorpusMerge.Merge(output, sources, maxLen, problems);
        foreach (string p in problems) stdout.WriteLine($"merge: {p}");
        stdout.WriteLine($"merge: {r.Read} inputs from {r.Sources} sources, {r.Distinct} distinct, {r.Added} new in {output}");
        return ExitCodes.Ok;
    }
}
