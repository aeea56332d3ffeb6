// `harness golden SYSTEM streams|replay`: a system's golden vectors (GoldenVectorSet).
//   streams --out DIR [--seed S] [--count N]  writes the op streams the vectors are made of (N
//       files from seed S on), for tools/pg-golden/<system>/generate.sh to run PostgreSQL's C on;
//   replay [PATH]  replays the committed vectors (or the vector file or folder PATH) against the
//       port and prints each difference; exit 1 if any;
//   print FILE  prints the port's text for the file's ops (a vector, or a file of op lines).
using System.CommandLine;
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public sealed class GoldenCommand : IHarnessCommand
{
    public string Name => "golden";
    public string Summary => "golden vectors from PostgreSQL's C: write their op streams, or replay them against the port";

    private readonly Option<string> _streamsOut = new("--out") { Description = "the folder the op-stream files go to", HelpName = "DIR", Required = true };
    private readonly Option<ulong> _seed = CliOptions.Seed("--seed", 1, "the first stream's seed");
    private readonly Option<int> _count = CliOptions.Int("--count", 150, 1, 100_000, "how many op-stream files");
    private readonly Argument<string?> _replayPath = CliOptions.Optional("path", "a vector file or folder (default: the system's committed vectors)");
    private readonly Option<string?> _repo = CliOptions.OptionalText("--repo", "repository whose committed vectors replay (default: found upward from the current folder)", "DIR");
    private readonly Argument<string> _printFile = CliOptions.Required("file", "a vector or a file of op lines (its folder chk/ picks the checking build)");

    public void Declare(Command command, SystemRegistry systems)
    {
        // One subcommand per system with golden vectors, each with the three actions.
        foreach (ISystem system in systems.Systems)
        {
            if (!system.Parts.OfType<GoldenVectorSet>().Any()) continue;
            var sub = new Command(system.Name, $"{system.Name}'s golden vectors")
            {
                new Command("streams", "write N op-stream files from seed S into DIR (for tools/pg-golden/<system>/generate.sh)") { _streamsOut, _seed, _count },
                new Command("replay", "replay the committed vectors (or the file/folder PATH) against the port; exit 1 on any difference") { _replayPath, _repo },
                new Command("print", "print the port's text for FILE's ops (a vector or op lines)") { _printFile },
            };
            foreach (string alias in system.Aliases) sub.Aliases.Add(alias);
            command.Add(sub);
        }
    }

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        Command systemCommand = args.Command.Parents.OfType<Command>().First();
        ISystem system = args.Systems.Get(systemCommand.Name);
        GoldenVectorSet set = system.Parts.OfType<GoldenVectorSet>().First();
        switch (args.Command.Name)
        {
            case "streams":
            {
                string dir = args.Value(_streamsOut);
                ulong seed = args.Value(_seed);
                int count = args.Value(_count);
                Directory.CreateDirectory(dir);
                IReadOnlyList<(string Name, string Text)> streams = set.Streams(seed, count);
                foreach ((string name, string text) in streams) File.WriteAllText(Path.Combine(dir, name + ".ops"), text);
                stdout.WriteLine($"golden: wrote {streams.Count} {system.Name} op streams to {dir}");
                return ExitCodes.Ok;
            }
            case "replay":
            {
                string path = args.Get(_replayPath) ?? Path.Combine(args.Get(_repo) ?? RepoRoot.Find(), set.Folder);
                if (!File.Exists(path) && !Directory.Exists(path)) throw new InputException($"no vectors at {path}");
                var files = File.Exists(path) ? [path] : Directory.EnumerateFiles(path, "*.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                int failed = 0;
                foreach (string f in files)
                {
                    string? diff = set.ReplayFile(f);
                    if (diff is null) continue;
                    failed++;
                    stdout.WriteLine($"DIFF {f}: {diff}");
                }
                stdout.WriteLine($"golden: {files.Count - failed} of {files.Count} {system.Name} vectors identical");
                return failed == 0 && files.Count > 0 ? ExitCodes.Ok : ExitCodes.Finding;
            }
            case "print":
            {
                string file = args.Get(_printFile)!;
                if (!File.Exists(file)) throw new InputException($"no file {file}");
                stdout.Write(set.PortText(file));
                return ExitCodes.Ok;
            }
            default:
                throw new InvalidOperationException($"golden has no action '{args.Command.Name}'");
        }
    }
}
