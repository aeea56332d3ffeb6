// PassRunner: W1-W4 on the port timed the way the C driver times PostgreSQL's aset.c (one untimed
// warm-up pass, then one timed pass, ns/op printed), so that tools/pg-bench/ratio.sh can run the two
// sides as alternating processes over several rounds and compare medians and minimums measured
// under the same machine conditions. BenchmarkDotNet's suite (AllocSetBenchmarks) stays the
// statistical view of the port alone; this is the side-by-side one.
//
// Usage: Allocator.Bench passes W1|W2|W3|W4 production|checking [timed-passes]
// Output: one line "W1 production 8.123 ns/op" (over all timed passes; default 1). More timed passes
// make a steady-state window long enough for a sampling profiler (perf record) to see past warm-up.
using Allocator.Mmgr;
using Harness.Core;

namespace Allocator.Bench.Mmgr;

public static class PassRunner
{
    public static int Run(string[] args)
    {
        int timed = 1;
        if (args.Length is not (3 or 4) || args[1] is not ("W1" or "W2" or "W3" or "W4") || args[2] is not ("production" or "checking")
            || (args.Length == 4 && (!int.TryParse(args[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out timed) || timed < 1)))
        {
            Console.Error.WriteLine("usage: Allocator.Bench passes W1|W2|W3|W4 production|checking [timed-passes >= 1]");
            return 2;
        }
        string w = args[1];
        // the C figures come from builds without USE_ASSERT_CHECKING, so the port's extra asserts are off too
        var options = (args[2] == "checking" ? MemoryContextOptions.Checking : MemoryContextOptions.Production) with { AssertChecking = false };
        var port = new PortAllocator(options);
        ulong[] scratch = new ulong[Workloads.W2Batch];
        // each workload as (full pass, a 1/WarmupShare slice of it, operations of the full pass)
        (Func<ulong> pass, Func<ulong> slice, long ops) = w switch
        {
            "W1" => ((Func<ulong>)(() => Workloads.W1(port)), (Func<ulong>)(() => Workloads.W1(port, Workloads.W1Pairs / WarmupShare)), (long)Workloads.W1Ops),
            "W2" => (() => Workloads.W2(port, scratch), () => Workloads.W2(port, scratch, Workloads.W2Rounds / WarmupShare), Workloads.W2Ops),
            "W3" => (() => Workloads.W3(port, scratch), () => Workloads.W3(port, scratch, Workloads.W3Rounds / WarmupShare), Workloads.W3OpsPort),
            _ => (() => Workloads.W4(port), () => Workloads.W4(port, Workloads.W4Rounds / WarmupShare), Workloads.W4Ops),
        };
        ulong sink = WarmUp(slice);
        WallClock clock = WallClock.StartNew();
        for (int i = 0; i < timed; i++) sink += pass();
        clock.Stop();
        double ns = clock.Elapsed.TotalNanoseconds / ops / timed;
        Console.WriteLine(FormattableString.Invariant($"{w} {args[2]} {ns:F3} ns/op"));
        return sink == ulong.MaxValue ? 1 : 0; // keeps the passes observable to the JIT
    }

    /// <summary>Calls per warm-up: well above the runtime's call-count threshold (30) for every tier step.</summary>
    public const int WarmupCalls = 200;

    /// <summary>A warm-up call does this fraction of a full pass, so warm-up costs about 2 passes.</summary>
    public const int WarmupShare = 100;

    /// <summary>Consecutive 20 ms checks with no newly compiled method before timing starts.</summary>
    public const int QuietRounds = 5;

    private static ulong WarmUp(Func<ulong> slice)
    {
        ulong sink = 0;
        for (int i = 0; i < WarmupCalls; i++) sink += slice();
        // Background tier-1 compilation finishes on its own schedule; keep calling until it is done.
        long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        for (int quiet = 0, guard = 0; quiet < QuietRounds && guard < 500; guard++)
        {
            Thread.Sleep(20);
            sink += slice();
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
        return sink;
    }
}
