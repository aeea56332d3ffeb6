// PassRunner: W1-W4 on the port timed the way the C driver times PostgreSQL's aset.c (one untimed
// warm-up pass, then one timed pass, ns/op printed), so that tools/pg-bench/ratio.sh can run the two
// sides as alternating processes over several rounds and compare medians and minimums measured
// under the same machine conditions. BenchmarkDotNet's suite (AllocSetBenchmarks) stays the
// statistical view of the port alone; this is the side-by-side one.
//
// Usage: Allocator.Bench passes W1|W2|W3|W4 production|checking
// Output: one line "W1 production 8.123 ns/op".
using Allocator.Mmgr;
using Harness.Core;

namespace Allocator.Bench.Mmgr;

public static class PassRunner
{
    public static int Run(string[] args)
    {
        if (args.Length != 3 || args[1] is not ("W1" or "W2" or "W3" or "W4") || args[2] is not ("production" or "checking"))
        {
            Console.Error.WriteLine("usage: Allocator.Bench passes W1|W2|W3|W4 production|checking");
            return 2;
        }
        string w = args[1];
        // the C figures come from builds without USE_ASSERT_CHECKING, so the port's extra asserts are off too
        var options = (args[2] == "checking" ? MemoryContextOptions.Checking : MemoryContextOptions.Production) with { AssertChecking = false };
        var port = new PortAllocator(options);
        ulong[] scratch = new ulong[Workloads.W2Batch];
        (Func<ulong> pass, long ops) = w switch
        {
            "W1" => ((Func<ulong>)(() => Workloads.W1(port)), (long)Workloads.W1Ops),
            "W2" => (() => Workloads.W2(port, scratch), Workloads.W2Ops),
            "W3" => (() => Workloads.W3(port, scratch), Workloads.W3OpsPort),
            _ => (() => Workloads.W4(port), Workloads.W4Ops),
        };
        ulong sink = pass(); // warm-up: tier-1 code and the context's blocks exist before timing
        WallClock clock = WallClock.StartNew();
        sink += pass();
        clock.Stop();
        double ns = clock.Elapsed.TotalNanoseconds / ops;
        Console.WriteLine(FormattableString.Invariant($"{w} {args[2]} {ns:F3} ns/op"));
        return sink == ulong.MaxValue ? 1 : 0; // keeps the passes observable to the JIT
    }
}
