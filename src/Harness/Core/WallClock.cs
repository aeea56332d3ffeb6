// WallClock: the one place the harness reads a clock. Determinism rule (ARCHITECTURE.md): a wall
// clock may decide *when to stop* a long campaign (`--seconds`) and may be printed as a rate or a
// duration; it never decides *what runs*. Every engine that stops on time reports the counts it
// reached so that the run can be repeated exactly. System.Diagnostics.Stopwatch is banned in the
// harness (BannedSymbols.txt) so that every reading of the clock goes through here and is easy to
// audit.
namespace Harness.Core;

#pragma warning disable RS0030 // the sanctioned clock: see the purpose block
public sealed class WallClock
{
    private readonly System.Diagnostics.Stopwatch _watch = new();

    public static WallClock StartNew()
    {
        var c = new WallClock();
        c.Start();
        return c;
    }

    public void Start() => _watch.Start();

    public void Stop() => _watch.Stop();

    public TimeSpan Elapsed => _watch.Elapsed;

    public long ElapsedMilliseconds => _watch.ElapsedMilliseconds;

    /// <summary>A raw high-resolution timestamp, for summing the time of phases that recur too
    /// often for a WallClock object each (the fuzz engine's per-batch phases). Reported, never decisive.</summary>
    public static long Timestamp => System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Milliseconds in a span of <see cref="Timestamp"/> ticks.</summary>
    public static double TicksToMilliseconds(long ticks) => ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>The calendar time in Unix seconds: for files other programs read (a sync worker's
    /// fuzzer_stats: start_time, last_update) and for telling a live worker from a stale one in
    /// `harness status`. Same rule: printed and compared for display, never deciding what runs.</summary>
    public static long UnixSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
#pragma warning restore RS0030
