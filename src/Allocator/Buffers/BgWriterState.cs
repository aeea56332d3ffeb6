// BgWriterState: what BgBufferSync (bufmgr.c, PostgreSQL 17) keeps between calls in function-level
// statics of the background writer process, its two tunables, and the statistics it reports. One
// object per process acting as the bgwriter (BufMgr.BgWriter), since the C statics are
// process-local too.
//
// Divergence: time. PostgreSQL paces the "minimum progress" by wall clock: the whole pool is to be
// scanned in scan_whole_pool_milliseconds (120 s) at one call per BgWriterDelay (200 ms), i.e.
// min_scan_buffers = NBuffers / (120000 / 200) per call. Here that is a count of calls
// (ScanWholePoolCalls = 600 by default); nothing reads a clock, and the bgwriter's sleeping and
// hibernation (bgwriter.c) are the caller's business.
#pragma warning disable CA1707 // PostgreSQL's names
namespace Allocator.Buffers;

public sealed class BgWriterState
{
    /// <summary>bgwriter_lru_maxpages (default 100): at most this many writes per call; 0 disables the scan.</summary>
    public int bgwriter_lru_maxpages { get; set; } = 100;

    /// <summary>bgwriter_lru_multiplier (default 2.0): how many times the predicted allocations to clean ahead.</summary>
    public double bgwriter_lru_multiplier { get; set; } = 2.0;

    /// <summary>scan_whole_pool_milliseconds / BgWriterDelay = 120000 / 200: calls per minimum-pace pass over the pool.</summary>
    public int ScanWholePoolCalls { get; set; } = 600;

    /// <summary>Whether BgBufferSync checks PostgreSQL's Assert(strategy_delta &gt;= 0) (an assert-enabled
    /// build; default). The clock position StrategySyncStart reports can go back by NBuffers when a
    /// backend holding a wrap ticket is delayed while others tick NBuffers more times and wrap first
    /// (spec §19.4 F4, an accepted corner case), and then the Assert fails: with a tiny pool and real
    /// threads this happens (BufMgrCheckpointTests shows the schedule). Off = a production build,
    /// where the negative delta only perturbs the estimates for one round.</summary>
    public bool AssertStrategyDelta { get; set; } = true;

    /// <summary>smoothing_samples: the moving averages' period.</summary>
    public const float smoothing_samples = 16;

    // ---- the C function's statics
    public bool saved_info_valid;
    public int prev_strategy_buf_id;
    public uint prev_strategy_passes;
    public int next_to_clean;
    public uint next_passes;
    /// <summary>Moving average of allocations per call (fast attack, slow decline).</summary>
    public float smoothed_alloc;
    /// <summary>Moving average of buffers scanned per reusable buffer found.</summary>
    public float smoothed_density = 10.0f;

    // ---- PendingBgWriterStats
    public long buf_written_clean;
    public long maxwritten_clean;
    public long buf_alloc;

    // ---- the last call's figures (BGW_DEBUG's output), for tests and traces
    public int LastBufsToLap { get; internal set; }
    public int LastUpcomingAllocEst { get; internal set; }
    public int LastReusableEst { get; internal set; }
    public int LastScanned { get; internal set; }
    public int LastWritten { get; internal set; }
}
