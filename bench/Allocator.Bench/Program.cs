// Entry point of the benchmark suites: `dotnet run -c Release --project bench/Allocator.Bench -- --filter '*'`.
// `-- passes W1 production` runs one warm-up and one timed pass instead (Mmgr/PassRunner), for
// tools/pg-bench/ratio.sh's side-by-side rounds against PostgreSQL's C.
using BenchmarkDotNet.Running;

namespace Allocator.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "passes") return Mmgr.PassRunner.Run(args);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
