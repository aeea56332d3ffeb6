// `harness golden SYSTEM streams|replay`: a system's golden vectors (GoldenVectorSet).
//   streams --out DIR [--seed S] [--count N]  writes the op streams the vectors are made of (N
//       files from seed S on), for tools/pg-golden/<system>/generate.sh to run PostgreSQL's C on;
//   replay [PATH]  replays the committed vectors (or the vector file or folder PATH) against the
//       port and prints each difference; exit 1 if any;
//   print FILE  prints the port's text for the file's ops (a vector, or a file of op lines).
using Harness.Core;
using Harness.Gate;

namespace Harness.Cli;

public sealed class GoldenCommand : IHarnessCommand
{
    public string Name => "golden";
    public string Summary => "golden vectors from PostgreSQL's C: write their op streams, or replay them against the port";
    public string Usage => """
        usage: harness golden SYSTEM streams --out DIR [--seed S] [--count N]
               harness golden SYSTEM replay [PATH] [--repo DIR]
               harness golden SYSTEM print FILE
          streams   write N op-stream files (default 150) from seed S (default 1) into DIR
          replay    replay the committed vectors (or the file/folder PATH); exit 1 on any difference
          print     the port's text for FILE's ops (a vector or op lines; its folder chk/ picks the checking build)
        """;

    public int Run(CommandArgs args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Positional.Count < 2) throw new UsageException("give a system and streams|replay");
        ISystem system = args.Systems.Get(args.Positional[0]);
        GoldenVectorSet set = system.Parts.OfType<GoldenVectorSet>().FirstOrDefault()
            ?? throw new UsageException($"system '{system.Name}' has no golden vectors");
        switch (args.Positional[1])
        {
            case "streams":
            {
                string dir = args.String("out") ?? throw new UsageException("streams needs --out DIR");
                ulong seed = args.ULong("seed", 1);
                int count = args.Int("count", 150, 1, 100_000);
                args.RejectUnknown();
                Directory.CreateDirectory(dir);
                IReadOnlyList<(string Name, string Text)> streams = set.Streams(seed, count);
                foreach ((string name, string text) in streams) File.WriteAllText(Path.Combine(dir, name + ".ops"), text);
                stdout.WriteLine($"golden: wrote {streams.Count} {system.Name} op streams to {dir}");
                return Program.ExitOk;
            }
            case "replay":
            {
                string repo = args.String("repo") ?? RepoRoot.Find();
                string path = args.Positional.Count > 2 ? args.Positional[2] : Path.Combine(repo, set.Folder);
                args.RejectUnknown();
                if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"no vectors at {path}");
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
                return failed == 0 && files.Count > 0 ? Program.ExitOk : Program.ExitFailure;
            }
            case "print":
            {
                string file = args.Positional.Count > 2 ? args.Positional[2] : throw new UsageException("print needs a FILE");
                args.RejectUnknown();
                if (!File.Exists(file)) throw new UsageException($"no file {file}");
                stdout.Write(set.PortText(file));
                return Program.ExitOk;
            }
            default:
                throw new UsageException($"unknown action '{args.Positional[1]}' (streams|replay|print)");
        }
    }
}
